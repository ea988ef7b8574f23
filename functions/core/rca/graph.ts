/** The dependency graph seen from the incident's service: who it calls, how deep, through whom. */
import type { GraphEdge } from './evidence.ts';

export interface Downstream {
  depth: number;
  /** target → ... → service */
  path: string[];
}

/** Services reachable from `from` along caller → callee edges (breadth first: shortest paths). */
export function downstreamOf(from: string, edges: GraphEdge[]): Map<string, Downstream> {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const out = new Map<string, Downstream>([[from, { depth: 0, path: [from] }]]);
  const queue = [from];
  while (queue.length) {
    const current = queue.shift() as string;
    const here = out.get(current) as Downstream;
    for (const callee of next.get(current) ?? []) {
      if (out.has(callee)) continue;
      out.set(callee, { depth: here.depth + 1, path: [...here.path, callee] });
      queue.push(callee);
    }
  }
  return out;
}
