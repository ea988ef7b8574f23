import type { Clock } from '../platform/ports.ts';
import { NotFoundError } from '../errors.ts';
import type { CatalogEntity } from './entity.ts';
import { workloadOf, type CatalogIndex } from './graph.ts';
import type { RepositoryInspector, ServiceCatalog, WorkloadInspector } from './ports.ts';
import { computeScorecard, repositoryOf, summarize, type FleetScorecardSummary, type Scorecard } from './scorecard.ts';

export interface ScorecardServiceOptions {
  catalog: ServiceCatalog;
  workloads: WorkloadInspector;
  repositories: RepositoryInspector;
  clock: Clock;
  passingMark?: number;
}

/** Gathers the facts for a component (clusters, repository) and weighs them. */
export class ScorecardService {
  readonly #options: ScorecardServiceOptions;

  constructor(options: ScorecardServiceOptions) {
    this.#options = options;
  }

  async #card(entity: CatalogEntity, catalog: CatalogIndex): Promise<Scorecard> {
    const workload = workloadOf(entity);
    const repository = repositoryOf(entity);
    const [clusters, repo] = await Promise.all([
      workload ? this.#options.workloads.inspect(workload) : Promise.resolve([]),
      repository ? this.#options.repositories.inspect(repository) : Promise.resolve(undefined),
    ]);
    return computeScorecard(
      entity,
      catalog,
      { clusters, ...(repo ? { repository: repo } : {}) },
      { now: this.#options.clock.now(), passingMark: this.#options.passingMark },
    );
  }

  async forEntity(ref: string): Promise<Scorecard> {
    const catalog = await this.#options.catalog.snapshot();
    const entity = catalog.get(ref);
    if (!entity) throw new NotFoundError(`${ref} is not in the catalog`);
    if (entity.kind !== 'Component') throw new NotFoundError(`${ref} is a ${entity.kind}: scorecards are kept for components`);
    return this.#card(entity, catalog);
  }

  /** Every component, a few at a time (each asks every cluster and the repository host). */
  async fleet(): Promise<FleetScorecardSummary> {
    const catalog = await this.#options.catalog.snapshot();
    const components = catalog.list('Component');
    const cards: Scorecard[] = [];
    for (let i = 0; i < components.length; i += 4) cards.push(...(await Promise.all(components.slice(i, i + 4).map((c) => this.#card(c, catalog)))));
    return summarize(cards, this.#options.passingMark);
  }
}
