/**
 * Builds one cluster's health input for the fleet overview from what fleetops already knows: the
 * latest scored row of each of its series, and its nodes (readiness and allocatable quantities).
 */
import { tryParseQuantity } from '../metrics/quantity.ts';
import type { AnomalyRecord } from '../pull/records.ts';
import type { ClusterHealthInput } from './overview.ts';

/** A node as the overview needs it: allocatable cpu and memory are Kubernetes quantities (`3920m`, `16Gi`, `1e9`). */
export interface NodeCapacity {
  ready: boolean;
  cpu?: string;
  memory?: string;
}

type SeriesRow = Pick<AnomalyRecord, 'clusterId' | 'namespace' | 'service' | 'at' | 'features'>;

/** The newest row of each series. */
export function latestPerSeries<T extends SeriesRow>(records: readonly T[]): T[] {
  const latest = new Map<string, T>();
  for (const r of records) {
    const key = `${r.clusterId}#${r.namespace}#${r.service}`;
    const seen = latest.get(key);
    if (!seen || seen.at < r.at) latest.set(key, r);
  }
  return [...latest.values()];
}

/**
 * `nodes` undefined means the cluster could not be asked: zero ready nodes of unknown capacity is
 * the honest answer then.
 */
export function clusterHealthInput(
  cluster: { id: string; name: string; environment: string },
  latest: readonly SeriesRow[],
  nodes: readonly NodeCapacity[] | undefined,
): ClusterHealthInput {
  const mine = latest.filter((r) => r.clusterId === cluster.id);
  const sum = (pick: (r: SeriesRow) => number | null) => mine.reduce((total, r) => total + (pick(r) ?? 0), 0);
  const requests = sum((r) => r.features.request_rate);
  const errors = sum((r) => (r.features.error_rate ?? 0) * (r.features.request_rate ?? 0));
  const list = nodes ?? [];
  const allocatableCpu = list.reduce((t, n) => t + (tryParseQuantity(n.cpu) ?? 0), 0);
  const allocatableMemory = list.reduce((t, n) => t + (tryParseQuantity(n.memory) ?? 0), 0);
  return {
    clusterId: cluster.id,
    name: cluster.name,
    environment: cluster.environment,
    readyNodes: list.filter((n) => n.ready).length,
    totalNodes: list.length,
    cpuUtilisation: allocatableCpu > 0 && mine.length ? sum((r) => r.features.cpu_usage) / allocatableCpu : null,
    memoryUtilisation: allocatableMemory > 0 && mine.length ? sum((r) => r.features.memory_usage) / allocatableMemory : null,
    errorRate: requests > 0 ? errors / requests : null,
    requestRate: mine.length ? requests : null,
  };
}
