import { graphFromMeshRows, meshEdgesQuery, type DependencyGraph, type DependencyGraphStore } from './graph.ts';

/** An instant PromQL query: the cluster's Prometheus (or AMP / Thanos / Mimir). */
export type InstantQuery = (promql: string) => Promise<{ metric: Record<string, string>; value: number }[]>;

/**
 * Reads the cluster's call graph from its mesh metrics and stores it as the `mesh` source. An empty answer
 * (no Istio, or no traffic in the window) keeps the last graph: it ages out by TTL rather than flapping.
 */
export async function refreshMeshGraph(options: {
  cluster: string;
  namespaces: readonly string[];
  window: string;
  matchers?: Record<string, string>;
  query: InstantQuery;
  store: DependencyGraphStore;
  now: Date;
}): Promise<DependencyGraph> {
  const rows = await options.query(meshEdgesQuery({ window: options.window, namespaces: options.namespaces, matchers: options.matchers }));
  const graph = graphFromMeshRows(rows, options.namespaces);
  if (Object.keys(graph).length) await options.store.put(options.cluster, 'mesh', graph, options.now);
  return graph;
}
