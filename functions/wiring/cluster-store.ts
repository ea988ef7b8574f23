import { DynamoClusterStore } from '../adapters/aws/dynamodb/cluster-store.ts';
import type { ClusterStore } from '../core/clusters/cluster-record.ts';
import { wiring } from '../wiring.ts';

let built: { base: unknown; store: ClusterStore } | undefined;

/** Cluster records only; handlers that never talk to a cluster stay free of the Kubernetes client. */
export function clusterStore(): ClusterStore {
  const base = wiring();
  if (built?.base !== base) built = { base, store: new DynamoClusterStore(base.documentClient, base.config.TABLE_NAME) };
  return built.store;
}
