/**
 * Which cpu history a forecast uses: fleetops' own samples, or the cluster's Prometheus while those
 * are young. Values are percent of one core (the capacity rules work in that unit).
 */
export const HISTORY_POLICY = {
  /** How far back fleetops' own samples are read. */
  ownDays: 14,
  /** Two days of 5-minute samples: below this, a cluster's Prometheus history (when there is one) is asked. */
  minOwnSamples: 576,
  /** Prometheus ranges tried in order: 14 days at 5 min, else the last hour at 5 s (a young Prometheus). */
  prometheusRanges: [
    { spanMs: 14 * 86_400_000, stepSeconds: 300 },
    { spanMs: 3_600_000, stepSeconds: 5 },
  ],
  /** A Prometheus range with at least this many points stops the search. */
  enoughPrometheusPoints: 48,
  /** Fewer points than this cannot be forecast. */
  minPoints: 2,
} as const;

export interface HistoryPoint {
  ts: number;
  value: number;
}

/** cpu_usage (cores summed over the service's pods) → percent of one core, dropping unknown rows. */
export function cpuPercentFromSamples(samples: readonly { at: string; features: { cpu_usage: number | null } }[]): HistoryPoint[] {
  return samples.filter((s) => s.features.cpu_usage !== null).map((s) => ({ ts: Date.parse(s.at), value: (s.features.cpu_usage as number) * 100 }));
}

/** Points in cores at epoch seconds (Prometheus) → percent of one core at epoch milliseconds. */
export function cpuPercentFromRange(points: readonly { ts: number; value: number }[]): HistoryPoint[] {
  return points.map((p) => ({ ts: p.ts * 1000, value: p.value * 100 }));
}

export const needsPrometheusHistory = (own: readonly HistoryPoint[]): boolean => own.length < HISTORY_POLICY.minOwnSamples;

/** The longer of the two histories (own samples win ties). */
export const longerHistory = (own: HistoryPoint[], prometheus: HistoryPoint[]): HistoryPoint[] => (prometheus.length > own.length ? prometheus : own);
