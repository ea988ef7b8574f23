/**
 * The service dependency graph of a cluster, as the alert pipeline uses it: caller → callees.
 * Sources: the service mesh (Istio's standard `istio_requests_total`, the way Kiali draws its graph) and,
 * later, the catalog (`dependsOn`). Each source's graph is stored apart; readers merge them.
 */

/** Adjacency list, caller → callees (the GroupingConfig.dependencies shape). */
export type DependencyGraph = Record<string, string[]>;

export type GraphSource = 'mesh' | 'catalog';

const LABEL_VALUE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const WINDOW = /^\d{1,4}[smh]$/;

/**
 * Edges with traffic over `window`, as the caller's proxy reports them (reporter="source" sees calls that
 * never reached a pod too). One instant query per cluster per pull.
 */
export function meshEdgesQuery(options: { window: string; namespaces: readonly string[]; matchers?: Record<string, string> }): string {
  if (!WINDOW.test(options.window)) throw new Error(`invalid rate window ${JSON.stringify(options.window)}`);
  const namespaces = options.namespaces.filter((n) => LABEL_VALUE.test(n));
  if (!namespaces.length) throw new Error('no valid namespace for the mesh graph');
  const extra = Object.entries(options.matchers ?? {})
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !k.startsWith('__'))
    .map(([k, v]) => `,${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join('');
  const ns = namespaces.map((n) => n.replace(/\./g, '\\\\.')).join('|');
  return (
    'sum by (source_workload, source_workload_namespace, destination_workload, destination_workload_namespace) ' +
    `(rate(istio_requests_total{reporter="source",destination_workload_namespace=~"${ns}"${extra}}[${options.window}])) > 0`
  );
}

/**
 * Rows of that query → graph. Only calls between workloads of the pulled namespaces count: the ingress
 * gateway and `unknown` sources are traffic entry points, not services that can fail with their callees.
 */
export function graphFromMeshRows(rows: { metric: Record<string, string>; value: number }[], namespaces: readonly string[]): DependencyGraph {
  const graph = new Map<string, Set<string>>();
  for (const { metric, value } of rows) {
    if (!(value > 0)) continue;
    const from = metric.source_workload;
    const to = metric.destination_workload;
    if (!from || !to || from === 'unknown' || to === 'unknown' || from === to) continue;
    if (!namespaces.includes(metric.source_workload_namespace ?? '') || !namespaces.includes(metric.destination_workload_namespace ?? '')) continue;
    if (!LABEL_VALUE.test(from) || !LABEL_VALUE.test(to)) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
  }
  return normalizeGraph(Object.fromEntries([...graph].map(([k, v]) => [k, [...v]])));
}

/** Sorted, deduplicated, bounded (a graph item stays far below DynamoDB's 400 KB). */
export function normalizeGraph(graph: DependencyGraph, maxNodes = 2000): DependencyGraph {
  const out: DependencyGraph = {};
  for (const from of Object.keys(graph).sort().slice(0, maxNodes)) {
    const tos = [...new Set(graph[from])]
      .filter((t) => t !== from)
      .sort()
      .slice(0, 200);
    if (tos.length) out[from] = tos;
  }
  return out;
}

/** Union of several sources' graphs. */
export function mergeGraphs(graphs: DependencyGraph[]): DependencyGraph {
  const merged: DependencyGraph = {};
  for (const g of graphs) for (const [from, tos] of Object.entries(g)) merged[from] = [...(merged[from] ?? []), ...tos];
  return normalizeGraph(merged);
}

/** Everything `service` calls, directly or through others (its dependencies' dependencies). */
export function downstreamOf(service: string, graph: DependencyGraph): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph[service] ?? [])];
  while (stack.length) {
    const s = stack.pop()!;
    if (s === service || seen.has(s)) continue;
    seen.add(s);
    stack.push(...(graph[s] ?? []));
  }
  return seen;
}

/** Everything that calls `service`, directly or through others. */
export function upstreamOf(service: string, graph: DependencyGraph): Set<string> {
  const reversed: DependencyGraph = {};
  for (const [from, tos] of Object.entries(graph)) for (const to of tos) (reversed[to] ??= []).push(from);
  return downstreamOf(service, reversed);
}

/** Where graphs are kept per cluster (by name, as alerts carry it) and source. */
export interface DependencyGraphStore {
  put(cluster: string, source: GraphSource, graph: DependencyGraph, at: Date): Promise<void>;
  /** The merged graph of every source, or undefined when no source has one. */
  get(cluster: string): Promise<DependencyGraph | undefined>;
}
