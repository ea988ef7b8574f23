import { storeDocuments, type IngestResult } from './ingest.ts';
import type { CatalogStore } from './ports.ts';
import { readSourceTree, type SourceLimits } from './source-tree.ts';

export interface CatalogPullResult {
  url: string;
  accepted: number;
  rejected: IngestResult['rejected'];
  removed: string[];
  /** The files read for this source: the configured one, then its Locations' targets (origin and path). */
  files?: string[];
  /** Parts that could not be read: nothing was removed for this source. */
  incomplete?: string[];
  error?: string;
}

export interface CatalogPullDeps {
  /** Reads a URL under the address policy (functions/adapters/catalog/url-source.ts). */
  fetchText(url: string): Promise<string>;
  store: Pick<CatalogStore, 'put' | 'owners'> & { removeMissing(source: string, keep: Set<string>): Promise<string[]> };
  now(): Date;
  limits?: Partial<SourceLimits>;
  /** Time one pull may spend reading, all sources together; then what is left waits for the next pull. */
  budgetMs?: number;
}

/** Below the catalog-pull function's 120 s timeout, with room for the writes. */
export const PULL_BUDGET_MS = 90_000;

/**
 * One scheduled pull: each configured URL is a source of its own, with its Locations' targets and its
 * placeholders (source-tree.ts). Its valid entities are stored and the entities it listed before but
 * no longer does are removed, only after a complete read: a URL or target that is down removes nothing.
 * Running it twice gives the same catalog.
 */
export async function pullCatalogSources(urls: string[], deps: CatalogPullDeps): Promise<CatalogPullResult[]> {
  const results: CatalogPullResult[] = [];
  const deadline = deps.now().getTime() + (deps.budgetMs ?? PULL_BUDGET_MS);
  const expired = () => deps.now().getTime() >= deadline;
  for (const url of urls) {
    if (expired()) {
      results.push({ url, accepted: 0, rejected: [], removed: [], error: 'not read: the pull spent its time budget on the sources before it' });
      continue;
    }
    try {
      const tree = await readSourceTree(url, { fetchText: deps.fetchText, expired, limits: deps.limits });
      const ingested = await storeDocuments(deps.store, tree.documents, { source: `url:${url}`, at: deps.now() });
      const removed = tree.incomplete.length ? [] : await deps.store.removeMissing(`url:${url}`, new Set(ingested.refs));
      results.push({
        url,
        accepted: ingested.accepted,
        rejected: ingested.rejected,
        removed,
        files: tree.files,
        ...(tree.incomplete.length ? { incomplete: tree.incomplete } : {}),
      });
    } catch (error) {
      results.push({ url, accepted: 0, rejected: [], removed: [], error: error instanceof Error ? error.message.slice(0, 300) : String(error) });
    }
  }
  return results;
}
