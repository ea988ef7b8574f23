/**
 * Maps a reconstruction error to [0, 1] through the training errors' quantiles, piecewise linear
 * and monotone:
 *   e ≤ p50 → 0;  p50..p95 → 0..0.5;  p95..p99 → 0.5..0.8;
 *   e > p99 → 0.8 + 0.2·(1 − exp(−(e − p99) / (p99 − p50)))   (→ 1 for far-off rows).
 * So 0.5 means "as unusual as the 5 % most unusual training rows", 0.8 "beyond the top 1 %".
 */

export interface ErrorQuantiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Linear-interpolated quantile (numpy's default) of an ascending array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function errorQuantiles(errors: ArrayLike<number>): ErrorQuantiles {
  const sorted = Float64Array.from(errors).sort();
  return { p50: quantileSorted(sorted, 0.5), p95: quantileSorted(sorted, 0.95), p99: quantileSorted(sorted, 0.99), max: sorted[sorted.length - 1] };
}

export function errorToScore01(e: number, q: ErrorQuantiles): number {
  if (Number.isNaN(e)) return 1;
  const eps = 1e-12;
  const p95 = Math.max(q.p95, q.p50 + eps);
  const p99 = Math.max(q.p99, p95 + eps);
  if (e <= q.p50) return 0;
  if (e <= p95) return (0.5 * (e - q.p50)) / (p95 - q.p50);
  if (e <= p99) return 0.5 + (0.3 * (e - p95)) / (p99 - p95);
  const spread = Math.max(p99 - q.p50, eps);
  return 0.8 + 0.2 * (1 - Math.exp(-(e - p99) / spread));
}
