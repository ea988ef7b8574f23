/**
 * The catalog as a graph: relations from `spec.owner`, `system`, `dependsOn`, `providesApis`,
 * `consumesApis` and `partOf`, the neighbourhood of one entity, and the caller → callee graph of
 * workloads that alert grouping, RCA and healing safety read.
 */
import type { DependencyGraph } from '../mesh/graph.ts';
import { annotation, type CatalogEntity } from './entity.ts';

export interface GraphNode {
  ref: string;
  kind: string;
  name: string;
  namespace: string;
  title?: string;
  /** Referenced but not (yet) in the catalog. */
  missing?: true;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** Backstage relation names, always in their forward direction. */
  type: 'ownedBy' | 'partOf' | 'dependsOn' | 'providesApi' | 'consumesApi' | 'childOf' | 'memberOf';
}

export interface Neighbourhood {
  entity: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** What the entity needs, directly or through others (dependsOn, and the providers of the APIs it consumes). */
  downstream: string[];
  /** What needs the entity, directly or through others. */
  upstream: string[];
}

/** Inverse relations a spec may state; stored the other way round so each edge exists once. */
const INVERSE: Record<string, GraphEdge['type']> = { dependencyOf: 'dependsOn', parentOf: 'childOf', hasMember: 'memberOf' };
const FORWARD = new Set<string>(['ownedBy', 'partOf', 'dependsOn', 'providesApi', 'consumesApi', 'childOf', 'memberOf']);

/** Annotation naming the Kubernetes workload of a component: `name` or `namespace/name`. */
export const WORKLOAD_ANNOTATION = 'fleetops.io/workload';
const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function parseRefParts(ref: string): { kind: string; namespace: string; name: string } {
  const [kind, rest] = ref.split(':', 2);
  const [namespace, name] = (rest ?? '').split('/', 2);
  return { kind, namespace, name };
}

/** An immutable, indexed snapshot of the catalog. Built once per read, shared by every question asked of it. */
export class CatalogIndex {
  readonly entities: ReadonlyMap<string, CatalogEntity>;
  readonly edges: readonly GraphEdge[];
  readonly #out = new Map<string, GraphEdge[]>();
  readonly #in = new Map<string, GraphEdge[]>();
  readonly #byWorkload = new Map<string, CatalogEntity[]>();

  constructor(entities: Iterable<CatalogEntity>) {
    this.entities = new Map([...entities].map((e) => [e.ref, e]));
    const edges = new Map<string, GraphEdge>();
    for (const entity of this.entities.values()) {
      for (const relation of entity.relations) {
        const edge: GraphEdge | undefined = FORWARD.has(relation.type)
          ? { from: entity.ref, to: relation.targetRef, type: relation.type as GraphEdge['type'] }
          : INVERSE[relation.type]
            ? { from: relation.targetRef, to: entity.ref, type: INVERSE[relation.type] }
            : undefined;
        if (edge && edge.from !== edge.to) edges.set(`${edge.from} ${edge.type} ${edge.to}`, edge);
      }
      if (entity.kind === 'Component') {
        const workload = workloadOf(entity);
        if (workload) this.#byWorkload.set(workload.name, [...(this.#byWorkload.get(workload.name) ?? []), entity]);
      }
    }
    this.edges = [...edges.values()].sort((a, b) => `${a.from} ${a.type} ${a.to}`.localeCompare(`${b.from} ${b.type} ${b.to}`));
    for (const edge of this.edges) {
      this.#out.set(edge.from, [...(this.#out.get(edge.from) ?? []), edge]);
      this.#in.set(edge.to, [...(this.#in.get(edge.to) ?? []), edge]);
    }
  }

  get(ref: string): CatalogEntity | undefined {
    return this.entities.get(ref);
  }

  list(kind?: string): CatalogEntity[] {
    const all = [...this.entities.values()];
    return (kind ? all.filter((e) => e.kind.toLowerCase() === kind.toLowerCase()) : all).sort((a, b) => a.ref.localeCompare(b.ref));
  }

  /** Direct dependencies of an entity: dependsOn targets and the providers of the APIs it consumes. */
  dependenciesOf(ref: string): string[] {
    const out = new Set<string>();
    for (const edge of this.#out.get(ref) ?? []) {
      if (edge.type === 'dependsOn') out.add(edge.to);
      if (edge.type === 'consumesApi') for (const provider of this.#in.get(edge.to) ?? []) if (provider.type === 'providesApi') out.add(provider.from);
    }
    out.delete(ref);
    return [...out].sort();
  }

  /** Direct dependents: the reverse of dependenciesOf. */
  dependentsOf(ref: string): string[] {
    const out = new Set<string>();
    for (const edge of this.#in.get(ref) ?? []) if (edge.type === 'dependsOn') out.add(edge.from);
    for (const edge of this.#out.get(ref) ?? []) {
      if (edge.type === 'providesApi') for (const consumer of this.#in.get(edge.to) ?? []) if (consumer.type === 'consumesApi') out.add(consumer.from);
    }
    out.delete(ref);
    return [...out].sort();
  }

  #closure(ref: string, step: (r: string) => string[], maxDepth: number): string[] {
    const seen = new Set<string>([ref]);
    let frontier = [ref];
    for (let depth = 0; depth < maxDepth && frontier.length; depth++) {
      frontier = frontier.flatMap(step).filter((r) => !seen.has(r) && (seen.add(r), true));
    }
    seen.delete(ref);
    return [...seen].sort();
  }

  /** The entity, everything it relates to directly, and its upstream and downstream along dependencies. */
  neighbourhood(ref: string, maxDepth = 5): Neighbourhood {
    const downstream = this.#closure(ref, (r) => this.dependenciesOf(r), maxDepth);
    const upstream = this.#closure(ref, (r) => this.dependentsOf(r), maxDepth);
    const refs = new Set<string>([ref, ...downstream, ...upstream]);
    for (const edge of [...(this.#out.get(ref) ?? []), ...(this.#in.get(ref) ?? [])]) refs.add(edge.from).add(edge.to);
    // The APIs that link the dependency chain, so the picture shows why two components are connected.
    for (const r of [ref, ...downstream, ...upstream]) {
      for (const edge of this.#out.get(r) ?? [])
        if ((edge.type === 'providesApi' || edge.type === 'consumesApi') && (r === ref || refs.has(edge.to))) refs.add(edge.to);
    }
    const nodes = [...refs].sort().map((r) => this.node(r));
    const edges = this.edges.filter((e) => refs.has(e.from) && refs.has(e.to));
    return { entity: ref, nodes, edges, downstream, upstream };
  }

  node(ref: string): GraphNode {
    const entity = this.entities.get(ref);
    const parts = parseRefParts(ref);
    if (!entity) return { ref, ...parts, missing: true };
    return {
      ref,
      kind: parts.kind,
      namespace: entity.metadata.namespace,
      name: entity.metadata.name,
      ...(entity.metadata.title ? { title: entity.metadata.title } : {}),
    };
  }

  /** Components that run as this workload (by `fleetops.io/workload` or their name), narrowed by namespace when the annotation names one. */
  componentsForWorkload(name: string, namespace?: string): CatalogEntity[] {
    return (this.#byWorkload.get(name) ?? []).filter((c) => {
      const ns = workloadOf(c)?.namespace;
      return !ns || !namespace || ns === namespace;
    });
  }

  /** Caller → callee graph of workload names, the shape alert grouping and healing safety use. */
  workloadGraph(): DependencyGraph {
    const graph: DependencyGraph = {};
    for (const entity of this.entities.values()) {
      if (entity.kind !== 'Component') continue;
      const from = workloadOf(entity)?.name;
      if (!from) continue;
      for (const dep of this.dependenciesOf(entity.ref)) {
        const target = this.entities.get(dep);
        const to = target?.kind === 'Component' ? workloadOf(target)?.name : undefined;
        if (to && to !== from) (graph[from] ??= []).push(to);
      }
    }
    return graph;
  }
}

/** The Kubernetes workload a component runs as: `fleetops.io/workload` (`name` or `namespace/name`), else its name when that is a valid one. */
export function workloadOf(entity: CatalogEntity): { name: string; namespace?: string } | undefined {
  const raw = annotation(entity, WORKLOAD_ANNOTATION) ?? annotation(entity, 'backstage.io/kubernetes-id');
  const ns = annotation(entity, 'backstage.io/kubernetes-namespace');
  if (raw) {
    const [a, b] = raw.split('/', 2);
    const name = b ?? a;
    const namespace = b !== undefined ? a : ns;
    if (K8S_NAME.test(name) && name.length <= 63 && (namespace === undefined || K8S_NAME.test(namespace))) return { name, ...(namespace ? { namespace } : {}) };
    return undefined;
  }
  const name = entity.metadata.name.toLowerCase();
  return K8S_NAME.test(name) ? { name, ...(ns && K8S_NAME.test(ns) ? { namespace: ns } : {}) } : undefined;
}
