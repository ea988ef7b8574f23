import { refreshMeshEvidence } from '../core/mesh/evidence.ts';
import { refreshMeshGraph } from '../core/mesh/refresh.ts';
import { logger } from '../observability.ts';
import { wiring } from '../wiring.ts';
import { clusterStore } from './cluster-store.ts';
import { dependencyGraphStore, meshEvidenceStore } from './dependency-graphs.ts';
import { kubeStatePull } from './kube-state.ts';
import { prometheusClientFor } from './metric-sources.ts';

/**
 * What the pull reads from each cluster besides its golden signals: Kubernetes state (conditions → alerts)
 * and, when the cluster has Prometheus, its mesh call graph. Failures are logged and counted, never thrown:
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
  const config = wiring().config;
  const done = await Promise.all(
    clusterIds.map(async (clusterId) => {
      try {
        const record = await clusterStore().get(clusterId);
        const client = record && (await prometheusClientFor(record));
        if (!record || !client) return 0;
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
        });
        // Per-edge errors and latency against their own baseline: what lets grouping tell a propagated symptom from a fault of its own.
        await refreshMeshEvidence({
          cluster: record.name,
          namespaces,
          ...(record.prometheus?.matchers ? { matchers: record.prometheus.matchers } : {}),
          query,
          store: meshEvidenceStore(),
          now: wiring().clock.now(),
        }).catch((error: unknown) =>
          logger.warn('mesh edge evidence refresh failed', { clusterId, error: error instanceof Error ? error.message : String(error) }),
        );
        return Object.keys(graph).length ? 1 : 0;
      } catch (error) {
        logger.warn('mesh graph refresh failed', { clusterId, error: error instanceof Error ? error.message : String(error) });
        return 0;
      }
    }),
  );
  return done.reduce((a: number, b) => a + b, 0);
}
