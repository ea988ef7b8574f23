import { randomUUID } from 'node:crypto';
import type { ClusterRecord } from '../core/clusters/cluster-record.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { compareServiceAcrossClusters, fleetOverview, type ClusterHealthInput } from '../core/fleet/index.ts';
import { capacityRecommendations, forecast } from '../core/forecast/index.ts';
import type { AnomalyRecord } from '../core/pull/records.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';
import { wiring } from '../wiring.ts';
import { clusterRegistry, clusterStore } from '../wiring/clusters.ts';
import { metricSourceFor } from '../wiring/metric-sources.ts';
import { metricsStore } from '../wiring/metrics-store.ts';

async function findCluster(idOrName: string): Promise<ClusterRecord> {
  const record = (await clusterStore().get(idOrName)) ?? (await clusterStore().getByName(idOrName));
  if (!record) throw new NotFoundError(`Cluster ${idOrName} not found`);
  return record;
}

function publicAnomaly(record: AnomalyRecord) {
  const { cluster, namespace, service, status, score, severity, features, at, reasons } = record;
  return { cluster, namespace, service, status, score, severity, features, at, ...(reasons ? { reasons } : {}) };
}

/** The newest record of each series. */
function latestPerSeries(records: AnomalyRecord[]): AnomalyRecord[] {
  const latest = new Map<string, AnomalyRecord>();
  for (const r of records) {
    const key = `${r.clusterId}#${r.namespace}#${r.service}`;
    const seen = latest.get(key);
    if (!seen || seen.at < r.at) latest.set(key, r);
  }
  return [...latest.values()];
}

const parseCpu = (q: string | undefined): number => {
  if (!q) return 0;
  if (q.endsWith('m')) return Number(q.slice(0, -1)) / 1000;
  if (q.endsWith('n')) return Number(q.slice(0, -1)) / 1e9;
  return Number(q);
};
const UNITS: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9 };
const parseBytes = (q: string | undefined): number => {
  const match = q?.match(/^([0-9.]+)([A-Za-z]*)$/);
  return match ? Number(match[1]) * (UNITS[match[2]] ?? 1) : 0;
};

async function clusterHealthInput(record: ClusterRecord, latest: AnomalyRecord[]): Promise<ClusterHealthInput> {
  const mine = latest.filter((r) => r.clusterId === record.id);
  const sum = (pick: (r: AnomalyRecord) => number | null) => mine.reduce((total, r) => total + (pick(r) ?? 0), 0);
  const requests = sum((r) => r.features.request_rate);
  const errors = sum((r) => (r.features.error_rate ?? 0) * (r.features.request_rate ?? 0));
  let nodes: { ready: boolean; cpu: number; memory: number }[] = [];
  try {
    const list = await (await clusterRegistry().client(record)).listNodes();
    nodes = list.map((n) => ({
      ready: (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      cpu: parseCpu(n.status?.allocatable?.cpu),
      memory: parseBytes(n.status?.allocatable?.memory),
    }));
  } catch {
    // Unreachable: zero ready nodes of unknown capacity is the honest answer.
  }
  const allocatableCpu = nodes.reduce((t, n) => t + n.cpu, 0);
  const allocatableMemory = nodes.reduce((t, n) => t + n.memory, 0);
  return {
    clusterId: record.id,
    name: record.name,
    environment: record.environment,
    readyNodes: nodes.filter((n) => n.ready).length,
    totalNodes: nodes.length,
    cpuUtilisation: allocatableCpu > 0 && mine.length ? sum((r) => r.features.cpu_usage) / allocatableCpu : null,
    memoryUtilisation: allocatableMemory > 0 && mine.length ? sum((r) => r.features.memory_usage) / allocatableMemory : null,
    errorRate: requests > 0 ? errors / requests : null,
    requestRate: mine.length ? requests : null,
  };
}

/** Two days of 5-minute samples: below this the Prometheus history (when there is one) is longer. */
const MIN_OWN_SAMPLES = 576;

/**
 * cpu history in percent of one core from the cluster's Prometheus: 14 days at 5 min when it has
 * them, else the last hour at 5 s (a young Prometheus); the longest series found wins.
 */
async function prometheusCpuHistory(record: ClusterRecord, namespaces: string[], service: string): Promise<{ ts: number; value: number }[]> {
  const source = await metricSourceFor(record);
  const end = Date.now();
  let best: { ts: number; value: number }[] = [];
  for (const { spanMs, stepSeconds } of [
    { spanMs: 14 * 86_400_000, stepSeconds: 300 },
    { spanMs: 3_600_000, stepSeconds: 5 },
  ]) {
    for (const namespace of namespaces) {
      const ranges = await source.rangeSignals({ namespace, services: [service] }, { start: end - spanMs, end, stepSeconds });
      const cpu = ranges.find((r) => r.service === service && r.signal === 'cpu_usage');
      if (cpu && cpu.points.length > best.length) best = cpu.points.map((p) => ({ ts: p.ts * 1000, value: p.value * 100 }));
    }
    if (best.length >= 48) break;
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
    const since = new Date(Date.now() - 14 * 86_400_000);
    let samples: Awaited<ReturnType<ReturnType<typeof metricsStore>['samples']>> = [];
    for (const namespace of namespaces) {
      samples = await metricsStore().samples(record.id, namespace.trim(), query.service, since);
      if (samples.length) break;
    }
    // cpu_usage is in cores summed over the service's pods; the seed's rules work in percent of one core.
    let series = samples.filter((s) => s.features.cpu_usage !== null).map((s) => ({ ts: Date.parse(s.at), value: (s.features.cpu_usage as number) * 100 }));
    // A cluster with Prometheus already has history: use it while fleetops' own samples are young.
    if (series.length < MIN_OWN_SAMPLES && record.prometheus) {
      const fromPrometheus = await prometheusCpuHistory(record, namespaces.map((n) => n.trim()), query.service).catch(() => []);
      if (fromPrometheus.length > series.length) series = fromPrometheus;
    }
    if (series.length < 2) throw new ValidationError(`Not enough cpu history for ${query.service} in ${record.name} yet (${series.length} samples)`, undefined, 'INSUFFICIENT_DATA');
    const result = forecast(series, { horizonHours: query.hours, floor: 0 });
    return json(200, { predictions: result.predictions, recommendations: capacityRecommendations(series, result.predictions), model: result.model });
  },

  fleetOverview: async () => {
    const clusters = await clusterStore().list();
    const latest = latestPerSeries(await metricsStore().listAnomalies({ clusterIds: clusters.map((c) => c.id), limit: 1000 }));
    const inputs = await Promise.all(clusters.map((c) => clusterHealthInput(c, latest)));
    // Cross-cluster comparison: the same service's golden signals side by side, outliers flagged.
    const byService = new Map<string, AnomalyRecord[]>();
    for (const record of latest) byService.set(`${record.namespace}/${record.service}`, [...(byService.get(`${record.namespace}/${record.service}`) ?? []), record]);
    const services = [...byService.entries()]
      .filter(([, records]) => records.length >= 2)
      .map(([key, records]) => compareServiceAcrossClusters(key, records.map((r) => ({ clusterId: r.clusterId, signals: r.features }))));
    return json(200, { ...fleetOverview(inputs), services });
  },
});
