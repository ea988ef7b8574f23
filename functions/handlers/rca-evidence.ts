import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { collectEvents, collectLogs, collectNodes, collectUsage, collectWorkloads, DEFAULT_EVIDENCE_LIMITS, rolloutsOf } from '../adapters/kube/rca-evidence.ts';
import { anomalyEvidence, collectSignals, configuredEdges, graphEvidence, meshEdges, meshEdgeSeries } from '../adapters/rca/metric-evidence.ts';
import { changeEvidence, changesOf, configChanges, deployChanges, scaleChanges, releaseOf, type ReleaseHistoryChange } from '../core/rca/changes.ts';
import type { Change } from '../core/rca/rank.ts';
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

/** Releases (and deploys) read per RCA, at most. */
const MAX_RELEASES = 10;
const MAX_DEPLOYS = 10;

/** fleetops' own deploys of the releases in the namespace (the release history), applied-at times from each deploy's cluster record. */
async function fleetopsDeploys(record: ClusterRecord, target: RcaTarget, deployments: Parameters<typeof deployChanges>[1]): Promise<Change[]> {
  const store = deploymentStore();
  const releases = [...new Set(deployments.map(releaseOf).filter((r): r is string => !!r))].slice(0, MAX_RELEASES);
  const history = (await Promise.all(releases.map((release) => store.releaseHistory(record.id, target.namespace, release, 10)))).flat();
  const ids = [...new Set(history.map((h) => h.deploymentId))].slice(0, MAX_DEPLOYS);
  const views = await Promise.all(ids.map((id) => store.get(id).catch(() => undefined)));
  const appliedAt = new Map(views.flatMap((v) => (v ? [[v.record.id, v.clusters.find((c) => c.clusterId === record.id)?.appliedAt] as const] : [])));
  const entries: ReleaseHistoryChange[] = history.map((h) => ({ ...h, appliedAt: appliedAt.get(h.deploymentId) }));
  return deployChanges(entries, deployments, new Date(target.at));
}

/** What the ranking needs beside the golden signals: the change timeline (rollouts) and the mesh's per-edge series. */
async function rankingContext(record: ClusterRecord, client: KubeClient, target: RcaTarget, now: Date) {
  const limit = DEFAULT_EVIDENCE_LIMITS.listLimit;
  const deploymentsP = client.listDeployments(target.namespace, limit);
  const [rollouts, deploys, configs, scales, edgeSeries] = await Promise.all([
    Promise.all([deploymentsP, client.listReplicaSets(target.namespace, undefined, limit)])
      .then(([deployments, replicaSets]) => rolloutsOf(deployments, replicaSets))
      .catch(() => []),
    deploymentsP.then((deployments) => fleetopsDeploys(record, target, deployments)).catch(() => [] as Change[]),
    // Config maps only: the RBAC fleetops asks for grants no Secrets (listing them would hand over their data).
    Promise.all([deploymentsP, client.listConfigMapMetadata(target.namespace, limit)])
      .then(([deployments, configMaps]) => configChanges(configMaps, deployments, new Date(target.at)))
      .catch(() => [] as Change[]),
    client.listHorizontalPodAutoscalers(target.namespace).then((hpas) => scaleChanges(hpas, new Date(target.at))).catch(() => [] as Change[]),
    prometheusClientFor(record)
      .then((prometheus) => (prometheus ? meshEdgeSeries(prometheus, target.namespace, record.prometheus?.matchers, now, undefined, undefined, record.prometheus?.rateWindow) : []))
      .catch(() => []),
  ]);
  return { changes: [...changesOf(rollouts, new Date(target.at)), ...deploys, ...configs, ...scales].sort((a, b) => a.at - b.at), edgeSeries };
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
      metricsStore().listAnomalies({ clusterIds: [record.id], status: 'anomaly', limit: 100 }).catch(() => []),
      context,
    ]);
    return { ...usage, ...signals, changes: changeEvidence(changes), anomalies: anomalyEvidence(anomalies, target), errors: [...('errors' in usage ? usage.errors : []), ...('errors' in signals ? signals.errors : [])] };
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
