import { randomUUID } from 'node:crypto';
import { findCluster } from '../core/clusters/find.ts';
import { compareServiceAcrossClusters, fleetOverview, latestPerSeries } from '../core/fleet/index.ts';
import type { AnomalyRecord } from '../core/pull/records.ts';
import { METRICS_ROUTES } from '../definitions/routes/metrics.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';
import { wiring } from '../wiring.ts';
import { clusterStore } from '../wiring/cluster-store.ts';
import { fleetHealthInputs } from '../wiring/fleet.ts';
import { forecastService } from '../wiring/forecast.ts';
import { metricsStore } from '../wiring/metrics-store.ts';

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

export const handler = httpHandler(METRICS_ROUTES, {
  triggerMetricPull: async () => {
    const pullId = `pull-${randomUUID()}`;
    const { executionId } = await wiring().workflows.start('metric-pull', { pullId }, pullId);
    return json(202, { executionId });
  },

  listAnomalies: async ({ query }) => {
    // An unknown cluster simply has no anomalies (a filter, not a resource lookup).
    const clusterIds = query.cluster
      ? [await findCluster(clusterStore(), query.cluster)].filter((c) => c !== undefined).map((c) => c.id)
      : (await clusterStore().list()).map((c) => c.id);
    const items = await metricsStore().listAnomalies({ clusterIds, service: query.service, status: query.status, limit: query.limit });
    return json(200, { items: items.map(publicAnomaly) });
  },

  getForecast: async ({ query }) => json(200, await forecastService().forecastFor(query)),

  fleetOverview: async () => {
    const clusters = await clusterStore().list();
    const latest = latestPerSeries(await metricsStore().listAnomalies({ clusterIds: clusters.map((c) => c.id), limit: 1000 }));
    // The score the last pull stored (issue 24); computed live only for clusters without a fresh one.
    const { inputs, scoredAt } = await fleetHealthInputs(clusters, latest);
    // Cross-cluster comparison: the same service's golden signals side by side, outliers flagged.
    const byService = new Map<string, AnomalyRecord[]>();
    for (const record of latest)
      byService.set(`${record.namespace}/${record.service}`, [...(byService.get(`${record.namespace}/${record.service}`) ?? []), record]);
    const services = [...byService.entries()]
      .filter(([, records]) => records.length >= 2)
      .map(([key, records]) =>
        compareServiceAcrossClusters(
          key,
          records.map((r) => ({ clusterId: r.clusterId, signals: r.features })),
        ),
      );
    const overview = fleetOverview(inputs);
    const withScoredAt = overview.clusters.map((c) => ({ ...c, scoredAt: scoredAt.get(c.clusterId) ?? null }));
    return json(200, { ...overview, clusters: withScoredAt, services });
  },
});
