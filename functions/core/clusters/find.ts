import { NotFoundError } from '../errors.ts';
import type { ClusterRecord, ClusterStore } from './cluster-record.ts';

/** The one way to find a cluster from what a person typed: its id first, then its name. */
export async function findCluster(store: Pick<ClusterStore, 'get' | 'getByName'>, idOrName: string): Promise<ClusterRecord | undefined> {
  return (await store.get(idOrName)) ?? (await store.getByName(idOrName));
}

export async function requireCluster(store: Pick<ClusterStore, 'get' | 'getByName'>, idOrName: string): Promise<ClusterRecord> {
  const record = await findCluster(store, idOrName);
  if (!record) throw new NotFoundError(`Cluster ${idOrName} not found`);
  return record;
}
