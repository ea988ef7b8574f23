import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IsolationForest, averagePathLength, percentile, scoreToSeverity } from '../../../functions/core/anomaly/isolation-forest.ts';
import type { IsolationForestJSON } from '../../../functions/core/anomaly/isolation-forest.ts';
import { StandardScaler } from '../../../functions/core/anomaly/scaler.ts';
import { Rng } from '../../../functions/core/anomaly/random.ts';
import { makeLabelledData, rocAuc, writeMatrixCsv } from '../../../bench/support/synth.ts';

function gaussianMatrix(rows: number, cols: number, seed: number) {
  const rng = new Rng(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) {
    const u = Math.max(rng.nextFloat(), 1e-12);
    data[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
  }
  return { data, rows, cols };
}

describe('averagePathLength c(n)', () => {
  it('matches sklearn values', () => {
    expect(averagePathLength(0)).toBe(0);
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeCloseTo(10.244770920116851, 10);
    expect(averagePathLength(3)).toBeCloseTo(2 * (Math.log(2) + 0.5772156649015329) - 4 / 3, 12);
    expect(averagePathLength(10000)).toBeCloseTo(2 * (Math.log(9999) + 0.5772156649015329) - (2 * 9999) / 10000, 12);
  });
});

describe('IsolationForest', () => {
  const train = gaussianMatrix(2000, 3, 1);

  it('scores outliers lower than inliers (sklearn sign convention)', () => {
    const f = new IsolationForest({ randomState: 42 }).fit(train);
    const probe = { data: Float64Array.from([0, 0, 0, 0.1, -0.2, 0.3, 6, 6, 6, -7, 0, 5]), rows: 4, cols: 3 };
    const s = f.scoreSamples(probe);
    for (const v of s) {
      expect(v).toBeLessThan(0);
      expect(v).toBeGreaterThanOrEqual(-1);
    }
    expect(Math.max(s[2], s[3])).toBeLessThan(Math.min(s[0], s[1]));
    expect(s[2]).toBeLessThan(-0.6);
    expect(s[0]).toBeGreaterThan(-0.5);
  });

  it('the fast walk equals a plain x <= threshold traversal, also at values equal to thresholds', () => {
    const f = new IsolationForest({ nEstimators: 30, randomState: 5 }).fit(train);
    const probe = gaussianMatrix(301, 3, 77);
    // put exact thresholds and infinities into the probe
    for (let i = 0; i < 100; i++) {
      const node = (i * 7) % f.feature.length;
      if (f.feature[node] >= 0) probe.data[i * 3 + f.feature[node]] = f.threshold[node];
    }
    probe.data[300 * 3] = Infinity;
    probe.data[300 * 3 + 1] = -Infinity;
    const fast = f.scoreSamples(probe);
    const cPsi = averagePathLength(f.maxSamples);
    for (let r = 0; r < probe.rows; r++) {
      let sum = 0;
      for (const root of f.roots) {
        let node = root;
        let depth = 0;
        while (f.feature[node] >= 0) {
          node = probe.data[r * 3 + f.feature[node]] <= f.threshold[node] ? f.left[node] : f.right[node];
          depth++;
        }
        sum += depth + averagePathLength(f.leafSize[node]);
      }
      expect(fast[r]).toBeCloseTo(-Math.pow(2, -sum / f.roots.length / cPsi), 12);
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = new IsolationForest({ randomState: 7 }).fit(train).scoreSamples(train);
    const b = new IsolationForest({ randomState: 7 }).fit(train).scoreSamples(train);
    const c = new IsolationForest({ randomState: 8 }).fit(train).scoreSamples(train);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('uses min(maxSamples, n) rows per tree and depth ceil(log2 psi)', () => {
    const f = new IsolationForest({ nEstimators: 10, maxSamples: 256 }).fit(gaussianMatrix(100, 2, 3));
    expect(f.maxSamples).toBe(100);
    expect(f.maxDepth).toBe(7);
    for (const root of f.roots) expect(f.leafSize[root]).toBe(100);
    const g = new IsolationForest({ nEstimators: 10 }).fit(train);
    expect(g.maxSamples).toBe(256);
    expect(g.maxDepth).toBe(8);
  });

  it('a constant training set isolates nothing: every score is -2^(-c(psi)/c(psi)) = -0.5', () => {
    const data = new Float64Array(300 * 2).fill(3);
    const f = new IsolationForest({ nEstimators: 5 }).fit({ data, rows: 300, cols: 2 });
    const s = f.scoreSamples({ data: Float64Array.from([3, 3, 100, -100]), rows: 2, cols: 2 });
    expect(s[0]).toBeCloseTo(-0.5, 12);
    expect(s[1]).toBeCloseTo(-0.5, 12);
  });

  it('serialises to JSON and back with identical scores and metadata', () => {
    const scaler = new StandardScaler().fit(train);
    const f = new IsolationForest({ randomState: 3, contamination: 0.1 });
    f.featureNames = ['cpu', 'mem', 'err'];
    f.trainingWindow = { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', rows: train.rows };
    f.scaler = scaler;
    f.fit(scaler.transform(train));
    const json = JSON.parse(JSON.stringify(f.toJSON())) as IsolationForestJSON;
    expect(json.version).toBe(1);
    const g = IsolationForest.fromJSON(json);
    const probe = scaler.transform(gaussianMatrix(500, 3, 9));
    expect(Array.from(g.scoreSamples(probe))).toEqual(Array.from(f.scoreSamples(probe)));
    expect(g.offset).toBe(f.offset);
    expect(g.featureNames).toEqual(['cpu', 'mem', 'err']);
    expect(g.trainingWindow).toEqual(f.trainingWindow);
    expect(Array.from(g.scaler!.mean)).toEqual(Array.from(scaler.mean));
    expect(() => IsolationForest.fromJSON({ ...json, version: 2 as 1 })).toThrow(/version/);
  });

  it('contamination sets offset_ to the training-score percentile (sklearn)', () => {
    const f = new IsolationForest({ randomState: 1, contamination: 0.1 }).fit(train);
    const s = f.scoreSamples(train);
    expect(f.offset).toBeCloseTo(percentile(s, 10), 12);
    const pred = f.predict(train);
    const outliers = pred.reduce((n, p) => n + (p === -1 ? 1 : 0), 0);
    expect(outliers / train.rows).toBeGreaterThan(0.08);
    expect(outliers / train.rows).toBeLessThan(0.12);
    const d = f.decisionFunction(train);
    expect(d[0]).toBeCloseTo(s[0] - f.offset, 12);
    expect(new IsolationForest().offset).toBe(-0.5);
  });

  it('percentile interpolates linearly like numpy', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([4, 1, 3, 2], 10)).toBeCloseTo(1.3, 12);
  });

  it('rejects bad input', () => {
    expect(() => new IsolationForest({ nEstimators: 0 })).toThrow();
    expect(() => new IsolationForest({ contamination: 0.7 })).toThrow();
    const f = new IsolationForest().fit(train);
    expect(() => f.scoreSamples({ data: new Float64Array(4), rows: 2, cols: 2 })).toThrow(/columns/);
    expect(() => new IsolationForest().scoreSamples(train)).toThrow(/not fitted/);
  });
});

describe('StandardScaler', () => {
  it('standardises columns with population std; constant columns get scale 1', () => {
    const s = new StandardScaler().fit({ data: Float64Array.from([1, 5, 2, 5, 3, 5]), rows: 3, cols: 2 });
    expect(Array.from(s.mean)).toEqual([2, 5]);
    expect(s.scale[0]).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(s.scale[1]).toBe(1);
    const t = s.transform({ data: Float64Array.from([2, 5, 3, 6]), rows: 2, cols: 2 });
    expect(t.data[0]).toBe(0);
    expect(t.data[3]).toBe(1);
    expect(Array.from(StandardScaler.fromJSON(s.toJSON()).scale)).toEqual(Array.from(s.scale));
  });
});

describe('scoreToSeverity', () => {
  it('maps scores with the seed defaults', () => {
    expect(scoreToSeverity(-0.9)).toEqual({ anomaly: true, severity: 'critical' });
    expect(scoreToSeverity(-0.7)).toEqual({ anomaly: true, severity: 'high' });
    expect(scoreToSeverity(-0.55)).toEqual({ anomaly: true, severity: 'medium' });
    expect(scoreToSeverity(-0.45)).toEqual({ anomaly: false, severity: 'medium' });
    expect(scoreToSeverity(-0.3)).toEqual({ anomaly: false, severity: 'low' });
    expect(scoreToSeverity(-0.8).severity).toBe('high');
    expect(scoreToSeverity(-0.5).anomaly).toBe(false);
    expect(scoreToSeverity(-0.45, { threshold: -0.4 }).anomaly).toBe(true);
  });
});

describe('AUC against scikit-learn', () => {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import sklearn, pandas'], { env }).status === 0);
  it.skipIf(!python)('is within 0.02 of sklearn on a small labelled dataset' + (python ? '' : ' (skipped: no python3 with sklearn)'), () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetops-iforest-'));
    try {
      const tr = makeLabelledData(3000, 5, 0.03, 11);
      const sc = makeLabelledData(20000, 5, 0.03, 12);
      writeMatrixCsv(join(dir, 'train.csv'), tr);
      writeMatrixCsv(join(dir, 'score.csv'), sc);
      const script = join(import.meta.dirname, '../../../bench/support/sklearn_iforest.py');
      const r = spawnSync(python!, [script, join(dir, 'train.csv'), join(dir, 'score.csv'), join(dir, 'out.csv')], { env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const skScores = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n').slice(1).map(Number);
      const ours = new IsolationForest({ randomState: 0 }).fit(tr).scoreSamples(sc);
      const aucOurs = rocAuc(
        ours.map((v) => -v),
        sc.labels,
      );
      const aucSk = rocAuc(
        skScores.map((v) => -v),
        sc.labels,
      );
      expect(aucOurs).toBeGreaterThan(0.9);
      expect(Math.abs(aucOurs - aucSk)).toBeLessThan(0.02);
      // same scale of scores: means within a few hundredths
      const mean = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0) / a.length;
      expect(Math.abs(mean(ours) - mean(skScores))).toBeLessThan(0.02);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
