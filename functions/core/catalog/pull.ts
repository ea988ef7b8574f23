import { ingestCatalog } from './ingest.ts';
import type { CatalogStore } from './ports.ts';

export interface CatalogPullResult {
  url: string;
  accepted: number;
  rejected: { index: number; error: string }[];
  removed: string[];
  error?: string;
}

export interface CatalogPullDeps {
  /** Reads a URL under the address policy (functions/adapters/catalog/url-source.ts). */
  fetchText(url: string): Promise<string>;
  store: Pick<CatalogStore, 'put' | 'owners'> & { removeMissing(source: string, keep: Set<string>): Promise<string[]> };
  now(): Date;
}

/**
 * One scheduled pull: each configured URL is a source of its own. Its valid entities are stored and
 * the entities it listed before but no longer does are removed, only after a successful read: a URL
 * that is down removes nothing. Running it twice gives the same catalog.
 */
export async function pullCatalogSources(urls: string[], deps: CatalogPullDeps): Promise<CatalogPullResult[]> {
  const results: CatalogPullResult[] = [];
  for (const url of urls) {
    try {
      const text = await deps.fetchText(url);
      const ingested = await ingestCatalog(deps.store, text, { source: `url:${url}`, at: deps.now() });
      const removed = await deps.store.removeMissing(`url:${url}`, new Set(ingested.refs));
      results.push({ url, accepted: ingested.accepted, rejected: ingested.rejected, removed });
    } catch (error) {
      results.push({ url, accepted: 0, rejected: [], removed: [], error: error instanceof Error ? error.message.slice(0, 300) : String(error) });
    }
  }
  return results;
}
