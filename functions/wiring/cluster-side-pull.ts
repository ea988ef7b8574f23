import type { ClusterRecord, XRaySettings } from '../core/clusters/cluster-record.ts';
import { refreshMeshEvidence, sustainedEdgeSpan } from '../core/mesh/evidence.ts';
import { refreshMeshGraph } from '../core/mesh/refresh.ts';
import { refreshXRayEvidence } from '../core/mesh/xray-edges.ts';
import { logger } from '../observability.ts';
import { wiring } from '../wiring.ts';
import { clusterStore } from './cluster-store.ts';
import { dependencyGraphStore, meshEvidenceStore } from './dependency-graphs.ts';
import { kubeStatePull } from './kube-state.ts';
import { prometheusClientFor } from './metric-sources.ts';
import { pullIntervalSeconds } from './pull-interval.ts';
import { xrayGraphReaderFor } from './xray.ts';

/**
 * What the pull reads from each cluster besides its golden signals: Kubernetes state (conditions → alerts)
 * and its call graph with per-edge evidence: from Istio's metrics when the cluster has Prometheus, else (or
 * when those have no edges) from X-Ray when the cluster opted in. Failures are logged and counted, never thrown:
 * the metric pull of the same batch must not fail because of them.
 */
export async function pullClusterSide(batch: {
  pullId: string;
  clusterIds: string[];
}): Promise<{ kubeConditions: number; kubeFired: number; kubeResolved: number; kubeErrors: number; meshGraphs: number }> {
  const kube = kubeStatePull();
  const [kubeResults, meshGraphs] = await Promise.all([kube ? kube.pullBatch(batch) : Promise.resolve([]), refreshGraphs(batch.clusterIds)]);
  for (const r of kubeResults) if (r.error) logger.warn('kube-state pull failed', { clusterId: r.clusterId, error: r.error });
  return {
    kubeConditions: kubeResults.reduce((n, r) => n + r.conditions, 0),
    kubeFired: kubeResults.reduce((n, r) => n + r.fired, 0),
    kubeResolved: kubeResults.reduce((n, r) => n + r.resolved, 0),
    kubeErrors: kubeResults.filter((r) => r.error).length,
    meshGraphs,
  };
}

async function refreshGraphs(clusterIds: string[]): Promise<number> {
  const done = await Promise.all(
    clusterIds.map(async (clusterId) => {
      const record = await clusterStore().get(clusterId).catch(warned('cluster record read failed', clusterId));
      if (!record) return 0;
      const mesh = await refreshFromPrometheus(record);
      // X-Ray is the cluster's second source of edge evidence: read only when the mesh's metrics gave none.
      if (!record.xray || mesh.edges) return mesh.graph ? 1 : 0;
      const traced = await refreshFromXRay({ ...record, xray: record.xray }, !mesh.graph);
      return mesh.graph || traced ? 1 : 0;
    }),
  );
  return done.reduce((a: number, b) => a + b, 0);
}

/** Logs a failed refresh and answers undefined: one source failing must not stop the others or the pull. */
const warned =
  (message: string, clusterId: string) =>
  (error: unknown): undefined => {
    logger.warn(message, { clusterId, error: error instanceof Error ? error.message : String(error) });
    return undefined;
  };

/** The call graph and edge evidence from Istio's metrics in the cluster's Prometheus: whether each had anything. */
async function refreshFromPrometheus(record: ClusterRecord): Promise<{ graph: boolean; edges: boolean }> {
  const config = wiring().config;
  const client = await prometheusClientFor(record).catch(warned('mesh graph refresh failed', record.id));
  if (!client) return { graph: false, edges: false };
  const namespaces = record.namespaces?.length ? record.namespaces : config.pullNamespaces;
  const query = async (promql: string) => {
    const res = await client.query(promql);
    return res.data.resultType === 'vector' ? res.data.result.map((s) => ({ metric: s.metric, value: s.value })) : [];
  };
  const graph = await refreshMeshGraph({
    cluster: record.name,
    namespaces,
    window: config.FLEETOPS_MESH_GRAPH_WINDOW,
    ...(record.prometheus?.matchers ? { matchers: record.prometheus.matchers } : {}),
    query,
    store: dependencyGraphStore(),
    now: wiring().clock.now(),
  }).catch(warned('mesh graph refresh failed', record.id));
  if (!graph) return { graph: false, edges: false };
  // Per-edge errors and latency against their own baseline: what lets grouping tell a propagated symptom from a fault of its own.
  const evidence = await refreshMeshEvidence({
    cluster: record.name,
    namespaces,
    sustained: sustainedEdgeSpan(pullIntervalSeconds(config)),
    ...(record.prometheus?.matchers ? { matchers: record.prometheus.matchers } : {}),
    query,
    store: meshEvidenceStore(),
    now: wiring().clock.now(),
  }).catch(warned('mesh edge evidence refresh failed', record.id));
  return { graph: Object.keys(graph).length > 0, edges: Boolean(evidence?.edges.length) };
}

/** Edge evidence from the cluster's X-Ray service graph (and its call graph, when the mesh has none): whether any edge had calls. */
async function refreshFromXRay(record: ClusterRecord & { xray: XRaySettings }, withGraph: boolean): Promise<boolean> {
  const evidence = await refreshXRayEvidence({
    cluster: record.name,
    read: xrayGraphReaderFor(record),
    store: meshEvidenceStore(),
    ...(withGraph ? { graphs: dependencyGraphStore() } : {}),
    ...(record.xray.names ? { names: record.xray.names } : {}),
    now: wiring().clock.now(),
  }).catch(warned('x-ray edge evidence refresh failed', record.id));
  return Boolean(evidence?.edges.length);
}
