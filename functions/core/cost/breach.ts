/**
 * Predicted breaches: where a signal's forecast for the next hour crosses its limit (a container's
 * memory reaching its limit: the OOM kill to come). Forecasters are interchangeable per signal:
 * `trend` (least-squares line through the points since the last reset: a restart drops memory),
 * `holt-winters` (core/forecast, damped trend on short histories) and the LSTM (core/neural/lstm.ts,
 * once trained). bench/forecast-compare.bench.ts measures them against each other; the winner per
 * signal is the default here.
 */
import { forecast as holtWinters } from '../forecast/forecast.ts';

export interface Point {
  t: number; // epoch ms
  v: number;
}

export type Forecaster = (points: readonly Point[], horizonMs: number, stepMs: number) => Point[];

/** The points since the last reset (a drop of more than `drop` of the previous value: a restart). */
export function sinceLastReset(points: readonly Point[], drop = 0.3): Point[] {
  let start = 0;
  for (let i = 1; i < points.length; i++) if (points[i]!.v < points[i - 1]!.v * (1 - drop)) start = i;
  return points.slice(start);
}

/** The share of variance a trend line must explain before it is extrapolated. */
export const MIN_R2 = 0.8;

/** Least-squares line through the points since the last reset, extrapolated. */
export const trendForecaster: Forecaster = (all, horizonMs, stepMs) => {
  const points = sinceLastReset(all);
  if (points.length < 3) return [];
  const n = points.length;
  const t0 = points[0]!.t;
  const mx = points.reduce((s, p) => s + (p.t - t0), 0) / n;
  const my = points.reduce((s, p) => s + p.v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const p of points) {
    sxy += (p.t - t0 - mx) * (p.v - my);
    sxx += (p.t - t0 - mx) ** 2;
    syy += (p.v - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  // Noise around a level is not a trend: the line must explain most of the variance.
  if (!(syy > 0) || (sxy * sxy) / (sxx * syy) < MIN_R2) return [];
  const last = points[n - 1]!.t;
  const out: Point[] = [];
  for (let t = last + stepMs; t <= last + horizonMs; t += stepMs) out.push({ t, v: my + slope * (t - t0 - mx) });
  return out;
};

/** The existing Holt-Winters forecast on the points since the last reset. */
export const holtWintersForecaster: Forecaster = (all, horizonMs, stepMs) => {
  const points = sinceLastReset(all);
  if (points.length < 4) return [];
  try {
    const r = holtWinters(
      points.map((p) => ({ ts: p.t, value: p.v })),
      { horizonHours: horizonMs / 3_600_000, stepMs },
    );
    return r.predictions.map((p) => ({ t: Date.parse(p.ts), v: p.yhat }));
  } catch {
    return [];
  }
};

/**
 * Memory's forecaster, from bench/forecast-compare.bench.ts: Holt-Winters had the lowest MAE and warned
 * of every OOM kill on 1-minute histories of hours, but its damped trend (τ = half the span) cannot
 * reach a limit from a few minutes of points; the trend line can. So: Holt-Winters once `minSpanMs`
 * of points since the last reset exist, the trend line before.
 */
export function memoryForecaster(minSpanMs = 2 * 3_600_000): Forecaster {
  return (all, horizonMs, stepMs) => {
    const points = sinceLastReset(all);
    const span = points.length ? points[points.length - 1]!.t - points[0]!.t : 0;
    return span >= minSpanMs ? holtWintersForecaster(all, horizonMs, stepMs) : trendForecaster(all, horizonMs, stepMs);
  };
}

/** When the forecast first reaches `limit` (linear between steps), or undefined within the horizon. */
export function crossingTime(predictions: readonly Point[], limit: number, last?: Point): number | undefined {
  let prev = last;
  for (const p of predictions) {
    if (p.v >= limit) {
      if (!prev || prev.v >= limit || p.v === prev.v) return p.t;
      return prev.t + ((limit - prev.v) / (p.v - prev.v)) * (p.t - prev.t);
    }
    prev = p;
  }
  return undefined;
}

export interface BreachInput {
  points: readonly Point[];
  limit: number;
  horizonMs: number;
  stepMs: number;
  forecaster?: Forecaster;
  /** A breach needs at least this many points since the last reset (noise is not a trend). */
  minPoints?: number;
}

/** The predicted time of the breach (epoch ms), or undefined when the forecast stays under the limit. */
export function predictBreach(input: BreachInput): number | undefined {
  const points = sinceLastReset(input.points);
  if (points.length < (input.minPoints ?? 4)) return undefined;
  const last = points[points.length - 1]!;
  if (last.v >= input.limit) return last.t;
  // No further ahead than a few times the history behind it: a one-minute ramp says nothing about the next hour.
  const reach = Math.min(input.horizonMs, EXTRAPOLATION_SPANS * (last.t - points[0]!.t));
  if (reach < input.stepMs) return undefined;
  const f = (input.forecaster ?? trendForecaster)(input.points, reach, input.stepMs);
  return crossingTime(f, input.limit, last);
}

/** How many times the span of its history a forecast may reach ahead. */
export const EXTRAPOLATION_SPANS = 4;
