import pLimit from 'p-limit';
import { DynamoClusterHealthStore } from '../adapters/aws/dynamodb/cluster-health-store.ts';
import type { ClusterRecord } from '../core/clusters/cluster-record.ts';
import { ClusterHealthRecorder } from '../core/fleet/health-service.ts';
import { clusterHealthInput, type ClusterHealthInput, type NodeCapacity } from '../core/fleet/index.ts';
import type { ClusterHealthStore } from '../core/fleet/ports.ts';
import type { ClusterPullResult } from '../core/pull/metric-pull.ts';
import type { AnomalyRecord } from '../core/pull/records.ts';
import { wiring } from '../wiring.ts';
import { clusterRegistry, clusterStore } from './clusters.ts';
import { pullIntervalSeconds } from './pull-interval.ts';

/** Node state changes slowly; one listNodes per cluster per minute per warm Lambda is plenty for an overview. */
const NODE_TTL_MS = 60_000;
/** Clusters asked at once when the cache is cold, so a large fleet does not open hundreds of connections. */
const CONCURRENCY = 8;
/** The health step takes the nodes kube-state listed during this pull; older ones are listed again. */
const PULL_NODES_MAX_AGE_MS = 30_000;

const cache = new Map<string, { at: number; credentialsVersion: string; nodes: NodeCapacity[] | undefined }>();

interface ListedNode {
  status?: { conditions?: { type: string; status: string }[]; allocatable?: Record<string, string> };
}

const capacityOf = (n: ListedNode): NodeCapacity => ({
  ready: (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  ...(n.status?.allocatable?.cpu ? { cpu: n.status.allocatable.cpu } : {}),
  ...(n.status?.allocatable?.memory ? { memory: n.status.allocatable.memory } : {}),
});

/** Keeps a node list another part of the pull has just read (kube-state), so the health score does not list the nodes again. */
export function rememberNodes(record: ClusterRecord, nodes: readonly ListedNode[]): void {
  cache.set(record.id, { at: Date.now(), credentialsVersion: record.credentialsVersion, nodes: nodes.map(capacityOf) });
}

async function nodesOf(record: ClusterRecord, maxAgeMs = NODE_TTL_MS): Promise<NodeCapacity[] | undefined> {
  const hit = cache.get(record.id);
  if (hit && hit.credentialsVersion === record.credentialsVersion && Date.now() - hit.at < maxAgeMs) return hit.nodes;
  let nodes: NodeCapacity[] | undefined;
  try {
    nodes = (await (await clusterRegistry().client(record)).listNodes()).map(capacityOf);
  } catch {
    nodes = undefined; // unreachable: reported as such by the overview
  }
  cache.set(record.id, { at: Date.now(), credentialsVersion: record.credentialsVersion, nodes });
  return nodes;
}

/** Each cluster's nodes (undefined when unreachable), cached briefly and fetched a few clusters at a time. */
export async function nodeCapacities(records: readonly ClusterRecord[]): Promise<Map<string, NodeCapacity[] | undefined>> {
  const out = new Map<string, NodeCapacity[] | undefined>();
  const limit = pLimit(CONCURRENCY);
  await Promise.all(records.map((record) => limit(async () => out.set(record.id, await nodesOf(record)))));
  return out;
}

let built: { base: unknown; store: ClusterHealthStore; recorder: ClusterHealthRecorder } | undefined;

function build() {
  const base = wiring();
  if (built?.base === base) return built;
  const store = new DynamoClusterHealthStore({ client: base.documentClient, tableName: base.config.TABLE_NAME });
  const settings = {
    threshold: base.config.FLEETOPS_HEALTH_DEGRADED_THRESHOLD,
    windowMinutes: base.config.FLEETOPS_HEALTH_DEGRADED_MINUTES,
    maxGapMinutes: (3 * pullIntervalSeconds(wiring().config)) / 60,
  };
  built = { base, store, recorder: new ClusterHealthRecorder({ store, events: base.events, settings }) };
  return built;
}

export const clusterHealthStore = (): ClusterHealthStore => build().store;

/**
 * The pull's health step, after metrics and kube-state: each pulled cluster's score stored, ClusterHealthDegraded
 * fired or resolved. A cluster whose pull failed or whose nodes could not be listed is skipped (no score is better
 * than a 0 that would read as degraded). Failures are returned, never thrown: the batch's metrics are already stored.
 */
export async function recordClusterHealth(
  batch: { pullId: string; at: string },
  results: readonly ClusterPullResult[],
): Promise<{ scored: number; fired: number; resolved: number; errors: { clusterId: string; error: string }[] }> {
  const out = { scored: 0, fired: 0, resolved: 0, errors: [] as { clusterId: string; error: string }[] };
  const pulled = results.filter((r) => !r.error && r.series);
  const limit = pLimit(CONCURRENCY);
  await Promise.all(
    pulled.map((result) =>
      limit(async () => {
        try {
          const record = await clusterStore().get(result.clusterId);
          const nodes = record && (await nodesOf(record, PULL_NODES_MAX_AGE_MS));
          if (!record || !nodes) return;
          const scored = await build().recorder.record({
            cluster: record,
            pullId: batch.pullId,
            at: batch.at,
            series: result.series ?? [],
            nodes,
          });
          out.scored += 1;
          if (scored.transition === 'fire') out.fired += 1;
          if (scored.transition === 'resolve') out.resolved += 1;
        } catch (error) {
          out.errors.push({ clusterId: result.clusterId, error: error instanceof Error ? error.message : String(error) });
        }
      }),
    ),
  );
  return out;
}

/**
 * Each cluster's health input for the overview: what the last pull stored when it is at most two pull intervals
 * old (one Query per cluster, no Kubernetes call), else computed live from the latest anomaly rows and the nodes
 * (listed, cached briefly). `scoredAt` names the pull a stored input came from.
 */
export async function fleetHealthInputs(
  clusters: readonly ClusterRecord[],
  latest: readonly Pick<AnomalyRecord, 'clusterId' | 'namespace' | 'service' | 'at' | 'features'>[],
): Promise<{ inputs: ClusterHealthInput[]; scoredAt: Map<string, string> }> {
  const since = new Date(wiring().clock.now().getTime() - 2 * pullIntervalSeconds(wiring().config) * 1000);
  const stored = await build()
    .store.latest(
      clusters.map((c) => c.id),
      since,
    )
    .catch(() => new Map<string, never>()); // the live path still answers
  const live = await nodeCapacities(clusters.filter((c) => !stored.has(c.id)));
  const scoredAt = new Map<string, string>();
  const inputs = clusters.map((c): ClusterHealthInput => {
    const record = stored.get(c.id);
    if (!record) return clusterHealthInput(c, latest, live.get(c.id));
    scoredAt.set(c.id, record.at);
    const { readyNodes, totalNodes, cpuUtilisation, memoryUtilisation, errorRate, requestRate } = record;
    return { clusterId: c.id, name: c.name, environment: c.environment, readyNodes, totalNodes, cpuUtilisation, memoryUtilisation, errorRate, requestRate };
  });
  return { inputs, scoredAt };
}
