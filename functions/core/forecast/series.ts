/**
 * Time-series preparation for the forecaster: validation, step inference and resampling onto a
 * regular grid. Pure functions, no I/O.
 */
import { ValidationError } from '../errors.ts';

/** One observation: `ts` in epoch milliseconds. */
export interface SeriesPoint {
  ts: number;
  value: number;
}

export interface RegularSeries {
  /** Epoch ms of values[0]. */
  start: number;
  stepMs: number;
  values: Float64Array;
  /** Grid cells that had no observation and were filled by linear interpolation. */
  imputed: number;
  /** Distinct observations that went in (after validation). */
  observations: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/** Largest grid the forecaster fits on; a finer inferred step is coarsened to stay under it. */
export const MAX_GRID_POINTS = 20_000;

/** Throws ValidationError unless every point has a finite `ts` and `value` and there are at least 2. */
export function validateSeries(series: readonly SeriesPoint[]): void {
  if (!Array.isArray(series)) throw new ValidationError('series must be an array of {ts, value}');
  if (series.length < 2) {
    throw new ValidationError(`a forecast needs at least 2 points, got ${series.length}`, undefined, 'INSUFFICIENT_DATA');
  }
  for (let i = 0; i < series.length; i++) {
    const p = series[i];
    if (p === null || typeof p !== 'object' || !Number.isFinite(p.ts) || !Number.isFinite(p.value)) {
      throw new ValidationError(`series[${i}] must have a finite numeric ts (epoch ms) and value`);
    }
  }
}

/**
 * The sampling step: the median gap between distinct, sorted timestamps (robust to a few gaps and
 * jittered scrapes), snapped to a usual step (NICE_STEPS_MS) within 10 %, else to whole seconds
 * (≥ 10 s) or ms. Returns null when all timestamps are equal.
 */
export function inferStepMs(timestamps: readonly number[]): number | null {
  const sorted = Float64Array.from(timestamps).sort();
  const gaps: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const g = sorted[i] - sorted[i - 1];
    if (g > 0) gaps.push(g);
  }
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  const mid = gaps.length >> 1;
  const median = gaps.length % 2 ? gaps[mid] : (gaps[mid - 1] + gaps[mid]) / 2;
  return snapStep(median);
}

/** Usual scrape / query steps: a jittered median within 10 % of one of these snaps to it. */
export const NICE_STEPS_MS: readonly number[] = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

function snapStep(ms: number): number {
  for (const nice of NICE_STEPS_MS) if (Math.abs(ms - nice) <= 0.1 * nice) return nice;
  return ms >= 10_000 ? Math.round(ms / 1000) * 1000 : Math.max(1, Math.round(ms));
}

/**
 * Puts the series on a regular grid starting at its first timestamp: each grid cell
 * `[start + k·step − step/2, start + k·step + step/2)` takes the mean of the observations in it
 * (so a coarser step aggregates), and empty cells are linearly interpolated between their nearest
 * filled neighbours (so gaps and a finer step are filled).
 */
export function resample(series: readonly SeriesPoint[], stepMs: number): RegularSeries {
  if (!(stepMs > 0) || !Number.isFinite(stepMs)) throw new ValidationError('stepMs must be a positive number of milliseconds');
  let start = Infinity;
  let end = -Infinity;
  for (const p of series) {
    if (p.ts < start) start = p.ts;
    if (p.ts > end) end = p.ts;
  }
  const cells = Math.round((end - start) / stepMs) + 1;
  if (cells > 10 * MAX_GRID_POINTS) {
    throw new ValidationError(`series spans ${cells} steps of ${stepMs} ms; use a coarser stepMs (at most ${10 * MAX_GRID_POINTS} steps)`);
  }
  const sum = new Float64Array(cells);
  const count = new Uint32Array(cells);
  for (const p of series) {
    const k = Math.round((p.ts - start) / stepMs);
    sum[k] += p.value;
    count[k]++;
  }
  const values = new Float64Array(cells);
  let imputed = 0;
  let prev = -1;
  for (let k = 0; k < cells; k++) {
    if (count[k] === 0) continue;
    values[k] = sum[k] / count[k];
    if (prev >= 0 && k - prev > 1) {
      const a = values[prev];
      const b = values[k];
      for (let j = prev + 1; j < k; j++) {
        values[j] = a + ((b - a) * (j - prev)) / (k - prev);
        imputed++;
      }
    }
    prev = k;
  }
  const observations = new Set(series.map((p) => p.ts)).size;
  return { start, stepMs, values, imputed, observations };
}

/**
 * Validates, infers the step (unless given) and resamples. An inferred step that would give more
 * than MAX_GRID_POINTS cells is coarsened to a whole multiple of itself that fits.
 */
export function toRegularSeries(series: readonly SeriesPoint[], stepMs?: number): RegularSeries {
  validateSeries(series);
  let step = stepMs;
  if (step === undefined) {
    const inferred = inferStepMs(series.map((p) => p.ts));
    step = inferred ?? 5 * MINUTE_MS;
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of series) {
      if (p.ts < lo) lo = p.ts;
      if (p.ts > hi) hi = p.ts;
    }
    const span = hi - lo;
    const cells = span / step + 1;
    if (cells > MAX_GRID_POINTS) step *= Math.ceil(cells / MAX_GRID_POINTS);
  }
  return resample(series, step);
}
