import { describe, expect, it } from 'vitest';
import { forwardLstm, loadLstm, predictWithTfjs, trainLstm } from '../../../functions/core/neural/lstm.ts';

describe('LSTM forecaster (lookback 24, 2 × 64)', () => {
  it('trains within its budget, serialises to JSON, and the plain forward pass matches tfjs', async () => {
    const series = Array.from({ length: 80 }, (_, i) => 100 + 0.5 * i + 3 * Math.sin(i / 4));
    const artefact = await trainLstm(series, { epochs: 2, maxTrainingMs: 5_000, signal: 'memory' });
    expect(artefact).toMatchObject({ kind: 'fleetops.lstm', version: 1, lookback: 24, layers: 2, hidden: 64, signal: 'memory' });
    expect(artefact.weights.map((w) => w.shape)).toEqual([[1, 256], [64, 256], [256], [64, 256], [64, 256], [256], [64, 1], [1]]);
    const copy = JSON.parse(JSON.stringify(artefact));
    const window = Array.from({ length: 24 }, (_, i) => Math.sin(i / 3));
    expect(forwardLstm(copy)(window)).toBeCloseTo(await predictWithTfjs(copy, window), 4);
    const f = await loadLstm(copy);
    const out = f.forecast(series, 12);
    expect(out).toHaveLength(12);
    expect(out.every(Number.isFinite)).toBe(true);
  }, 120_000);

  it('refuses too short a history', async () => {
    await expect(trainLstm([1, 2, 3])).rejects.toThrow(/at least 32 points/);
  });
});
