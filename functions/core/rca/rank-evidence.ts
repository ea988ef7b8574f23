/**
 * Per-series evidence for the root-cause ranking (pure): how far, how surely and since when one (node, metric)
 * series left its normal behaviour after the split. Real telemetry is sparse, heavy-tailed, bursty and on
 * wildly different scales, so every number here is robust (medians, MAD) and floored (relative and absolute),
 * and an effect must be large in relative terms too, not only against a suspiciously quiet normal window.
 */

export type Direction = 'up' | 'down' | 'both';

const DOWN_BAD = /avail|success|uptime|up_ratio|health|apdex|hit[._-]?(rate|ratio)|goodput|free|idle/i;
const UP_BAD =
  /lat|duration|time|delay|rtt|p\d{2}|error|err\b|errs|fail|fault|exception|5xx|4xx|timeout|cpu|mem|heap|gc|load|saturation|util|queue|backlog|restart|oom|throttl|drop|loss|retr|reject|pending|lag|swap|io[._-]?wait/i;
const TRAFFIC = /^(requests?|reqs|calls|count|throughput|rps|qps|tps|ops|invocations|hits)([._-]|$)|request[._-]?(count|rate)|_total$/i;
/** User-visible symptoms a failing dependency passes to its callers. */
const SYMPTOM = /lat|duration|delay|rtt|p\d{2}|error|err\b|errs|fail|fault|5xx|timeout|avail|success|apdex|goodput/i;

/** Which direction of change is bad for a metric, from its name. */
export function metricDirection(name: string): Direction {
  if (DOWN_BAD.test(name)) return 'down';
  if (UP_BAD.test(name)) return 'up';
  return 'both';
}

/** Request-count-like metrics: they weight the node's evidence by how much traffic it sees. */
export const isTrafficMetric = (name: string): boolean => TRAFFIC.test(name);

/** Latency / error / availability: what a caller sees when a callee fails. */
export const isSymptomMetric = (name: string): boolean => SYMPTOM.test(name) && !isTrafficMetric(name);

/** Metrics of one family (latency.p50 / latency.p99) are one piece of evidence, not several. */
export function metricFamily(name: string): string {
  const m = /^[^._:\-/]+/.exec(name);
  return (m ? m[0] : name).toLowerCase();
}

/** Quantile (linear interpolation) of a sorted array. */
export function quantileSorted(a: ArrayLike<number>, p: number): number {
  const n = a.length;
  if (n === 0) return NaN;
  if (n === 1) return a[0];
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return a[lo] + (h - lo) * (a[hi] - a[lo]);
}

export function finiteSorted(a: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) n++;
  const out = new Float64Array(n);
  for (let i = 0, k = 0; i < a.length; i++) if (Number.isFinite(a[i])) out[k++] = a[i];
  return out.sort();
}

export interface EffectOptions {
  /** Cap on the robust z (default 100). */
  zCap: number;
  /** Scale floor for unbounded series, relative to |normal median|. */
  relFloor: number;
  /** Absolute scale floor for series inside [0,1] (ratios such as availability). */
  fractionFloor: number;
  /** Relative shift of the median (unbounded series) below which the evidence is scaled down linearly. */
  minRelChange: number;
  /** Absolute shift (series inside [0,1]) below which the evidence is scaled down linearly. */
  minFractionChange: number;
}

export interface Effect {
  /** Robust z in the bad direction, >= 0, log-compressed above 10, after the effect-size gate. */
  z: number;
  /** Normal median and scale, for onset detection. */
  median: number;
  scale: number;
  /** Sign of the bad direction actually taken (+1 up, -1 down, 0 none). */
  sign: number;
}

const NONE: Effect = { z: 0, median: 0, scale: 1, sign: 0 };
const KNEE = 10;
const TAIL = 0.7;

/**
 * Robust effect of the incident window against the normal window: the shift of the incident median (and,
 * weighted 0.7, of the p75/p25 tail) in units of scale = max(1.4826 MAD (mean |dev| when the MAD is 0),
 * relFloor |median| or fractionFloor for ratios). The z is then scaled by min(1, relative effect /
 * minRelChange) (absolute for ratios), so a 2 % wiggle on a flat series is not an incident.
 */
export function seriesEffect(normal: ArrayLike<number>, incident: ArrayLike<number>, direction: Direction, o: EffectOptions): Effect {
  const N = finiteSorted(normal);
  const I = finiteSorted(incident);
  if (N.length === 0 || I.length === 0) return NONE;
  const med = quantileSorted(N, 0.5);
  const dev = new Float64Array(N.length);
  let sumAbs = 0;
  for (let i = 0; i < N.length; i++) {
    dev[i] = Math.abs(N[i] - med);
    sumAbs += dev[i];
  }
  dev.sort();
  const mad = 1.4826 * quantileSorted(dev, 0.5);
  const meanAbs = (1.2533 * sumAbs) / N.length;
  const fraction = N[0] >= 0 && N[N.length - 1] <= 1 && I[0] >= 0 && I[I.length - 1] <= 1;
  const floor = fraction ? o.fractionFloor : Math.max(o.relFloor * Math.abs(med), 1e-9);
  const scale = Math.max(mad > 0 ? mad : meanAbs, floor);

  const iMed = quantileSorted(I, 0.5);
  const dMed = (iMed - med) / scale;
  const up = (quantileSorted(I, 0.75) - quantileSorted(N, 0.75)) / scale;
  const down = (quantileSorted(N, 0.25) - quantileSorted(I, 0.25)) / scale;
  let z = 0;
  let sign = 0;
  const consider = (v: number, s: number): void => {
    if (v > z) {
      z = v;
      sign = s;
    }
  };
  if (direction !== 'down') consider(Math.max(dMed, TAIL * up), 1);
  if (direction !== 'up') consider(Math.max(-dMed, TAIL * down), -1);
  if (!(z > 0)) return { z: 0, median: med, scale, sign: 0 };
  // effect-size gate: the shift (median, or the tail when that is what moved) relative to the level
  const shift = Math.max(
    Math.abs(iMed - med),
    sign > 0 ? TAIL * Math.abs(quantileSorted(I, 0.75) - quantileSorted(N, 0.75)) : TAIL * Math.abs(quantileSorted(N, 0.25) - quantileSorted(I, 0.25)),
  );
  const gate = fraction ? shift / o.minFractionChange : shift / Math.max(Math.abs(med) * o.minRelChange, 1e-12);
  if (gate < 1) z *= Math.max(0, gate);
  // beyond the knee, grow logarithmically: huge shifts stay ordered but cannot swamp everything else
  if (z > KNEE) z = KNEE * (1 + Math.log(z / KNEE));
  return { z: Math.min(z, o.zCap), median: med, scale, sign };
}

/**
 * First incident timestamp from which the series stays beyond `k` scales in its bad direction for at least
 * two of three consecutive samples (a lone spike is not an onset); Infinity when it never does.
 */
export function onsetTime(ts: ArrayLike<number>, value: ArrayLike<number>, split: number, e: Effect, k = 3): number {
  if (e.sign === 0) return Infinity;
  const pts: [number, number][] = [];
  for (let i = 0; i < ts.length; i++) if (ts[i] >= split && Number.isFinite(value[i])) pts.push([ts[i], value[i]]);
  pts.sort((a, b) => a[0] - b[0]);
  const beyond = pts.map(([, v]) => (e.sign * (v - e.median)) / e.scale >= k);
  for (let i = 0; i < pts.length; i++) {
    if (!beyond[i]) continue;
    const window = beyond.slice(i, i + 3);
    if (window.length === 1 || window.filter(Boolean).length >= 2) return pts[i][0];
  }
  return Infinity;
}

/** Median of the finite values with ts < split (NaN when none). */
export function normalMedian(ts: ArrayLike<number>, value: ArrayLike<number>, split: number): number {
  const v: number[] = [];
  for (let i = 0; i < ts.length; i++) if (ts[i] < split && Number.isFinite(value[i])) v.push(value[i]);
  return quantileSorted(finiteSorted(v), 0.5);
}
