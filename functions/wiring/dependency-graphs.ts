import { DynamoDependencyGraphStore } from '../adapters/aws/dynamodb/dependency-graph-store.ts';
import { CatalogAwareGraphStore } from '../core/catalog/dependency-graph.ts';
import type { DependencyGraphStore } from '../core/mesh/graph.ts';
import { wiring } from '../wiring.ts';
import { serviceCatalog } from './catalog.ts';

let graphs: { base: unknown; store: DependencyGraphStore } | undefined;

/** The per-cluster dependency graphs (mesh and catalog), as the pull writes and alert grouping and healing safety read them (RCA reads the catalog directly). */
export function dependencyGraphStore(): DependencyGraphStore {
  const base = wiring();
  if (graphs?.base !== base) graphs = { base, store: new CatalogAwareGraphStore(new DynamoDependencyGraphStore({ client: base.documentClient, tableName: base.config.TABLE_NAME }), { snapshot: async () => serviceCatalog().snapshot() }) };
  return graphs.store;
}
