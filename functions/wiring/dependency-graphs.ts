import { DynamoDependencyGraphStore } from '../adapters/aws/dynamodb/dependency-graph-store.ts';
import { mergeGraphs, type DependencyGraph, type DependencyGraphStore, type GraphSource } from '../core/mesh/graph.ts';
import { wiring } from '../wiring.ts';
import { serviceCatalog } from './catalog.ts';

let graphs: { base: unknown; store: DependencyGraphStore } | undefined;

/**
 * Reads merge the stored per-cluster graphs (the mesh) with the catalog's workload graph
 * (`dependsOn` and API edges, the same for every cluster). The catalog is read through its one port;
 * when it cannot be read, the stored graph answers alone.
 */
class CombinedGraphStore implements DependencyGraphStore {
  readonly #stored: DependencyGraphStore;
  constructor(stored: DependencyGraphStore) {
    this.#stored = stored;
  }
  put(cluster: string, source: GraphSource, graph: DependencyGraph, at: Date): Promise<void> {
    return this.#stored.put(cluster, source, graph, at);
  }
  async get(cluster: string): Promise<DependencyGraph | undefined> {
    const [stored, catalog] = await Promise.all([
      this.#stored.get(cluster),
      serviceCatalog()
        .snapshot()
        .then((index) => index.workloadGraph())
        .catch(() => undefined),
    ]);
    const parts = [stored, catalog].filter((g): g is DependencyGraph => !!g && Object.keys(g).length > 0);
    return parts.length ? mergeGraphs(parts) : undefined;
  }
}

/** The per-cluster dependency graphs (mesh and catalog), as the pull writes and the alert pipeline, RCA and healing read them. */
export function dependencyGraphStore(): DependencyGraphStore {
  const base = wiring();
  if (graphs?.base !== base) graphs = { base, store: new CombinedGraphStore(new DynamoDependencyGraphStore({ client: base.documentClient, tableName: base.config.TABLE_NAME })) };
  return graphs.store;
}
