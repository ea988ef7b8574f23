import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { collectEvents, collectLogs, collectNodes, collectUsage, collectWorkloads, DEFAULT_EVIDENCE_LIMITS } from '../adapters/kube/rca-evidence.ts';
import { anomalyEvidence, collectSignals, configuredEdges, graphEvidence, meshEdges, meshEdgeSeries } from '../adapters/rca/metric-evidence.ts';
import { changeEvidence } from '../core/rca/changes.ts';
import { collectChanges } from '../adapters/rca/change-evidence.ts';
import type { Change } from '../core/rca/rank.ts';
import { argoCd } from '../wiring/argocd.ts';
import { deploymentStore } from '../wiring/deployment-store.ts';
import type { ClusterRecord } from '../core/clusters/cluster-record.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { EVIDENCE_SOURCES, type Evidence, type EvidenceSource, type GraphEvidence, type RcaTarget } from '../core/rca/evidence.ts';
import { logger } from '../observability.ts';
import { clusterRegistry, clusterStore } from '../wiring/clusters.ts';
import { metricSourceFor, prometheusClientFor } from '../wiring/metric-sources.ts';
import { metricsStore } from '../wiring/metrics-store.ts';
import { configuredDependencies } from '../wiring/rca.ts';
import { serviceCatalog } from '../wiring/catalog.ts';

/** Gap between the two metrics.k8s.io samples that give memory its slope. */
const USAGE_GAP_MS = 2000;

async function clusterOf(target: RcaTarget): Promise<ClusterRecord> {
  const record = target.clusterId ? await clusterStore().get(target.clusterId) : undefined;
  if (!record) throw new NotFoundError(`Cluster ${target.cluster} is not registered`);
  return record;
}

/** Mesh metrics, configured dependencies and the catalog, merged. */
async function graphOf(target: RcaTarget): Promise<GraphEvidence | undefined> {
  const record = target.clusterId ? await clusterStore().get(target.clusterId) : undefined;
  const prometheus = record ? await prometheusClientFor(record) : undefined;
  const mesh = prometheus ? await meshEdges(prometheus, target.namespace, record?.prometheus?.matchers).catch(() => []) : [];
  const catalog = await serviceCatalog()
    .snapshot()
    .then((index) => configuredEdges(index.workloadGraph()))
    .catch(() => []);
  return graphEvidence([
    { source: 'istio', edges: mesh },
    { source: 'configured', edges: configuredEdges(configuredDependencies()) },
    { source: 'catalog', edges: catalog },
  ]);
}

type KubeClient = Awaited<ReturnType<ReturnType<typeof clusterRegistry>['client']>>;

/** The deploy store, or none where this function cannot build it (the other change sources still count). */
function releaseRecords() {
  try {
    return deploymentStore();
  } catch {
    return undefined;
  }
}

/** Argo CD as a change source where one is configured (its Applications' sync history); without it the others still count. */
function argoChanges(record: ClusterRecord) {
  try {
    const argocd = argoCd();
    return argocd ? { argo: { argocd, server: record.server } } : {};
  } catch {
    return {};
  }
}

/** What the ranking needs beside the golden signals: the change timeline and the mesh's per-edge series. */
async function rankingContext(record: ClusterRecord, client: KubeClient, target: RcaTarget, now: Date) {
  const [changes, edgeSeries] = await Promise.all([
    collectChanges(client, releaseRecords(), record.id, target, DEFAULT_EVIDENCE_LIMITS.listLimit, argoChanges(record)),
    prometheusClientFor(record)
      .then((prometheus) =>
        prometheus ? meshEdgeSeries(prometheus, target.namespace, record.prometheus?.matchers, now, undefined, undefined, record.prometheus?.rateWindow) : [],
      )
      .catch(() => []),
  ]);
  return { changes, edgeSeries };
}

const collectors: Record<EvidenceSource, (target: RcaTarget) => Promise<Partial<Evidence>>> = {
  workloads: async (target) => collectWorkloads(await clusterRegistry().client(await clusterOf(target)), target, DEFAULT_EVIDENCE_LIMITS),
  events: async (target) => collectEvents(await clusterRegistry().client(await clusterOf(target)), target, DEFAULT_EVIDENCE_LIMITS),
  nodes: async (target) => collectNodes(await clusterRegistry().client(await clusterOf(target)), DEFAULT_EVIDENCE_LIMITS),
  logs: async (target) => collectLogs(await clusterRegistry().client(await clusterOf(target)), target, DEFAULT_EVIDENCE_LIMITS),
  metrics: async (target) => {
    const record = await clusterOf(target);
    const client = await clusterRegistry().client(record);
    const context = rankingContext(record, client, target, new Date()).catch(() => ({ changes: [] as Change[], edgeSeries: [] }));
    const [usage, signals, anomalies, { changes }] = await Promise.all([
      collectUsage(client, target, USAGE_GAP_MS).catch((error: Error) => ({ usage: [], errors: [{ source: 'metrics.k8s.io', error: error.message }] })),
      // The graph again (the graph branch runs beside this one): the metric ranking needs it.
      Promise.all([metricSourceFor(record), graphOf(target).catch(() => undefined), context])
        .then(([source, graph, context]) => collectSignals(source, target, new Date(), graph?.edges, context))
        .catch((error: Error) => ({ metrics: [], errors: [{ source: 'golden-signals', error: error.message }] })),
      metricsStore()
        .listAnomalies({ clusterIds: [record.id], status: 'anomaly', limit: 100 })
        .catch(() => []),
      context,
    ]);
    return {
      ...usage,
      ...signals,
      changes: changeEvidence(changes),
      anomalies: anomalyEvidence(anomalies, target),
      errors: [...('errors' in usage ? usage.errors : []), ...('errors' in signals ? signals.errors : [])],
    };
  },
  graph: async (target) => {
    const graph = await graphOf(target);
    return graph ? { graph } : {};
  },
};

/** One branch of rca.asl.json's Parallel state: one evidence source. A failure is caught by the workflow. */
export const handler = middy(async (input: { source: EvidenceSource; target: RcaTarget }) => {
  if (!EVIDENCE_SOURCES.includes(input.source)) throw new ValidationError(`Unknown evidence source ${input.source}`);
  const started = Date.now();
  const part = await collectors[input.source](input.target);
  logger.info('evidence collected', { rcaId: input.target.rcaId, source: input.source, ms: Date.now() - started });
  return { source: input.source, ...part };
}).use(injectLambdaContext(logger, { resetKeys: true }));
