import type { ClusterHealthRecord } from './health-record.ts';

/** Each cluster's health score per pull (a time series with a TTL). */
export interface ClusterHealthStore {
  /** Writes the pull's item; a retried pull writes the same key again. */
  put(record: ClusterHealthRecord): Promise<void>;
  /** The newest item strictly before `at` (the previous pull's). */
  previous(clusterId: string, at: string): Promise<ClusterHealthRecord | undefined>;
  /** The newest item of each cluster, when it is not older than `since`. */
  latest(clusterIds: readonly string[], since: Date): Promise<Map<string, ClusterHealthRecord>>;
}
