import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadAutoencoder, trainAutoencoder } from '../../../functions/core/neural/autoencoder.ts';
import type { AutoencoderArtefact, AutoencoderScorer } from '../../../functions/core/neural/autoencoder.ts';
import { errorQuantiles, errorToScore01, quantileSorted } from '../../../functions/core/neural/calibration.ts';
import { ValidationError } from '../../../functions/core/errors.ts';
import { anomalousRows, auc, normalRows } from './synthetic.ts';

describe('autoencoder', () => {
  const train = normalRows(2000, 1);
  const heldOutNormal = normalRows(300, 77);
  const faults = anomalousRows(300, 5);
  let artefact: AutoencoderArtefact;
  let scorer: AutoencoderScorer;
  let trainMs = 0;

  beforeAll(async () => {
    const t0 = performance.now();
    artefact = await trainAutoencoder(train, { trainingWindow: { from: '2026-11-20T00:00:00.000Z', to: '2026-11-27T00:00:00.000Z' } });
    trainMs = performance.now() - t0;
    scorer = await loadAutoencoder(artefact);
  });
  afterAll(() => scorer?.dispose());

  it('trains 2k rows within the time budget', () => {
    expect(trainMs).toBeLessThan(5000);
    expect(artefact.training.epochs).toBeGreaterThan(0);
    expect(Number.isFinite(artefact.training.finalLoss)).toBe(true);
  });

  it('writes a plain-JSON, versioned artefact with topology, scaler, window and quantiles', () => {
    expect(artefact).toMatchObject({
      kind: 'fleetops.autoencoder',
      version: 1,
      features: ['cpu_usage', 'memory_usage', 'error_rate', 'latency_p95', 'request_rate'],
      topology: {
        inputDim: 5,
        layers: [
          { units: 8, activation: 'tanh' },
          { units: 3, activation: 'linear' },
          { units: 8, activation: 'tanh' },
          { units: 5, activation: 'linear' },
        ],
      },
      trainingWindow: { from: '2026-11-20T00:00:00.000Z', to: '2026-11-27T00:00:00.000Z', rows: 2000 },
    });
    expect(artefact.weights.map((w) => [w.kernel.length, w.kernel[0].length, w.bias.length])).toEqual([
      [5, 8, 8],
      [8, 3, 3],
      [3, 8, 8],
      [8, 5, 5],
    ]);
    expect(artefact.scaler.mean).toHaveLength(5);
    const q = artefact.errorQuantiles;
    expect(q.p50).toBeLessThanOrEqual(q.p95);
    expect(q.p95).toBeLessThanOrEqual(q.p99);
    expect(q.p99).toBeLessThanOrEqual(q.max);
    expect(JSON.parse(JSON.stringify(artefact))).toEqual(artefact);
  });

  it('scores injected faults above normal rows (AUC > 0.9)', () => {
    const normal = scorer.score(heldOutNormal);
    const bad = scorer.score(faults);
    expect(auc(bad, normal)).toBeGreaterThan(0.9);
    for (const s of [...normal, ...bad]) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    // calibrated: about 5 % of normal rows above 0.5
    expect(normal.filter((s) => s > 0.5).length / normal.length).toBeLessThan(0.15);
  });

  it('round-trips through JSON to identical scores', async () => {
    const copy = await loadAutoencoder(JSON.parse(JSON.stringify(artefact)) as AutoencoderArtefact);
    try {
      const rows = [...heldOutNormal.slice(0, 50), ...faults.slice(0, 50)];
      expect(copy.score(rows)).toEqual(scorer.score(rows));
      expect(copy.reconstructionErrors(rows)).toEqual(scorer.reconstructionErrors(rows));
    } finally {
      copy.dispose();
    }
  });

  it('does not leak tensors when scoring, and frees its weights on dispose', async () => {
    scorer.score(heldOutNormal.slice(0, 10));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) scorer.score(faults);
    expect(tf.memory().numTensors).toBe(before);
    const extra = await loadAutoencoder(artefact);
    expect(tf.memory().numTensors).toBe(before + 8);
    extra.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => extra.score(faults)).toThrow(/disposed/);
  });

  it('does not leak tensors when training', async () => {
    const before = tf.memory().numTensors;
    await trainAutoencoder(normalRows(100, 9), { epochs: 3 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is deterministic for a seed', async () => {
    const rows = normalRows(200, 3);
    const a = await trainAutoencoder(rows, { epochs: 5, seed: 11 });
    const b = await trainAutoencoder(rows, { epochs: 5, seed: 11 });
    const c = await trainAutoencoder(rows, { epochs: 5, seed: 12 });
    expect(b).toEqual(a);
    expect(c.weights).not.toEqual(a.weights);
  });

  it('scores an empty batch as []', () => {
    expect(scorer.score([])).toEqual([]);
  });

  it('rejects bad input with ValidationError', async () => {
    await expect(trainAutoencoder(normalRows(5))).rejects.toThrow(ValidationError);
    await expect(trainAutoencoder([[1, 2, 3]])).rejects.toThrow(/5 numbers/);
    await expect(trainAutoencoder([...normalRows(30), [1, 2, Number.NaN, 4, 5]])).rejects.toThrow(/non-finite/);
    expect(() => scorer.score([[1, 2]])).toThrow(ValidationError);
    await expect(loadAutoencoder({ ...artefact, version: 2 as 1 })).rejects.toThrow(/version/);
    await expect(loadAutoencoder({ ...artefact, weights: artefact.weights.slice(1) })).rejects.toThrow(/corrupt/);
  });
});

describe('reconstruction-error calibration', () => {
  const q = { p50: 1, p95: 2, p99: 4, max: 10 };

  it('maps quantiles to 0, 0.5, 0.8 and approaches 1 monotonically', () => {
    expect(errorToScore01(0.5, q)).toBe(0);
    expect(errorToScore01(1, q)).toBe(0);
    expect(errorToScore01(1.5, q)).toBeCloseTo(0.25, 12);
    expect(errorToScore01(2, q)).toBeCloseTo(0.5, 12);
    expect(errorToScore01(4, q)).toBeCloseTo(0.8, 12);
    expect(errorToScore01(1e9, q)).toBeCloseTo(1, 12);
    let prev = -1;
    for (let e = 0; e < 30; e += 0.1) {
      const s = errorToScore01(e, q);
      expect(s).toBeGreaterThanOrEqual(prev);
      prev = s;
    }
  });

  it('survives degenerate quantiles', () => {
    const flat = { p50: 1, p95: 1, p99: 1, max: 1 };
    expect(errorToScore01(1, flat)).toBe(0);
    expect(errorToScore01(2, flat)).toBeGreaterThan(0.8);
    expect(errorToScore01(2, flat)).toBeLessThanOrEqual(1);
  });

  it('quantiles interpolate like numpy', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(errorQuantiles([4, 1, 3, 2, 5])).toEqual({ p50: 3, p95: 4.8, p99: 4.96, max: 5 });
  });
});
