import { describe, expect, it } from 'vitest';
import { inferStepMs, resample, toRegularSeries, MAX_GRID_POINTS } from '../../../functions/core/forecast/series.ts';
import { gridSearch, minimizeBounded, nelderMead } from '../../../functions/core/forecast/optimize.ts';
import { initialState, intervalGrowth, predictHoltWinters, runHoltWinters } from '../../../functions/core/forecast/holt-winters.ts';

describe('series preparation', () => {
  it('infers the step as the median positive gap', () => {
    expect(inferStepMs([0, 60_000, 120_000, 300_000, 360_000, 360_000])).toBe(60_000);
    expect(inferStepMs([5, 5])).toBeNull();
  });

  it('interpolates gaps linearly and averages points in one cell', () => {
    const r = resample(
      [
        { ts: 0, value: 0 },
        { ts: 3000, value: 30 },
        { ts: 3100, value: 40 },
      ],
      1000,
    );
    expect(Array.from(r.values)).toEqual([0, 35 / 3, 70 / 3, 35]);
    expect(r.imputed).toBe(2);
    expect(r.observations).toBe(3);
  });

  it('coarsens an inferred step that would exceed the grid limit', () => {
    const pts = Array.from({ length: MAX_GRID_POINTS + 10 }, (_, i) => ({ ts: i * 1000, value: i }));
    const r = toRegularSeries(pts);
    expect(r.stepMs).toBe(2000);
    expect(r.values.length).toBeLessThanOrEqual(MAX_GRID_POINTS);
  });
});

describe('optimiser', () => {
  it('grid search returns the best candidate', () => {
    const r = gridSearch(
      ([a, b]) => (a - 2) ** 2 + (b + 1) ** 2,
      [
        [0, 1, 2, 3],
        [-2, -1, 0],
      ],
    );
    expect(r.x).toEqual([2, -1]);
    expect(r.evaluations).toBe(12);
  });

  it('Nelder-Mead finds a quadratic minimum', () => {
    const r = nelderMead(([a, b]) => (a - 0.3) ** 2 + 3 * (b - 1.7) ** 2, [0, 0], { maxEvaluations: 400, tolerance: 1e-12 });
    expect(r.x[0]).toBeCloseTo(0.3, 3);
    expect(r.x[1]).toBeCloseTo(1.7, 3);
  });

  it('minimizeBounded stays in bounds when the optimum lies outside', () => {
    const r = minimizeBounded(([a]) => (a - 5) ** 2, [{ lo: 0, hi: 1 }], [[0, 0.5, 1]]);
    expect(r.x[0]).toBeGreaterThanOrEqual(0);
    expect(r.x[0]).toBeLessThanOrEqual(1);
    expect(r.x[0]).toBeCloseTo(1, 3);
  });
});

describe('Holt-Winters recursions', () => {
  it('a noiseless seasonal series with zero smoothing has ~zero one-step error', () => {
    const y = Float64Array.from({ length: 48 }, (_, t) => 10 + 0.5 * t + [3, -1, -2, 0][t % 4]);
    const run = runHoltWinters(y, { alpha: 0, beta: 0, gamma: 0, delta: 0 }, initialState(y, 4, null));
    expect(run.sse).toBeLessThan(1e-9);
  });

  it('a damped trend adds (φ + … + φ^h)·b', () => {
    const state = { level: 10, trend: 1, s1: null, s2: null, next: 5 };
    expect(Array.from(predictHoltWinters(state, 3, 0.5))).toEqual([10.5, 10.75, 10.875]);
    expect(Array.from(predictHoltWinters(state, 2))).toEqual([11, 12]);
  });

  it('interval growth is sqrt(h) for a random walk', () => {
    const g = intervalGrowth({ alpha: 1, beta: 0, gamma: 0, delta: 0 }, null, null, 5);
    expect(Array.from(g)).toEqual([1, Math.SQRT2, Math.sqrt(3), 2, Math.sqrt(5)]);
  });
});

describe('step snapping', () => {
  it('snaps a jittered median to the usual step, else whole seconds', () => {
    expect(inferStepMs([0, 301_534, 600_000])).toBe(300_000);
    expect(inferStepMs([0, 14_700, 29_400])).toBe(15_000);
    expect(inferStepMs([0, 47_400, 94_800])).toBe(47_000);
    expect(inferStepMs([0, 3, 6])).toBe(3);
  });
});
