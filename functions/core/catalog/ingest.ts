import type { CatalogEntity } from './entity.ts';
import { parseCatalogDocuments } from './parse.ts';
import type { CatalogStore } from './ports.ts';

/** DynamoDB items stop at 400 KB; an entity this large is refused with a reason instead. */
const MAX_ENTITY_BYTES = 300 * 1024;

export interface IngestResult {
  accepted: number;
  rejected: { index: number; error: string }[];
  refs: string[];
}

export interface IngestMeta {
  /** Who writes: `url:<pull URL>`, `api:<caller subject>`, `golden-path:<caller subject>`. */
  source: string;
  at: Date;
  /** The caller may take over entities another source wrote (the `admin` role). */
  takeOver?: boolean;
}

/** Entities written through the API before sources named their caller: the first caller to write one claims it. */
const LEGACY_SOURCES = new Set(['api', 'golden-path']);

/**
 * Whether `source` may write an entity `owner` wrote. An entity belongs to the source that created
 * it: another team's pull URL or API caller cannot replace its Group or Component (PagerDuty key,
 * Slack channel, SLO guardrails, dependsOn); taking it over needs `admin`.
 */
export function mayWrite(owner: string | undefined, source: string, takeOver = false): boolean {
  if (owner === undefined || owner === source || takeOver) return true;
  return LEGACY_SOURCES.has(owner) && source.startsWith('api:');
}

/**
 * Valid documents are stored (a second ingest of the same text changes nothing), invalid ones and
 * ones owned by another source are reported by index.
 */
export async function ingestCatalog(store: Pick<CatalogStore, 'put' | 'owners'>, raw: string, meta: IngestMeta): Promise<IngestResult> {
  const results = parseCatalogDocuments(raw);
  const accepted: CatalogEntity[] = [];
  const rejected: IngestResult['rejected'] = [];
  const seen = new Map<string, number>();
  for (const result of results) {
    if ('error' in result) {
      rejected.push({ index: result.index, error: result.error });
      continue;
    }
    const { entity } = result;
    if (seen.has(entity.ref)) {
      rejected.push({ index: result.index, error: `${entity.ref} is already defined by document ${seen.get(entity.ref)} of this request` });
      continue;
    }
    if (Buffer.byteLength(JSON.stringify(entity), 'utf8') > MAX_ENTITY_BYTES) {
      rejected.push({ index: result.index, error: `${entity.ref} is larger than ${MAX_ENTITY_BYTES / 1024} KB` });
      continue;
    }
    seen.set(entity.ref, result.index);
    accepted.push(entity);
  }
  const owners = accepted.length ? await store.owners(accepted.map((e) => e.ref)) : new Map<string, string>();
  const owned = accepted.filter((entity) => {
    const owner = owners.get(entity.ref);
    if (mayWrite(owner, meta.source, meta.takeOver)) return true;
    rejected.push({
      index: seen.get(entity.ref)!,
      error: `${entity.ref} belongs to another source (${owner!.replace(/^(api|golden-path):.*/, '$1 caller')}); taking it over needs the admin role`,
    });
    return false;
  });
  rejected.sort((a, b) => a.index - b.index);
  if (owned.length) await store.put(owned, { source: meta.source, at: meta.at });
  return { accepted: owned.length, rejected, refs: owned.map((e) => e.ref) };
}
