import type { Clock } from '../platform/ports.ts';
import type { CatalogEntity } from './entity.ts';
import type { ClusterFacts, RepositoryFacts, Scorecard } from './scorecard.ts';
import { CatalogIndex } from './graph.ts';
import type { TarEntry } from './tar.ts';

/** Packs a generated skeleton (golden path) as a gzipped tar; parent directories are added, the output is reproducible. */
export interface ArchiveWriter {
  tarGz(entries: TarEntry[]): Promise<Buffer>;
}

/** Where entities are kept (DynamoDB). A put replaces the entity with the same ref: ingesting twice changes nothing. */
export interface CatalogStore {
  put(entities: CatalogEntity[], meta: { source: string; at: Date }): Promise<void>;
  /** The source that wrote each of these refs (absent: not in the catalog). */
  owners(refs: string[]): Promise<Map<string, string>>;
  list(kind?: string): Promise<CatalogEntity[]>;
  get(ref: string): Promise<CatalogEntity | undefined>;
  /** Removes what `source` wrote that is not in `keep` (a pulled URL's entities gone from it); returns the removed refs. */
  removeMissing(source: string, keep: Set<string>): Promise<string[]>;
}

/**
 * The one port through which alert grouping, routing, RCA, healing safety and detection read the
 * catalog: an indexed snapshot, never older than `cacheSeconds` in a warm Lambda.
 */
export interface ServiceCatalog {
  snapshot(): Promise<CatalogIndex>;
}

export class CachedServiceCatalog implements ServiceCatalog {
  readonly #store: Pick<CatalogStore, 'list'>;
  readonly #clock: Clock;
  readonly #cacheMs: number;
  #cached?: { at: number; index: Promise<CatalogIndex> };

  constructor(options: { store: Pick<CatalogStore, 'list'>; clock: Clock; cacheSeconds?: number }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#cacheMs = (options.cacheSeconds ?? 30) * 1000;
  }

  snapshot(): Promise<CatalogIndex> {
    const now = this.#clock.now().getTime();
    if (this.#cached && now - this.#cached.at < this.#cacheMs && now >= this.#cached.at) return this.#cached.index;
    const index = this.#store.list().then((entities) => new CatalogIndex(entities));
    this.#cached = { at: now, index };
    // A failed read is not cached: the next caller tries again.
    index.catch(() => {
      if (this.#cached?.index === index) this.#cached = undefined;
    });
    return index;
  }

  /** Forget the snapshot (after an ingest in this process). */
  invalidate(): void {
    this.#cached = undefined;
  }
}

/** Repository checks of scorecards: the GitHub REST API in production, a local server speaking its shapes in tests. */
export interface RepositoryInspector {
  inspect(repository: { owner: string; repo: string }): Promise<RepositoryFacts>;
}

/** Kubernetes checks of scorecards: what each registered cluster runs for a workload. */
export interface WorkloadInspector {
  inspect(workload: { name: string; namespace?: string }): Promise<ClusterFacts[]>;
}

/** A component's scorecard as last computed (by the refresh schedule, or by a request that found none fresh). */
export interface StoredScorecard {
  card: Scorecard;
  computedAt: string;
}

/** Computed scorecards, one per component: the API reads them instead of asking every cluster and GitHub per request. */
export interface ScorecardStore {
  get(entityRef: string): Promise<StoredScorecard | undefined>;
  list(): Promise<StoredScorecard[]>;
  put(card: Scorecard, computedAt: Date): Promise<void>;
}
