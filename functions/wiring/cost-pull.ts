import type { ClusterResources } from '../core/cost/ports.ts';
import type { CostPullResult } from '../core/cost/service.ts';
import type { CostPod, CostNode, PodUsage } from '../core/cost/types.ts';
import { tryParseQuantity } from '../core/metrics/quantity.ts';
import type { ClusterRecord } from '../core/clusters/cluster-record.ts';
import { wiring } from '../wiring.ts';
import { clusterRegistry, clusterStore } from './clusters.ts';
import { costService } from './cost.ts';

// Apart from wiring/cost.ts: reading clusters needs the Kubernetes client, which the cost API does not.

/** Nodes, pods (cluster-wide, one list each) and metrics.k8s.io usage of every namespace that runs pods. */
async function readResources(record: ClusterRecord): Promise<ClusterResources> {
  const client = await clusterRegistry().client(record);
  const [nodes, pods] = await Promise.all([client.listNodes(), client.listAllPods()]);
  const namespaces = [...new Set(pods.map((p) => p.metadata?.namespace).filter((n): n is string => !!n))];
  const usage: PodUsage[] = (await Promise.all(namespaces.map((ns) => client.podMetrics(ns).catch(() => [])))).flat().map((m) => ({
    namespace: m.namespace,
    name: m.name,
    containers: m.containers.map((c) => ({ name: c.name, cpu: tryParseQuantity(c.cpu) ?? 0, memory: tryParseQuantity(c.memory) ?? 0 })),
  }));
  return {
    nodes: nodes.filter((n) => n.metadata?.name) as CostNode[],
    pods: pods.filter((p) => p.metadata?.name) as CostPod[],
    usage,
  };
}

/** The pull's cost step for one batch: one cluster's failure is counted, never thrown. */
export async function pullCosts(batch: {
  pullId: string;
  at?: string;
  clusterIds: string[];
}): Promise<{ costClusters: number; costErrors: number; costTotal: number; errors: { clusterId: string; error: string }[] }> {
  const base = wiring();
  if (base.config.FLEETOPS_COST === false) return { costClusters: 0, costErrors: 0, costTotal: 0, errors: [] };
  const at = batch.at ? new Date(batch.at) : base.clock.now();
  const results = await Promise.all(
    batch.clusterIds.map(async (clusterId): Promise<CostPullResult | { clusterId: string; error: string }> => {
      try {
        const record = await clusterStore().get(clusterId);
        if (!record) return { clusterId, error: 'cluster no longer registered' };
        const resources = await readResources(record);
        return await costService().pullCluster({
          clusterId,
          cluster: record.name,
          pullId: batch.pullId,
          at,
          intervalSeconds: base.config.FLEETOPS_PULL_INTERVAL_SECONDS,
          resources,
        });
      } catch (error) {
        return { clusterId, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  const errors = results.filter((r): r is { clusterId: string; error: string } => 'error' in r);
  return {
    costClusters: results.length - errors.length,
    costErrors: errors.length,
    costTotal: results.reduce((s, r) => s + ('total' in r ? r.total : 0), 0),
    errors,
  };
}
