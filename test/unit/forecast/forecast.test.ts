import { describe, expect, it } from 'vitest';
import { forecast, planModel } from '../../../functions/core/forecast/forecast.ts';
import { ValidationError } from '../../../functions/core/errors.ts';
import type { ForecastPrediction } from '../../../functions/core/forecast/forecast.ts';
import type { SeriesPoint } from '../../../functions/core/forecast/series.ts';
import { Rng } from '../../../functions/core/anomaly/random.ts';
import { seasonalSeries } from './synthetic.ts';

const FIVE_MIN = 300_000;
const HOUR = 3_600_000;

function holdoutStats(predictions: ForecastPrediction[], holdout: SeriesPoint[]) {
  let ape = 0;
  let covered = 0;
  for (let i = 0; i < holdout.length; i++) {
    const p = predictions[i];
    const y = holdout[i].value;
    ape += Math.abs(p.yhat - y) / Math.abs(y);
    if (y >= p.yhat_lower && y <= p.yhat_upper) covered++;
  }
  return { mape: ape / holdout.length, coverage: covered / holdout.length };
}

const signal = { base: 50, trendPerDay: 1, dailyAmplitude: 20, weekendDrop: 10, noise: 2 };

describe('forecast on a seasonal + trend signal', () => {
  const all = seasonalSeries({ days: 16, stepMs: FIVE_MIN, ...signal });
  const history = all.slice(0, -288);
  const holdout = all.slice(-288);
  const result = forecast(history, { horizonHours: 24 });

  it('uses the double-seasonal model with daily and weekly periods when two weeks exist', () => {
    expect(result.model.method).toBe('double-seasonal');
    expect(result.model.seasonalPeriods).toEqual([288, 2016]);
    expect(result.model.stepMs).toBe(FIVE_MIN);
    for (const k of ['alpha', 'beta', 'gamma', 'delta'] as const) {
      expect(result.model[k]).toBeGreaterThanOrEqual(0);
      expect(result.model[k]).toBeLessThanOrEqual(1);
    }
    expect(result.model.sse).toBeGreaterThan(0);
    expect(result.model.phi).toBe(1);
  });

  it('recovers the holdout day within 5 % MAPE', () => {
    expect(result.predictions).toHaveLength(288);
    expect(holdoutStats(result.predictions, holdout).mape).toBeLessThan(0.05);
  });

  it('95 % intervals cover roughly 95 % of holdout points', () => {
    const { coverage } = holdoutStats(result.predictions, holdout);
    expect(coverage).toBeGreaterThanOrEqual(0.85);
  });

  it('80 % intervals are narrower and cover roughly 80 %', () => {
    const r80 = forecast(history, { horizonHours: 24, intervalLevel: 0.8 });
    const { coverage } = holdoutStats(r80.predictions, holdout);
    expect(coverage).toBeGreaterThanOrEqual(0.65);
    expect(coverage).toBeLessThanOrEqual(1);
    const w80 = r80.predictions[10].yhat_upper - r80.predictions[10].yhat_lower;
    const w95 = result.predictions[10].yhat_upper - result.predictions[10].yhat_lower;
    expect(w80).toBeLessThan(w95);
    expect(w80 / w95).toBeCloseTo(1.2816 / 1.96, 3);
  });

  it('predicts at ISO timestamps one step apart, starting one step after the history', () => {
    const last = history[history.length - 1].ts;
    expect(result.predictions[0].ts).toBe(new Date(last + FIVE_MIN).toISOString());
    expect(Date.parse(result.predictions[287].ts) - Date.parse(result.predictions[0].ts)).toBe(287 * FIVE_MIN);
    for (const p of result.predictions) expect(p.yhat_lower).toBeLessThanOrEqual(p.yhat_upper);
  });

  it('interval width does not shrink with the horizon', () => {
    const widths = result.predictions.map((p) => p.yhat_upper - p.yhat_lower);
    for (let i = 1; i < widths.length; i++) expect(widths[i]).toBeGreaterThanOrEqual(widths[i - 1] - 1e-9);
  });
});

describe('forecast with less history', () => {
  it('uses the daily season alone with under two weeks (and still tracks the signal)', () => {
    const all = seasonalSeries({ days: 4, stepMs: FIVE_MIN, ...signal, weekendDrop: 0 });
    const r = forecast(all.slice(0, -288), { horizonHours: 24 });
    expect(r.model.method).toBe('seasonal');
    expect(r.model.seasonalPeriods).toEqual([288]);
    expect(r.model.delta).toBeNull();
    expect(holdoutStats(r.predictions, all.slice(-288)).mape).toBeLessThan(0.06);
  });

  it('falls back to a damped Holt trend under two days: continues a line, then levels off', () => {
    const line = Array.from({ length: 50 }, (_, i) => ({ ts: i * FIVE_MIN, value: 10 + 2 * i }));
    const r = forecast(line, { horizonHours: 24 });
    expect(r.model.method).toBe('trend');
    expect(r.model.gamma).toBeNull();
    // τ = half the 245-minute span → φ = exp(−5 / 122.5)
    expect(r.model.phi).toBeCloseTo(Math.exp(-5 / 122.5), 12);
    expect(r.predictions).toHaveLength(288);
    expect(r.predictions[0].yhat).toBeCloseTo(110, 0);
    const y = r.predictions.map((p) => p.yhat);
    for (let h = 1; h < y.length; h++) expect(y[h]).toBeGreaterThanOrEqual(y[h - 1]);
    // bounded by the damped sum b·φ/(1 − φ), far below the undamped 108 + 2·288
    expect(y.at(-1)!).toBeLessThan(108 + (2 * r.model.phi) / (1 - r.model.phi) + 5);
  });

  it('keeps a half-seen daily cycle from extrapolating into nonsense', () => {
    const all = seasonalSeries({ days: 1, stepMs: FIVE_MIN, ...signal, weekendDrop: 0 });
    for (const hours of [6, 12, 20]) {
      const r = forecast(all.slice(0, hours * 12), { horizonHours: 24 });
      expect(r.model.method).toBe('trend');
      for (const p of r.predictions) expect(Math.abs(p.yhat - 50)).toBeLessThan(60);
    }
  });

  it('never throws on 2 or 3 points: flat at the last value, random-walk intervals', () => {
    const two = forecast(
      [
        { ts: 0, value: 5 },
        { ts: 60_000, value: 7 },
      ],
      { horizonHours: 0.1 },
    );
    expect(two.model.method).toBe('flat');
    expect(two.model.stepMs).toBe(60_000);
    expect(two.predictions).toHaveLength(6);
    expect(two.predictions.every((p) => p.yhat === 7)).toBe(true);
    const w = two.predictions.map((p) => p.yhat_upper - p.yhat_lower);
    expect(w[3] / w[0]).toBeCloseTo(2, 6); // sqrt(4) / sqrt(1)
    const three = forecast(
      [
        { ts: 0, value: 1 },
        { ts: HOUR, value: 2 },
        { ts: 2 * HOUR, value: 2 },
      ],
      { horizonHours: 3 },
    );
    expect(three.predictions).toHaveLength(3);
  });

  it('handles two points at the same timestamp (one grid cell) without throwing', () => {
    const r = forecast(
      [
        { ts: 1000, value: 4 },
        { ts: 1000, value: 6 },
      ],
      { horizonHours: 1 },
    );
    expect(r.model.method).toBe('flat');
    expect(r.predictions[0].yhat).toBe(5);
    expect(r.predictions[0].yhat_upper).toBe(5);
  });

  it('a constant series gives zero-width intervals', () => {
    const flat = Array.from({ length: 30 }, (_, i) => ({ ts: i * FIVE_MIN, value: 3 }));
    const r = forecast(flat, { horizonHours: 1 });
    for (const p of r.predictions) {
      expect(p.yhat).toBeCloseTo(3, 9);
      expect(p.yhat_upper - p.yhat_lower).toBeCloseTo(0, 9);
    }
  });

  it('planModel picks by history length and step', () => {
    expect(planModel(4032, FIVE_MIN)).toEqual({ method: 'double-seasonal', m1: 288, m2: 2016 });
    expect(planModel(4031, FIVE_MIN)).toEqual({ method: 'seasonal', m1: 288, m2: null });
    expect(planModel(575, FIVE_MIN).method).toBe('trend');
    expect(planModel(3, FIVE_MIN).method).toBe('flat');
    expect(planModel(14, 86_400_000)).toEqual({ method: 'seasonal', m1: 7, m2: null }); // daily data: weekly season only
  });
});

describe('forecast input handling', () => {
  it('infers the step through jitter and gaps, interpolating missing cells', () => {
    const all = seasonalSeries({ days: 5, stepMs: FIVE_MIN, ...signal, weekendDrop: 0 });
    const rng = new Rng(3);
    const history = all
      .slice(0, -288)
      .filter((_, i) => i === 0 || rng.nextFloat() > 0.1)
      .map((p, i) => ({ ts: i === 0 ? p.ts : p.ts + Math.round((rng.nextFloat() - 0.5) * 40_000), value: p.value }));
    const shuffled = [...history].reverse();
    const r = forecast(shuffled, { horizonHours: 24 });
    expect(r.model.stepMs).toBe(FIVE_MIN);
    expect(r.model.imputed).toBeGreaterThan(0);
    expect(r.model.method).toBe('seasonal');
    expect(holdoutStats(r.predictions, all.slice(-288)).mape).toBeLessThan(0.06);
  });

  it('resamples to a requested stepMs (coarser: bucket means)', () => {
    const all = seasonalSeries({ days: 3, stepMs: FIVE_MIN, ...signal });
    const r = forecast(all, { horizonHours: 24, stepMs: 15 * 60_000 });
    expect(r.model.stepMs).toBe(900_000);
    expect(r.model.seasonalPeriods).toEqual([96]);
    expect(r.predictions).toHaveLength(96);
  });

  it('clamps at the floor when asked', () => {
    const falling = Array.from({ length: 20 }, (_, i) => ({ ts: i * HOUR, value: 20 - i }));
    const r = forecast(falling, { horizonHours: 24, floor: 0 });
    expect(Math.min(...r.predictions.map((p) => p.yhat_lower))).toBe(0);
    expect(r.predictions.at(-1)!.yhat).toBe(0);
  });

  it('rejects 0 or 1 points and bad values with ValidationError', () => {
    expect(() => forecast([], { horizonHours: 1 })).toThrow(ValidationError);
    expect(() => forecast([{ ts: 0, value: 1 }], { horizonHours: 1 })).toThrow(/at least 2 points/);
    expect(() =>
      forecast(
        [
          { ts: 0, value: 1 },
          { ts: 1, value: Number.NaN },
        ],
        { horizonHours: 1 },
      ),
    ).toThrow(ValidationError);
    expect(() =>
      forecast(
        [
          { ts: 0, value: 1 },
          { ts: Number.POSITIVE_INFINITY, value: 1 },
        ],
        { horizonHours: 1 },
      ),
    ).toThrow(ValidationError);
  });

  it('rejects bad options with ValidationError', () => {
    const s = [
      { ts: 0, value: 1 },
      { ts: 60_000, value: 2 },
    ];
    expect(() => forecast(s, { horizonHours: 0 })).toThrow(ValidationError);
    expect(() => forecast(s, { horizonHours: 10_000 })).toThrow(ValidationError);
    expect(() => forecast(s, { horizonHours: 1, stepMs: -5 })).toThrow(ValidationError);
    expect(() => forecast(s, { horizonHours: 1, intervalLevel: 0.9 as 0.8 })).toThrow(ValidationError);
  });

  it('is deterministic', () => {
    const s = seasonalSeries({ days: 3, stepMs: FIVE_MIN, ...signal });
    expect(forecast(s, { horizonHours: 6 })).toEqual(forecast(s, { horizonHours: 6 }));
  });
});
