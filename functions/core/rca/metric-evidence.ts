/** Golden-signal series → evidence: the current value against the baseline before the symptoms. */
import type { MetricEvidence, Signal } from './evidence.ts';

export interface SeriesInput {
  service: string;
  signal: Signal;
  /** Epoch seconds, ascending. */
  points: { ts: number; value: number }[];
}

export function median(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Baseline: the median of points older than `recentSeconds` before `at`. Current: the median of the
 * last three points. changedAt: the start of the final run of points far from the baseline.
 */
export function seriesEvidence(series: SeriesInput, at: Date, options: { recentSeconds?: number } = {}): MetricEvidence | undefined {
  const points = series.points.filter((p) => Number.isFinite(p.value));
  if (!points.length) return undefined;
  const cutoff = at.getTime() / 1000 - (options.recentSeconds ?? 30);
  const before = points.filter((p) => p.ts < cutoff).map((p) => p.value);
  const baseline = before.length >= 3 ? median(before) : undefined;
  const current = median(points.slice(-3).map((p) => p.value)) ?? null;
  let changedAt: string | undefined;
  if (baseline !== undefined) {
    const spread = median(before.map((v) => Math.abs(v - baseline))) ?? 0;
    const far = (v: number) => Math.abs(v - baseline) > Math.max(3 * spread, 0.25 * Math.abs(baseline), 1e-9);
    let i = points.length;
    while (i > 0 && far(points[i - 1].value)) i--;
    if (i < points.length) changedAt = new Date(points[i].ts * 1000).toISOString();
  }
  return {
    id: `metric:${series.service}/${series.signal}`,
    service: series.service,
    signal: series.signal,
    current,
    ...(baseline !== undefined ? { baseline } : {}),
    ...(changedAt ? { changedAt } : {}),
    source: 'prometheus',
  };
}
