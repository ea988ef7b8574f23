import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeLabelledData, rocAuc, writeMatrixCsv } from '../../../bench/support/synth.ts';

const bin = join(import.meta.dirname, '../../../bin/fleetops.js');
const dir = mkdtempSync(join(tmpdir(), 'fleetops-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fleetops(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

describe('fleetops detect', () => {
  it('writes timestamp,value,anomaly_score for every row, causally, scores in [0,1]', () => {
    const n = 1200;
    const lines = ['timestamp,value'];
    for (let i = 0; i < n; i++) {
      const v = i === 1000 ? 500 : 100 + 10 * Math.sin(i / 10) + (i % 7) * 0.3;
      lines.push(`2026-01-01 ${String(Math.floor(i / 60) % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00,${v.toFixed(2)}`);
    }
    const input = join(dir, 'in.csv');
    const output = join(dir, 'out.csv');
    writeFileSync(input, lines.join('\r\n') + '\r\n');
    const r = fleetops('detect', '--input', input, '--output', output);
    expect(r.status, r.stderr).toBe(0);
    const out = readFileSync(output, 'utf8').trim().split('\n');
    expect(out[0]).toBe('timestamp,value,anomaly_score');
    expect(out).toHaveLength(n + 1);
    const rows = out.slice(1).map((l) => l.split(','));
    rows.forEach((row, i) => {
      const [ts, v] = lines[i + 1].split(',');
      expect(row[0]).toBe(ts);
      expect(row[1]).toBe(v);
      const s = Number(row[2]);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    });
    const scores = rows.map((row) => Number(row[2]));
    expect(scores[1000]).toBe(Math.max(...scores));
    expect(scores[1000]).toBeGreaterThan(0.8);

    // causality through the CLI: a truncated input gives the same leading scores
    const shortIn = join(dir, 'short.csv');
    writeFileSync(shortIn, lines.slice(0, 1001).join('\n') + '\n');
    const r2 = fleetops('detect', '--input', shortIn, '--output', join(dir, 'short-out.csv'));
    expect(r2.status, r2.stderr).toBe(0);
    const shortScores = readFileSync(join(dir, 'short-out.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[2]));
    expect(shortScores).toEqual(scores.slice(0, 1000));
  });

  it('fails clearly on a missing file, a bad number, a missing column or a missing flag', () => {
    let r = fleetops('detect', '--input', join(dir, 'nope.csv'), '--output', join(dir, 'x.csv'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/nope\.csv: file not found/);

    writeFileSync(join(dir, 'bad.csv'), 'timestamp,value\n2026-01-01,1\n2026-01-02,oops\n');
    r = fleetops('detect', '--input', join(dir, 'bad.csv'), '--output', join(dir, 'x.csv'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/row 2.*not a number: "oops"/);

    writeFileSync(join(dir, 'nocol.csv'), 'time,value\n1,2\n');
    r = fleetops('detect', '--input', join(dir, 'nocol.csv'), '--output', join(dir, 'x.csv'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/missing column "timestamp"/);

    r = fleetops('detect', '--input', join(dir, 'bad.csv'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--output is required/);
  });
});

describe('fleetops iforest', () => {
  const train = makeLabelledData(3000, 5, 0.03, 21);
  const score = makeLabelledData(5000, 5, 0.03, 22);
  const trainPath = join(dir, 'train.csv');
  const scorePath = join(dir, 'score.csv');
  writeMatrixCsv(trainPath, train);
  writeMatrixCsv(scorePath, score);

  it('writes one sklearn-convention score per SCORE row, deterministic per seed', () => {
    const out = join(dir, 'scores.csv');
    const r = fleetops('iforest', '--train', trainPath, '--score', scorePath, '--output', out, '--trees', '50', '--sample', '128', '--seed', '3');
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('score');
    expect(lines).toHaveLength(score.rows + 1);
    const s = lines.slice(1).map(Number);
    for (const v of s) {
      expect(v).toBeLessThan(0);
      expect(v).toBeGreaterThanOrEqual(-1);
    }
    expect(
      rocAuc(
        s.map((v) => -v),
        score.labels,
      ),
    ).toBeGreaterThan(0.9);
    const out2 = join(dir, 'scores2.csv');
    fleetops('iforest', '--train', trainPath, '--score', scorePath, '--output', out2, '--trees', '50', '--sample', '128', '--seed', '3');
    expect(readFileSync(out2, 'utf8')).toBe(readFileSync(out, 'utf8'));
  });

  it('accepts SCORE columns in another order', () => {
    writeFileSync(join(dir, 't.csv'), 'a,b\n1,10\n2,20\n3,30\n4,40\n');
    writeFileSync(join(dir, 's1.csv'), 'a,b\n2,20\n');
    writeFileSync(join(dir, 's2.csv'), 'b,a\n20,2\n');
    const run = (s: string) => {
      const o = join(dir, `o-${s}`);
      expect(fleetops('iforest', '--train', join(dir, 't.csv'), '--score', join(dir, s), '--output', o).status).toBe(0);
      return readFileSync(o, 'utf8');
    };
    expect(run('s2.csv')).toBe(run('s1.csv'));
  });

  it('fails clearly on missing files, mismatched columns, bad numbers and bad flags', () => {
    let r = fleetops('iforest', '--train', join(dir, 'none.csv'), '--score', scorePath, '--output', join(dir, 'x.csv'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/none\.csv: file not found/);

    writeFileSync(join(dir, 'other.csv'), 'x,y\n1,2\n');
    r = fleetops('iforest', '--train', trainPath, '--score', join(dir, 'other.csv'), '--output', join(dir, 'x.csv'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/missing column "f0"/);

    writeFileSync(join(dir, 'badnum.csv'), 'f0,f1,f2,f3,f4\n1,2,3,4,5\n1,2,x3,4,5\n');
    r = fleetops('iforest', '--train', join(dir, 'badnum.csv'), '--score', scorePath, '--output', join(dir, 'x.csv'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/line 3, column "f2": not a number/);

    writeFileSync(join(dir, 'short.csv'), 'f0,f1,f2,f3,f4\n1,2,3,4\n');
    r = fleetops('iforest', '--train', join(dir, 'short.csv'), '--score', scorePath, '--output', join(dir, 'x.csv'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/expected 5 fields/);

    r = fleetops('iforest', '--train', trainPath, '--score', scorePath, '--output', join(dir, 'x.csv'), '--trees', 'many');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--trees must be an integer/);
  });
});
