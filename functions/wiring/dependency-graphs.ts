import { DynamoDependencyGraphStore } from '../adapters/aws/dynamodb/dependency-graph-store.ts';
import type { DependencyGraphStore } from '../core/mesh/graph.ts';
import { wiring } from '../wiring.ts';

let graphs: { base: unknown; store: DependencyGraphStore } | undefined;

/** The per-cluster dependency graphs (mesh now, catalog later), as the pull writes and the alert pipeline reads them. */
export function dependencyGraphStore(): DependencyGraphStore {
  const base = wiring();
  if (graphs?.base !== base) graphs = { base, store: new DynamoDependencyGraphStore({ client: base.documentClient, tableName: base.config.TABLE_NAME }) };
  return graphs.store;
}
