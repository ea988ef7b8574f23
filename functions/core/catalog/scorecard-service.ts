import type { Clock } from '../platform/ports.ts';
import { NotFoundError } from '../errors.ts';
import type { CatalogEntity } from './entity.ts';
import { workloadOf, type CatalogIndex } from './graph.ts';
import type { RepositoryInspector, ScorecardStore, ServiceCatalog, WorkloadInspector } from './ports.ts';
import { computeScorecard, repositoryOf, summarize, type FleetScorecardSummary, type Scorecard } from './scorecard.ts';

export interface ScorecardServiceOptions {
  catalog: ServiceCatalog;
  workloads: WorkloadInspector;
  repositories: RepositoryInspector;
  clock: Clock;
  passingMark?: number;
  /** Computed cards; without a store every request computes (each card asks every cluster and the repository host). */
  store?: ScorecardStore;
  /** A stored card younger than this is served as is (default one hour). */
  maxAgeSeconds?: number;
}

/** Components computed at once (each asks every cluster and the repository host). */
const CONCURRENCY = 4;
/** Components without any card that a fleet summary request computes itself; the refresh schedule does the rest. */
const SUMMARY_LIVE_LIMIT = 8;
const DEFAULT_MAX_AGE_SECONDS = 3600;

export type ScorecardView = Scorecard & { computedAt?: string };
export type FleetScorecardView = FleetScorecardSummary & { pending?: number; oldestComputedAt?: string };

/** Gathers the facts for a component (clusters, repository), weighs them, and keeps the result. */
export class ScorecardService {
  readonly #options: ScorecardServiceOptions;

  constructor(options: ScorecardServiceOptions) {
    this.#options = options;
  }

  get #maxAgeMs(): number {
    return (this.#options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000;
  }

  #isFresh(computedAt: string | undefined): boolean {
    return computedAt !== undefined && this.#options.clock.now().getTime() - Date.parse(computedAt) < this.#maxAgeMs;
  }

  async #card(entity: CatalogEntity, catalog: CatalogIndex): Promise<ScorecardView> {
    const workload = workloadOf(entity);
    const repository = repositoryOf(entity);
    const [clusters, repo] = await Promise.all([
      workload ? this.#options.workloads.inspect(workload) : Promise.resolve([]),
      repository ? this.#options.repositories.inspect(repository) : Promise.resolve(undefined),
    ]);
    const now = this.#options.clock.now();
    const card = computeScorecard(entity, catalog, { clusters, ...(repo ? { repository: repo } : {}) }, { now, passingMark: this.#options.passingMark });
    await this.#options.store?.put(card, now);
    return { ...card, computedAt: now.toISOString() };
  }

  async #cards(entities: CatalogEntity[], catalog: CatalogIndex, deadline?: Date): Promise<ScorecardView[]> {
    const cards: ScorecardView[] = [];
    for (let i = 0; i < entities.length; i += CONCURRENCY) {
      if (deadline && this.#options.clock.now() >= deadline) break;
      cards.push(...(await Promise.all(entities.slice(i, i + CONCURRENCY).map((c) => this.#card(c, catalog)))));
    }
    return cards;
  }

  /** A component's card: the stored one while fresh, else computed now (and stored). */
  async forEntity(ref: string): Promise<ScorecardView> {
    const catalog = await this.#options.catalog.snapshot();
    const entity = catalog.get(ref);
    if (!entity) throw new NotFoundError(`${ref} is not in the catalog`);
    if (entity.kind !== 'Component') throw new NotFoundError(`${ref} is a ${entity.kind}: scorecards are kept for components`);
    const stored = await this.#options.store?.get(entity.ref);
    if (stored && this.#isFresh(stored.computedAt)) return { ...stored.card, computedAt: stored.computedAt };
    return this.#card(entity, catalog);
  }

  /**
   * Every component's card. With a store: the stored cards (as old as the last refresh), a few missing ones computed
   * now, and `pending` for those the refresh schedule has not reached yet; one Query instead of a fleet-wide fan-out.
   */
  async fleet(): Promise<FleetScorecardView> {
    const catalog = await this.#options.catalog.snapshot();
    const components = catalog.list('Component');
    const store = this.#options.store;
    if (!store) return summarize(await this.#cards(components, catalog), this.#options.passingMark);
    const stored = new Map((await store.list()).map((s) => [s.card.entity, s]));
    const have = components.flatMap((c) => stored.get(c.ref) ?? []);
    const missing = components.filter((c) => !stored.has(c.ref));
    const computed = await this.#cards(missing.slice(0, SUMMARY_LIVE_LIMIT), catalog);
    const oldest = have.map((s) => s.computedAt).sort()[0];
    return {
      ...summarize([...have.map((s) => s.card), ...computed], this.#options.passingMark),
      pending: missing.length - computed.length,
      ...(oldest ? { oldestComputedAt: oldest } : {}),
    };
  }

  /**
   * The schedule's pass: components without a card first, then the stalest, each older than the maximum age, until the
   * deadline. The stored computedAt is the cursor: the next run goes on where this one stopped, and two overlapping
   * runs only repeat work. One service per run, so each cluster is listed once for all the components.
   */
  async refresh(options: { deadline: Date }): Promise<{ computed: number; remaining: number }> {
    const store = this.#options.store;
    if (!store) throw new Error('scorecard refresh needs a store');
    const catalog = await this.#options.catalog.snapshot();
    const stored = new Map((await store.list()).map((s) => [s.card.entity, s.computedAt]));
    const due = catalog
      .list('Component')
      .filter((c) => !this.#isFresh(stored.get(c.ref)))
      .sort((a, b) => (stored.get(a.ref) ?? '').localeCompare(stored.get(b.ref) ?? '') || a.ref.localeCompare(b.ref));
    const computed = await this.#cards(due, catalog, options.deadline);
    return { computed: computed.length, remaining: due.length - computed.length };
  }
}
