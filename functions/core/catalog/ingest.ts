import { isLocation, validateEntity, type CatalogEntity } from './entity.ts';
import { parseCatalogValues } from './parse.ts';
import { findPlaceholders, formatPath } from './placeholders.ts';
import type { CatalogStore } from './ports.ts';
import type { SourcedDocument } from './source-tree.ts';

/** DynamoDB items stop at 400 KB; an entity this large is refused with a reason instead. */
const MAX_ENTITY_BYTES = 300 * 1024;

export interface IngestResult {
  accepted: number;
  /** `url`: the file the document is in, for a pulled source (a Location's targets are files of their own). */
  rejected: { index: number; error: string; url?: string }[];
  refs: string[];
  /** Accepted documents whose placeholders were kept as written (a POSTed body has no URL to resolve them against). */
  unresolved: { index: number; ref: string; fields: string[] }[];
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

const LOCATION_POSTED =
  'kind Location is followed only in a pull (FLEETOPS_CATALOG_URLS), where its targets are read relative to its own URL on the same host; a posted body has no URL: post the target files themselves';

/**
 * One document of a POSTed body. Its placeholders are kept as written and named in `unresolved`: there
 * is no file URL to resolve a relative one against, and an absolute one would have fleetops fetch any
 * URL a caller writes, so neither is fetched.
 */
function postedDocument(index: number, value: unknown): SourcedDocument {
  if (isLocation(value)) return { index, error: LOCATION_POSTED };
  const found = findPlaceholders(value);
  if ('error' in found) return { index, error: found.error };
  const checked = validateEntity(value);
  if ('error' in checked) {
    if (!found.placeholders.length) return { index, error: checked.error };
    const where = found.placeholders.map((p) => formatPath(p.path)).join(', ');
    return { index, error: `${checked.error} (placeholders at ${where} are resolved only in a pull: FLEETOPS_CATALOG_URLS)` };
  }
  return { index, entity: checked.entity, unresolved: found.placeholders.map((p) => formatPath(p.path)) };
}

/** A POSTed body: its valid documents are stored, the others reported by index (see storeDocuments). */
export async function ingestCatalog(store: Pick<CatalogStore, 'put' | 'owners'>, raw: string, meta: IngestMeta): Promise<IngestResult> {
  const documents = parseCatalogValues(raw).map((result) => ('error' in result ? result : postedDocument(result.index, result.value)));
  return storeDocuments(store, documents, meta);
}

const where = (doc: { index: number; url?: string }) => (doc.url ? `document ${doc.index} of ${doc.url}` : `document ${doc.index} of this request`);

/**
 * Valid documents are stored (a second ingest of the same text changes nothing), invalid ones and
 * ones owned by another source are reported by index (and file, for a pulled source).
 */
export async function storeDocuments(store: Pick<CatalogStore, 'put' | 'owners'>, documents: SourcedDocument[], meta: IngestMeta): Promise<IngestResult> {
  const accepted: { entity: CatalogEntity; doc: SourcedDocument }[] = [];
  const order = new Map(documents.map((doc, i) => [doc, i]));
  const rejections: { doc: SourcedDocument; error: string }[] = [];
  const reject = (doc: SourcedDocument, error: string) => rejections.push({ doc, error });
  const seen = new Map<string, SourcedDocument>();
  for (const doc of documents) {
    if ('error' in doc) {
      reject(doc, doc.error);
      continue;
    }
    const { entity } = doc;
    const first = seen.get(entity.ref);
    if (first) {
      reject(doc, `${entity.ref} is already defined by ${where(first)}`);
      continue;
    }
    if (Buffer.byteLength(JSON.stringify(entity), 'utf8') > MAX_ENTITY_BYTES) {
      reject(doc, `${entity.ref} is larger than ${MAX_ENTITY_BYTES / 1024} KB`);
      continue;
    }
    seen.set(entity.ref, doc);
    accepted.push({ entity, doc });
  }
  const owners = accepted.length ? await store.owners(accepted.map((a) => a.entity.ref)) : new Map<string, string>();
  const owned = accepted.filter(({ entity, doc }) => {
    const owner = owners.get(entity.ref);
    if (mayWrite(owner, meta.source, meta.takeOver)) return true;
    reject(doc, `${entity.ref} belongs to another source (${owner!.replace(/^(api|golden-path):.*/, '$1 caller')}); taking it over needs the admin role`);
    return false;
  });
  const rejected = rejections
    .sort((a, b) => order.get(a.doc)! - order.get(b.doc)!)
    .map(({ doc, error }) => ({ index: doc.index, error, ...(doc.url ? { url: doc.url } : {}) }));
  if (owned.length)
    await store.put(
      owned.map((o) => o.entity),
      { source: meta.source, at: meta.at },
    );
  const unresolved = owned.flatMap(({ entity, doc }) => (doc.unresolved?.length ? [{ index: doc.index, ref: entity.ref, fields: doc.unresolved }] : []));
  return { accepted: owned.length, rejected, refs: owned.map((o) => o.entity.ref), unresolved };
}
