import type { ClusterRecord } from '../core/clusters/cluster-record.ts';
import { cpuPercentFromRange, HISTORY_POLICY, type HistoryPoint } from '../core/forecast/history.ts';
import { ForecastService } from '../core/forecast/service.ts';
import { wiring } from '../wiring.ts';
import { clusterStore } from './cluster-store.ts';
import { metricSourceFor } from './metric-sources.ts';
import { metricsStore } from './metrics-store.ts';

/** cpu history from the cluster's Prometheus, per HISTORY_POLICY: the first range with enough points, else the longest. */
async function prometheusCpuHistory(record: ClusterRecord, namespaces: string[], service: string): Promise<HistoryPoint[]> {
  const source = await metricSourceFor(record);
  const end = wiring().clock.now().getTime();
  let best: HistoryPoint[] = [];
  for (const { spanMs, stepSeconds } of HISTORY_POLICY.prometheusRanges) {
    for (const namespace of namespaces) {
      const ranges = await source.rangeSignals({ namespace, services: [service] }, { start: end - spanMs, end, stepSeconds });
      const cpu = ranges.find((r) => r.service === service && r.signal === 'cpu_usage');
      if (cpu && cpu.points.length > best.length) best = cpuPercentFromRange(cpu.points);
    }
    if (best.length >= HISTORY_POLICY.enoughPrometheusPoints) break;
  }
  return best;
}

let built: { base: unknown; service: ForecastService } | undefined;

export function forecastService(): ForecastService {
  const base = wiring();
  if (built?.base !== base) {
    built = {
      base,
      service: new ForecastService({
        clusters: clusterStore(),
        samples: (clusterId, namespace, service, since) => metricsStore().samples(clusterId, namespace, service, since),
        prometheusCpuHistory,
        defaultNamespaces: base.config.pullNamespaces,
        clock: base.clock,
      }),
    };
  }
  return built.service;
}
