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

/** Valid documents are stored (a second ingest of the same text changes nothing), invalid ones are reported by index. */
export async function ingestCatalog(store: Pick<CatalogStore, 'put'>, raw: string, meta: { source: string; at: Date }): Promise<IngestResult> {
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
  if (accepted.length) await store.put(accepted, meta);
  return { accepted: accepted.length, rejected, refs: accepted.map((e) => e.ref) };
}
