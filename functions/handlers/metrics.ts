import { randomUUID } from 'node:crypto';
import type { ClusterRecord } from '../core/clusters/cluster-record.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { clusterHealthInput, compareServiceAcrossClusters, fleetOverview, latestPerSeries } from '../core/fleet/index.ts';
import { capacityRecommendations, cpuPercentFromRange, cpuPercentFromSamples, forecast, HISTORY_POLICY, longerHistory, needsPrometheusHistory, type HistoryPoint } from '../core/forecast/index.ts';
import type { AnomalyRecord } from '../core/pull/records.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';
import { wiring } from '../wiring.ts';
import { clusterStore } from '../wiring/cluster-store.ts';
import { nodeCapacities } from '../wiring/fleet.ts';
import { metricSourceFor } from '../wiring/metric-sources.ts';
import { metricsStore } from '../wiring/metrics-store.ts';

async function findCluster(idOrName: string): Promise<ClusterRecord> {
  const record = (await clusterStore().get(idOrName)) ?? (await clusterStore().getByName(idOrName));
  if (!record) throw new NotFoundError(`Cluster ${idOrName} not found`);
  return record;
}

function publicAnomaly(record: AnomalyRecord) {
  const { cluster, namespace, service, status, score, severity, features, at, reasons, layer, condition } = record;
  return {
    cluster,
    namespace,
    service,
    status,
    score,
    severity,
    features,
    at,
    ...(reasons ? { reasons } : {}),
    ...(layer ? { layer } : {}),
    ...(condition?.active && condition.since ? { since: condition.since } : {}),
  };
}

/** cpu history from the cluster's Prometheus, per HISTORY_POLICY: the first range with enough points, else the longest. */
async function prometheusCpuHistory(record: ClusterRecord, namespaces: string[], service: string): Promise<HistoryPoint[]> {
  const source = await metricSourceFor(record);
  const end = Date.now();
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

export const handler = httpHandler({
  triggerMetricPull: async () => {
    const pullId = `pull-${randomUUID()}`;
    const { executionId } = await wiring().workflows.start('metric-pull', { pullId }, pullId);
    return json(202, { executionId });
  },

  listAnomalies: async ({ query }) => {
    // An unknown cluster simply has no anomalies (a filter, not a resource lookup).
    const clusterIds = query.cluster
      ? [(await clusterStore().get(query.cluster)) ?? (await clusterStore().getByName(query.cluster))].filter((c) => c !== undefined).map((c) => c.id)
      : (await clusterStore().list()).map((c) => c.id);
    const items = await metricsStore().listAnomalies({ clusterIds, service: query.service, status: query.status, limit: query.limit });
    return json(200, { items: items.map(publicAnomaly) });
  },

  getForecast: async ({ query }) => {
    const record = await findCluster(query.cluster);
    const namespaces = query.namespace ? [query.namespace] : (record.namespaces ?? wiring().config.pullNamespaces);
    const since = new Date(Date.now() - HISTORY_POLICY.ownDays * 86_400_000);
    let samples: Awaited<ReturnType<ReturnType<typeof metricsStore>['samples']>> = [];
    for (const namespace of namespaces) {
      samples = await metricsStore().samples(record.id, namespace.trim(), query.service, since);
      if (samples.length) break;
    }
    let series = cpuPercentFromSamples(samples);
    // A cluster with Prometheus already has history: use it while fleetops' own samples are young.
    if (needsPrometheusHistory(series) && record.prometheus) {
      series = longerHistory(series, await prometheusCpuHistory(record, namespaces.map((n) => n.trim()), query.service).catch(() => []));
    }
    if (series.length < HISTORY_POLICY.minPoints) throw new ValidationError(`Not enough cpu history for ${query.service} in ${record.name} yet (${series.length} samples)`, undefined, 'INSUFFICIENT_DATA');
    const result = forecast(series, { horizonHours: query.hours, floor: 0 });
    return json(200, { predictions: result.predictions, recommendations: capacityRecommendations(series, result.predictions), model: result.model });
  },

  fleetOverview: async () => {
    const clusters = await clusterStore().list();
    const latest = latestPerSeries(await metricsStore().listAnomalies({ clusterIds: clusters.map((c) => c.id), limit: 1000 }));
    const nodes = await nodeCapacities(clusters);
    const inputs = clusters.map((c) => clusterHealthInput(c, latest, nodes.get(c.id)));
    // Cross-cluster comparison: the same service's golden signals side by side, outliers flagged.
    const byService = new Map<string, AnomalyRecord[]>();
    for (const record of latest) byService.set(`${record.namespace}/${record.service}`, [...(byService.get(`${record.namespace}/${record.service}`) ?? []), record]);
    const services = [...byService.entries()]
      .filter(([, records]) => records.length >= 2)
      .map(([key, records]) => compareServiceAcrossClusters(key, records.map((r) => ({ clusterId: r.clusterId, signals: r.features }))));
    return json(200, { ...fleetOverview(inputs), services });
  },
});
