/**
 * Cross-cluster comparison of one service's golden signals (the same service deployed to several
 * clusters should behave alike).
 *
 * With ≥ 3 clusters: a robust z-score per cluster, z = (x − median) / s with s = max(1.4826·MAD,
 * 5 % of |median|, 1e-12), outlier when |z| > 2. The classic z = (x − mean) / sd cannot exceed
 * (n − 1)/√n, which is below 2 for n ≤ 5 clusters, so a "|z| > 2" rule on it would never fire in a
 * typical fleet; the median/MAD form can, and one bad cluster does not inflate its own yardstick.
 * The 5 %-of-median floor keeps near-identical clusters (MAD ≈ 0) from flagging tiny differences.
 * With 2 clusters: ratio = larger / smaller, the larger is the outlier when ratio ≥ 2.
 * Either way a value must clear the signal's absolute floor (`minValue`, e.g. 0.5 % for error_rate)
 * to be flagged high, and the median must clear it for a cluster to be flagged low.
 */
import type { GoldenSignals, SignalName } from '../metrics/types.ts';

const SIGNALS: readonly SignalName[] = ['cpu_usage', 'memory_usage', 'error_rate', 'latency_p95', 'request_rate'];

export interface ServiceClusterSample {
  clusterId: string;
  signals: GoldenSignals;
}

export interface SignalValueComparison {
  clusterId: string;
  value: number;
  /** Robust z (≥ 3 clusters), else null. */
  z: number | null;
  /** value / the other cluster's value (2 clusters), else null; null also when dividing by 0. */
  ratio: number | null;
  outlier: boolean;
  direction: 'high' | 'low' | null;
}

export interface SignalComparison {
  signal: SignalName;
  method: 'robust-z' | 'ratio' | 'none';
  median: number | null;
  values: SignalValueComparison[];
}

export interface ServiceComparison {
  service: string;
  clusters: number;
  signals: SignalComparison[];
  outliers: { clusterId: string; signal: SignalName; value: number; z: number | null; ratio: number | null; direction: 'high' | 'low' }[];
}

export interface CompareOptions {
  zThreshold?: number;
  ratioThreshold?: number;
  /** Absolute floors per signal (same units as GoldenSignals). */
  minValue?: Partial<Record<SignalName, number>>;
}

export const COMPARE_DEFAULTS = {
  zThreshold: 2,
  ratioThreshold: 2,
  minValue: { error_rate: 0.005, latency_p95: 0.05, cpu_usage: 0.01, memory_usage: 16 * 1024 * 1024, request_rate: 0.1 } as Partial<Record<SignalName, number>>,
} as const;

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

export function compareServiceAcrossClusters(service: string, samples: readonly ServiceClusterSample[], options: CompareOptions = {}): ServiceComparison {
  const zThreshold = options.zThreshold ?? COMPARE_DEFAULTS.zThreshold;
  const ratioThreshold = options.ratioThreshold ?? COMPARE_DEFAULTS.ratioThreshold;
  const floors = { ...COMPARE_DEFAULTS.minValue, ...options.minValue };
  const signals: SignalComparison[] = [];
  const outliers: ServiceComparison['outliers'] = [];
  for (const signal of SIGNALS) {
    const floor = floors[signal] ?? 0;
    const present = samples
      .map((s) => ({ clusterId: s.clusterId, value: s.signals[signal] }))
      .filter((s): s is { clusterId: string; value: number } => s.value !== null && Number.isFinite(s.value));
    const n = present.length;
    const sorted = present.map((p) => p.value).sort((a, b) => a - b);
    const med = n ? median(sorted) : null;
    let values: SignalValueComparison[];
    let method: SignalComparison['method'] = 'none';
    if (n >= 3) {
      method = 'robust-z';
      const m = med as number;
      const mad = median(sorted.map((v) => Math.abs(v - m)).sort((a, b) => a - b));
      const scale = Math.max(1.4826 * mad, 0.05 * Math.abs(m), 1e-12);
      values = present.map((p) => {
        const z = (p.value - m) / scale;
        const direction = z > zThreshold && p.value >= floor ? 'high' : z < -zThreshold && m >= floor ? 'low' : null;
        return { clusterId: p.clusterId, value: p.value, z: round(z), ratio: null, outlier: direction !== null, direction };
      });
    } else if (n === 2) {
      method = 'ratio';
      values = present.map((p, i) => {
        const other = present[1 - i].value;
        const ratio = other > 0 ? p.value / other : null;
        const larger = p.value > other;
        const outlier = larger && p.value >= floor && (ratio === null || ratio >= ratioThreshold);
        return { clusterId: p.clusterId, value: p.value, z: null, ratio: ratio === null ? null : round(ratio), outlier, direction: outlier ? 'high' : null };
      });
    } else {
      values = present.map((p) => ({ clusterId: p.clusterId, value: p.value, z: null, ratio: null, outlier: false, direction: null }));
    }
    for (const v of values) {
      if (v.outlier && v.direction) outliers.push({ clusterId: v.clusterId, signal, value: v.value, z: v.z, ratio: v.ratio, direction: v.direction });
    }
    signals.push({ signal, method, median: med, values });
  }
  return { service, clusters: samples.length, signals, outliers };
}
