import pLimit from 'p-limit';
import type { ClusterRecord } from '../core/clusters/cluster-record.ts';
import type { NodeCapacity } from '../core/fleet/index.ts';
import { clusterRegistry } from './clusters.ts';

/** Node state changes slowly; one listNodes per cluster per minute per warm Lambda is plenty for an overview. */
const NODE_TTL_MS = 60_000;
/** Clusters asked at once when the cache is cold, so a large fleet does not open hundreds of connections. */
const CONCURRENCY = 8;

const cache = new Map<string, { at: number; credentialsVersion: string; nodes: NodeCapacity[] | undefined }>();

async function nodesOf(record: ClusterRecord): Promise<NodeCapacity[] | undefined> {
  const hit = cache.get(record.id);
  if (hit && hit.credentialsVersion === record.credentialsVersion && Date.now() - hit.at < NODE_TTL_MS) return hit.nodes;
  let nodes: NodeCapacity[] | undefined;
  try {
    const list = await (await clusterRegistry().client(record)).listNodes();
    nodes = list.map((n) => ({
      ready: (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      ...(n.status?.allocatable?.cpu ? { cpu: n.status.allocatable.cpu } : {}),
      ...(n.status?.allocatable?.memory ? { memory: n.status.allocatable.memory } : {}),
    }));
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
