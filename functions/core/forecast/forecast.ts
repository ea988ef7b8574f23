/**
 * `forecast(series, options)`: fits additive Holt-Winters to a metric history and predicts the
 * next `horizonHours` with prediction intervals.
 *
 * Model choice, by how much history there is (n grid points at step Δ; m = 1 day / Δ, M = 1 week / Δ):
 * - n ≥ 2M and n ≥ 2m (m ≥ 2): double-seasonal (daily + weekly, Taylor 2003), parameters α β γ δ;
 * - n ≥ 2m: triple exponential smoothing with the daily season (α β γ);
 *   (or the weekly season alone when the step is a day or more and n ≥ 2M);
 * - n ≥ 4: Holt's trend (α β), damped: φ = exp(−Δ / τ) with τ = min(span / 2, 6 h), so a slope
 *   read off part of an unseen daily cycle adds at most ≈ τ/Δ·b to the forecast instead of h·b
 *   (undamped, 24 h of a half-seen sine extrapolates to nonsense);
 * - otherwise (2–3 grid points): flat, the last value (a random walk).
 * Parameters minimise the in-sample one-step-ahead SSE: coarse grid, then Nelder-Mead within bounds
 * (β ≤ 0.3 so a noisy slope is not extrapolated across a whole horizon).
 *
 * Intervals: yhat ± z·σ·g(h), σ² = SSE / (n − smoothing parameters − initial-state values), g(h) the analytic
 * h-step growth of the fitted model (see `intervalGrowth`; g(h) = sqrt(h) for the flat model).
 * Default level 95 % (z = 1.96); 80 % (z = 1.2816) on request.
 */
import { ValidationError } from '../errors.ts';
import { DAY_MS, HOUR_MS, WEEK_MS, toRegularSeries } from './series.ts';
import type { SeriesPoint } from './series.ts';
import { initialState, initialStateSize, intervalGrowth, predictHoltWinters, runHoltWinters } from './holt-winters.ts';
import type { HoltWintersParams, HoltWintersState } from './holt-winters.ts';
import { minimizeBounded } from './optimize.ts';
import type { Bounds } from './optimize.ts';

export type IntervalLevel = 0.8 | 0.95;
export type ForecastMethod = 'double-seasonal' | 'seasonal' | 'trend' | 'flat';

export interface ForecastOptions {
  /** How far ahead, in hours (> 0, at most 744 = 31 days). */
  horizonHours: number;
  /** Grid step in ms for fitting and for the predictions. Default: inferred (median sampling gap). */
  stepMs?: number;
  /** Nominal coverage of [yhat_lower, yhat_upper]. Default 0.95. */
  intervalLevel?: IntervalLevel;
  /** Clamp yhat and both bounds at this floor, e.g. 0 for a metric that cannot go negative. */
  floor?: number;
}

export interface ForecastPrediction {
  /** ISO-8601 UTC. */
  ts: string;
  yhat: number;
  yhat_lower: number;
  yhat_upper: number;
}

export interface ForecastModel {
  method: ForecastMethod;
  alpha: number;
  beta: number;
  /** Daily (or the only) season's smoothing; null without a season. */
  gamma: number | null;
  /** Weekly season's smoothing; null unless double-seasonal. */
  delta: number | null;
  /** Trend damping per step; 1 = undamped (seasonal models), < 1 for the trend-only fallback. */
  phi: number;
  /** Season lengths in steps, shortest first ([] without a season). */
  seasonalPeriods: number[];
  stepMs: number;
  /** In-sample one-step-ahead sum of squared errors at the chosen parameters. */
  sse: number;
  /** Residual standard deviation behind the intervals. */
  sigma: number;
  intervalLevel: IntervalLevel;
  z: number;
  /** Grid points fitted on; `imputed` of them were interpolated. */
  points: number;
  imputed: number;
  trainedFrom: string;
  trainedTo: string;
  /** SSE evaluations the parameter search used. */
  evaluations: number;
}

export interface ForecastResult {
  predictions: ForecastPrediction[];
  model: ForecastModel;
}

export const MAX_HORIZON_HOURS = 744;
const Z: Record<IntervalLevel, number> = { 0.8: 1.2815515655446004, 0.95: 1.959963984540054 };

const GRID = {
  alpha: [0.05, 0.15, 0.3, 0.5, 0.8],
  beta: [0, 0.01, 0.05, 0.15],
  season: [0.05, 0.15, 0.3, 0.5],
};
const BOUNDS: Record<'alpha' | 'beta' | 'season', Bounds> = {
  alpha: { lo: 0, hi: 1 },
  beta: { lo: 0, hi: 0.3 },
  season: { lo: 0, hi: 1 },
};

interface Plan {
  method: ForecastMethod;
  m1: number | null;
  m2: number | null;
}

/** Trend damping for the trend-only fallback (see the module comment); 1 for seasonal models. */
export function trendDamping(method: ForecastMethod, points: number, stepMs: number): number {
  if (method !== 'trend') return 1;
  const tau = Math.min(((points - 1) * stepMs) / 2, 6 * HOUR_MS);
  return Math.exp(-stepMs / Math.max(tau, stepMs));
}

/** Which model the history supports (see the module comment). */
export function planModel(points: number, stepMs: number): Plan {
  const daily = Math.round(DAY_MS / stepMs);
  const weekly = Math.round(WEEK_MS / stepMs);
  const dailyOk = daily >= 2 && points >= 2 * daily;
  const weeklyOk = weekly >= 2 && points >= 2 * weekly;
  if (dailyOk && weeklyOk && weekly > daily) return { method: 'double-seasonal', m1: daily, m2: weekly };
  if (dailyOk) return { method: 'seasonal', m1: daily, m2: null };
  if (weeklyOk) return { method: 'seasonal', m1: weekly, m2: null };
  if (points >= 4) return { method: 'trend', m1: null, m2: null };
  return { method: 'flat', m1: null, m2: null };
}

function validateOptions(options: ForecastOptions): { horizonHours: number; level: IntervalLevel } {
  if (options === null || typeof options !== 'object') throw new ValidationError('forecast options are required');
  const { horizonHours, stepMs, intervalLevel, floor } = options;
  if (typeof horizonHours !== 'number' || !Number.isFinite(horizonHours) || horizonHours <= 0 || horizonHours > MAX_HORIZON_HOURS) {
    throw new ValidationError(`horizonHours must be a number in (0, ${MAX_HORIZON_HOURS}]`);
  }
  if (stepMs !== undefined && (typeof stepMs !== 'number' || !Number.isFinite(stepMs) || stepMs < 1)) {
    throw new ValidationError('stepMs must be a positive number of milliseconds');
  }
  const level = intervalLevel ?? 0.95;
  if (level !== 0.8 && level !== 0.95) throw new ValidationError('intervalLevel must be 0.8 or 0.95');
  if (floor !== undefined && !Number.isFinite(floor)) throw new ValidationError('floor must be a finite number');
  return { horizonHours, level };
}

interface Fitted {
  params: HoltWintersParams;
  state: HoltWintersState;
  sse: number;
  nParams: number;
  evaluations: number;
  yhat: Float64Array;
  growth: Float64Array;
}

function fitHoltWinters(y: Float64Array, plan: Plan, horizon: number, stepMs: number): Fitted {
  const init = initialState(y, plan.m1, plan.m2);
  const seasons = (plan.m1 !== null ? 1 : 0) + (plan.m2 !== null ? 1 : 0);
  const phi = trendDamping(plan.method, y.length, stepMs);
  const toParams = (x: number[]): HoltWintersParams => ({ alpha: x[0], beta: x[1], gamma: seasons >= 1 ? x[2] : 0, delta: seasons >= 2 ? x[3] : 0, phi });
  const bounds = [BOUNDS.alpha, BOUNDS.beta, ...new Array<Bounds>(seasons).fill(BOUNDS.season)];
  const grid = [GRID.alpha, GRID.beta, ...new Array<number[]>(seasons).fill(GRID.season)];
  const objective = (x: number[]): number => runHoltWinters(y, toParams(x), init).sse;
  const best = minimizeBounded(objective, bounds, grid, { maxEvaluations: 60 * bounds.length, tolerance: 1e-6 });
  const params = toParams(best.x);
  const run = runHoltWinters(y, params, init);
  return {
    params,
    state: run.state,
    sse: run.sse,
    nParams: bounds.length + initialStateSize(plan.m1, plan.m2),
    evaluations: best.evaluations,
    yhat: predictHoltWinters(run.state, horizon, phi),
    growth: intervalGrowth(params, plan.m1, plan.m2, horizon),
  };
}

function fitFlat(y: Float64Array, horizon: number): Fitted {
  let sse = 0;
  for (let t = 1; t < y.length; t++) sse += (y[t] - y[t - 1]) ** 2;
  const last = y[y.length - 1];
  const growth = new Float64Array(horizon);
  for (let h = 1; h <= horizon; h++) growth[h - 1] = Math.sqrt(h);
  return {
    params: { alpha: 1, beta: 0, gamma: 0, delta: 0, phi: 1 },
    state: { level: last, trend: 0, s1: null, s2: null, next: y.length },
    sse,
    nParams: 1,
    evaluations: 0,
    yhat: new Float64Array(horizon).fill(last),
    growth,
  };
}

/**
 * Fits the history and predicts `horizonHours` ahead at the grid step. Throws ValidationError for
 * fewer than 2 points, non-finite values or bad options; never for ≥ 2 valid points.
 */
export function forecast(series: readonly SeriesPoint[], options: ForecastOptions): ForecastResult {
  const { horizonHours, level } = validateOptions(options);
  const grid = toRegularSeries(series, options.stepMs);
  const { values: y, stepMs, start } = grid;
  const n = y.length;
  const horizon = Math.max(1, Math.ceil((horizonHours * HOUR_MS) / stepMs));
  if (horizon > 100_000) throw new ValidationError(`horizon of ${horizon} steps is too long for step ${stepMs} ms`);
  const plan = planModel(n, stepMs);
  const fit = plan.method === 'flat' ? fitFlat(y, horizon) : fitHoltWinters(y, plan, horizon, stepMs);
  const residualDof = plan.method === 'flat' ? n - 1 : n - fit.nParams;
  const sigma = Math.sqrt(fit.sse / Math.max(1, residualDof));
  const z = Z[level];
  const floor = options.floor;
  const clamp = (v: number): number => (floor !== undefined && v < floor ? floor : v);
  const lastTs = start + (n - 1) * stepMs;
  const predictions: ForecastPrediction[] = new Array(horizon);
  for (let h = 1; h <= horizon; h++) {
    const yhat = fit.yhat[h - 1];
    const half = z * sigma * fit.growth[h - 1];
    predictions[h - 1] = {
      ts: new Date(lastTs + h * stepMs).toISOString(),
      yhat: clamp(yhat),
      yhat_lower: clamp(yhat - half),
      yhat_upper: clamp(yhat + half),
    };
  }
  const seasonalPeriods = [plan.m1, plan.m2].filter((m): m is number => m !== null);
  return {
    predictions,
    model: {
      method: plan.method,
      alpha: fit.params.alpha,
      beta: fit.params.beta,
      gamma: seasonalPeriods.length >= 1 ? fit.params.gamma : null,
      delta: seasonalPeriods.length >= 2 ? fit.params.delta : null,
      phi: fit.params.phi ?? 1,
      seasonalPeriods,
      stepMs,
      sse: fit.sse,
      sigma,
      intervalLevel: level,
      z,
      points: n,
      imputed: grid.imputed,
      trainedFrom: new Date(start).toISOString(),
      trainedTo: new Date(lastTs).toISOString(),
      evaluations: fit.evaluations,
    },
  };
}
