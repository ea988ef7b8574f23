import { mergeGraphs, type DependencyGraph, type DependencyGraphStore, type GraphSource } from '../mesh/graph.ts';
import type { ServiceCatalog } from './ports.ts';

/**
 * Reads merge the stored per-cluster graphs (the mesh) with the catalog's workload graph
 * (`dependsOn` and API edges, the same for every cluster). When the catalog cannot be read, the
 * stored graph answers alone; writes go to the stored graphs.
 */
export class CatalogAwareGraphStore implements DependencyGraphStore {
  readonly #stored: DependencyGraphStore;
  readonly #catalog: ServiceCatalog;

  constructor(stored: DependencyGraphStore, catalog: ServiceCatalog) {
    this.#stored = stored;
    this.#catalog = catalog;
  }

  put(cluster: string, source: GraphSource, graph: DependencyGraph, at: Date): Promise<void> {
    return this.#stored.put(cluster, source, graph, at);
  }

  async get(cluster: string): Promise<DependencyGraph | undefined> {
    const [stored, catalog] = await Promise.all([
      this.#stored.get(cluster),
      this.#catalog
        .snapshot()
        .then((index) => index.workloadGraph())
        .catch(() => undefined),
    ]);
    const parts = [stored, catalog].filter((g): g is DependencyGraph => !!g && Object.keys(g).length > 0);
    return parts.length ? mergeGraphs(parts) : undefined;
  }
}
