/** Cost allocation per pull, the cost report, one entity's cost, and right-sizing recommendations. */
import type { Clock, EventPublisher } from '../platform/ports.ts';
import { advanceCapacity, type CapacityOptions } from './capacity.ts';
import type { ServiceCatalog } from '../catalog/ports.ts';
import { workloadOf } from '../catalog/graph.ts';
import { normalizeRef, type CatalogEntity } from '../catalog/entity.ts';
import { ownerContactForService } from '../catalog/owners.ts';
import { NotFoundError } from '../errors.ts';
import { allocate, nodePriceQuery } from './allocation.ts';
import type { ClusterResources, CostStore, DailyCostRow } from './ports.ts';
import type { NodePricer } from './prices.ts';
import { buildReport, isoDate, windowDates, type CostGroupBy, type CostItem, type CostReport, type CostWindow } from './report.ts';
import { containerHash, parseRecommendationId, recommendationId, type ContainerKey } from './recommendation-id.ts';
import {
  DEFAULT_RIGHTSIZING,
  observedNeed,
  recommend,
  usageDeltas,
  type ObservedNeed,
  type Recommendation,
  type RightsizingOptions,
  type UsageDay,
} from './rightsizing.ts';

/** A recommendation with its id (`POST /v1/recommendations/{id}/apply`). */
export type IdentifiedRecommendation = Recommendation & { id: string };

export interface CostServiceDeps {
  store: CostStore;
  pricer: NodePricer;
  catalog: ServiceCatalog;
  clock: Clock;
  /** Where `PredictedBreach` events go (the alert pipeline's rule). */
  events: EventPublisher;
  rightsizing?: Partial<RightsizingOptions>;
  capacity?: Partial<CapacityOptions>;
}

export interface CostPullResult {
  clusterId: string;
  total: number;
  idle: number;
  workloads: number;
  recorded: boolean;
  breaches: number;
}

export interface RecommendationQuery {
  cluster?: string;
  namespace?: string;
  service?: string;
  /** Days of evidence (default 7). */
  days?: number;
}

export class CostService {
  readonly #deps: CostServiceDeps;

  constructor(deps: CostServiceDeps) {
    this.#deps = deps;
  }

  /** Prices the cluster's nodes, allocates the interval's cost and records it once per (cluster, pull). */
  async pullCluster(input: {
    clusterId: string;
    cluster: string;
    pullId: string;
    at: Date;
    intervalSeconds: number;
    resources: ClusterResources;
  }): Promise<CostPullResult> {
    const { nodes, pods, usage } = input.resources;
    const prices = await Promise.all(nodes.map((n) => this.#deps.pricer.price(nodePriceQuery(input.cluster, n))));
    const allocation = allocate({ cluster: input.cluster, nodes, pods, usage, prices, intervalSeconds: input.intervalSeconds, now: input.at });
    const recorded = await this.#deps.store.recordPull({
      clusterId: input.clusterId,
      cluster: input.cluster,
      pullId: input.pullId,
      date: isoDate(input.at),
      at: input.at,
      allocation,
      usage: usageDeltas(allocation.samples),
    });
    // Which container runs out of memory next: forecast against the limit, PredictedBreach when it will cross.
    const previous = await this.#deps.store.capacity(input.clusterId);
    const capacity = advanceCapacity({
      clusterId: input.clusterId,
      cluster: input.cluster,
      pullId: input.pullId,
      at: input.at,
      intervalSeconds: input.intervalSeconds,
      previous,
      samples: allocation.samples,
      ...(this.#deps.capacity ? { options: this.#deps.capacity } : {}),
    });
    // Events before state: a crash in between re-sends the same event ids (the pipeline deduplicates), never loses one.
    for (let i = 0; i < capacity.events.length; i += 10) await this.#deps.events.publish(capacity.events.slice(i, i + 10));
    await this.#deps.store.putCapacity(input.clusterId, capacity.next, previous, input.at);
    const breaches = capacity.next.filter((s) => s.breach).length;
    return { clusterId: input.clusterId, total: allocation.total, idle: allocation.idle, workloads: allocation.items.length, recorded, breaches };
  }

  async #rows(window: CostWindow): Promise<DailyCostRow[]> {
    const { current, previous } = windowDates(window, this.#deps.clock.now());
    return this.#deps.store.daily(previous[0]!, current[current.length - 1]!);
  }

  async costs(query: { groupBy: CostGroupBy; window: CostWindow }): Promise<CostReport> {
    const rows = await this.#rows(query.window);
    const now = this.#deps.clock.now();
    if (query.groupBy === 'owner') {
      const catalog = await this.#deps.catalog.snapshot();
      const owners = new Map<string, string>();
      return buildReport(rows, query.window, now, (row) => {
        const k = `${row.namespace}/${row.service}`;
        if (!owners.has(k)) owners.set(k, ownerContactForService(catalog, row.service!, row.namespace)?.owner ?? 'unowned');
        return owners.get(k);
      });
    }
    return buildReport(rows, query.window, now, (row) =>
      query.groupBy === 'cluster' ? row.cluster : query.groupBy === 'namespace' ? row.namespace : row.service,
    );
  }

  /** One catalog entity's cost: a Component's workload, or everything a Group or User owns. */
  async entityCost(ref: string, window: CostWindow): Promise<CostItem & { window: CostWindow; currency: 'USD' }> {
    const catalog = await this.#deps.catalog.snapshot();
    const entity = catalog.get(ref);
    if (!entity) throw new NotFoundError(`No catalog entity ${ref}`);
    let components: CatalogEntity[];
    if (entity.kind === 'Component') components = [entity];
    else if (entity.kind === 'Group' || entity.kind === 'User')
      components = catalog.list('Component').filter((c) => c.relations.some((r) => r.type === 'ownedBy' && r.targetRef === ref));
    else if (entity.kind === 'System')
      components = catalog.list('Component').filter((c) => c.relations.some((r) => r.type === 'partOf' && r.targetRef === ref));
    else throw new NotFoundError(`${ref} is a ${entity.kind}: costs are kept for components, systems, groups and users`);
    const workloads = components.map(workloadOf).filter((w): w is { name: string; namespace?: string } => w !== undefined);
    const rows = await this.#rows(window);
    const report = buildReport(rows, window, this.#deps.clock.now(), (row) =>
      workloads.some((w) => w.name === row.service && (!w.namespace || w.namespace === row.namespace)) ? ref : undefined,
    );
    const { current } = windowDates(window, this.#deps.clock.now());
    const item = report.items[0] ?? { key: ref, cost: 0, previous: 0, changePct: null, daily: current.map((date) => ({ date, cost: 0 })) };
    return { window, currency: 'USD', ...item };
  }

  /** `/fleet cost [service|team]`: the 30-day fleet bill, or a service's, or a team's (a catalog owner, `team-x` or `group:ns/team-x`). */
  async summary(target?: string): Promise<{ window: CostWindow; total?: number; idle?: number; items: CostItem[]; target?: string }> {
    const window: CostWindow = '30d';
    if (!target) {
      const r = await this.costs({ groupBy: 'service', window });
      return { window, total: r.total, idle: r.idle, items: r.items };
    }
    const services = await this.costs({ groupBy: 'service', window });
    const service = services.items.find((i) => i.key === target);
    if (service) return { window, target, items: [service] };
    const owner = normalizeRef(target, { kind: 'group' });
    const owners = await this.costs({ groupBy: 'owner', window });
    return { window, target, items: owners.items.filter((i) => i.key === owner) };
  }

  async recommendations(query: RecommendationQuery): Promise<{ items: IdentifiedRecommendation[] }> {
    const items = (await this.#evaluate(query)).map((e) => e.recommendation);
    items.sort((a, b) => b.monthlySaving - a.monthlySaving || a.cluster.localeCompare(b.cluster) || a.workload.localeCompare(b.workload));
    return { items };
  }

  /**
   * One recommendation by id, recomputed from the stored evidence now, with what its history says the
   * container needs and the other containers of its workload. Unknown: no container of that id has a
   * recommendation today. Stale: it has, with other values than the id's.
   */
  async recommendationById(
    id: string,
  ): Promise<
    { state: 'current' | 'stale'; clusterId: string; recommendation: IdentifiedRecommendation; need: ObservedNeed; containers: string[] } | { state: 'unknown' }
  > {
    const parsed = parseRecommendationId(id);
    if (!parsed) return { state: 'unknown' };
    const all = await this.#evaluate({ days: parsed.days });
    const found = all.find((e) => containerHash(e) === parsed.container);
    if (!found) return { state: 'unknown' };
    const { clusterId, namespace, workload } = found;
    const containers = all.filter((e) => e.clusterId === clusterId && e.namespace === namespace && e.workload === workload).map((e) => e.container);
    return {
      state: found.recommendation.id === id ? 'current' : 'stale',
      clusterId,
      recommendation: found.recommendation,
      need: found.need,
      containers,
    };
  }

  async #evaluate(query: RecommendationQuery): Promise<(ContainerKey & { recommendation: IdentifiedRecommendation; need: ObservedNeed })[]> {
    const days = query.days ?? 7;
    const now = this.#deps.clock.now();
    const from = isoDate(new Date(now.getTime() - (days - 1) * 86_400_000));
    const usage = await this.#deps.store.usage(from, isoDate(now));
    const groups = new Map<string, UsageDay[]>();
    for (const u of usage) {
      if (query.cluster && u.cluster !== query.cluster && u.clusterId !== query.cluster) continue;
      if (query.namespace && u.namespace !== query.namespace) continue;
      if (query.service && u.workload !== query.service) continue;
      const key = `${u.clusterId}/${u.namespace}/${u.workload}/${u.container}`;
      groups.set(key, [...(groups.get(key) ?? []), u]);
    }
    const options = { ...DEFAULT_RIGHTSIZING, ...this.#deps.rightsizing };
    return [...groups.values()].flatMap((g) => {
      const r = recommend(g, `${days}d`, options);
      const need = observedNeed(g, options);
      if (!r || !need) return [];
      const key = { clusterId: g[0]!.clusterId, namespace: r.namespace, workload: r.workload, container: r.container };
      return [{ ...key, need, recommendation: { id: recommendationId(key, days, r.recommended), ...r } }];
    });
  }
}
