/**
 * `catalog-info.yaml` text → entities, through the same hardened YAML path as kubeconfigs: nesting
 * depth measured before the composer runs, no aliases, anchors, tags or directives, unique keys.
 * Problems of the whole body fail the request; problems of one document reject that document only.
 *
 * Cost is linear in the body: the number of mapping keys is capped (a cheap upper bound on the raw
 * text before the composer runs, then the exact count), and duplicate keys are found with one Set
 * per mapping. The `yaml` library's own `uniqueKeys` check compares every key with every earlier
 * one of its mapping: 891 KiB of distinct keys took minutes.
 */
import { isAlias, isMap, isScalar, parseAllDocuments, visit, type YAMLMap } from 'yaml';
import { ValidationError } from '../errors.ts';
import { yamlNestingDepth } from '../clusters/kubeconfig-policy.ts';
import { validateEntity, type CatalogEntity } from './entity.ts';

export const MAX_CATALOG_BYTES = 1024 * 1024;
export const MAX_CATALOG_DOCUMENTS = 500;
const MAX_NESTING_DEPTH = 32;
/** Mapping keys in one body (all documents): far above 500 real entities, far below what stalls a pull. */
export const MAX_CATALOG_KEYS = 20_000;

/**
 * An upper bound on the mapping keys of a YAML text, without parsing: every `:` that can end a key
 * (followed by a space, a line end or the text end, or right after a quoted key) and every explicit
 * `? ` key. Values that contain `: ` count too, which only makes the bound looser.
 */
export function yamlKeyUpperBound(raw: string): number {
  let count = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 58 /* : */) {
      const next = raw.charCodeAt(i + 1);
      const prev = raw.charCodeAt(i - 1);
      if (Number.isNaN(next) || next === 32 || next === 9 || next === 10 || next === 13 || prev === 34 || prev === 39) count++;
    } else if (c === 63 /* ? */ && (raw.charCodeAt(i + 1) === 32 || raw.charCodeAt(i + 1) === 10)) count++;
  }
  return count;
}

export type DocumentResult = { index: number; entity: CatalogEntity } | { index: number; error: string };
/** A document as parsed, before it is checked as an entity (placeholders may still need resolving). */
export type ValueResult = { index: number; value: unknown } | { index: number; error: string };

/** Pairs in all mappings of the documents: counted before any duplicate check runs. */
function countKeys(docs: readonly Parameters<typeof visit>[0][], max: number): number {
  let count = 0;
  for (const doc of docs) {
    visit(doc, {
      Map(_key, map) {
        count += map.items.length;
        return count > max ? visit.BREAK : undefined;
      },
    });
    if (count > max) break;
  }
  return count;
}

function hostileNode(doc: Parameters<typeof visit>[0], raw: string): string | undefined {
  let problem: string | undefined;
  // Duplicate keys, linearly: one Set per mapping (`1` and "1" are the same key once converted).
  const duplicateIn = (map: YAMLMap): string | undefined => {
    const seen = new Set<string>();
    for (const pair of map.items) {
      if (pair.key !== null && !isScalar(pair.key)) {
        return 'only scalar mapping keys are allowed';
      }
      const name = String(pair.key === null ? null : (pair.key as { value: unknown }).value);
      if (seen.has(name)) {
        const offset = (pair.key as { range?: [number] } | null)?.range?.[0];
        const line = offset === undefined ? '?' : raw.slice(0, offset).split('\n').length;
        return `duplicate keys are not allowed (line ${line})`;
      }
      seen.add(name);
    }
    return undefined;
  };
  visit(doc, {
    Pair(_key, pair) {
      // A collection as a mapping key has no JSON form (toJS would stringify it): refused.
      if (pair.key !== null && !isScalar(pair.key)) problem = 'only scalar mapping keys are allowed';
      return problem ? visit.BREAK : undefined;
    },
    Node(_key, node) {
      if (isAlias(node)) problem = 'YAML aliases are not allowed';
      else if ((node as { anchor?: string }).anchor) problem = 'YAML anchors are not allowed';
      else if ((node as { tag?: string }).tag) problem = `YAML tags are not allowed (${(node as { tag?: string }).tag})`;
      else if (isMap(node)) problem = duplicateIn(node);
      return problem ? visit.BREAK : undefined;
    },
  });
  return problem;
}

/** Every document of the body, in order: the entity it holds or why it was rejected. Empty documents are skipped. */
export function parseCatalogDocuments(raw: string): DocumentResult[] {
  return parseCatalogValues(raw).map((result) => {
    if ('error' in result) return result;
    const checked = validateEntity(result.value);
    return 'entity' in checked ? { index: result.index, entity: checked.entity } : { index: result.index, error: checked.error };
  });
}

/**
 * A `$yaml` placeholder's target → its one document, through the same caps as a catalog body. Throws a
 * ValidationError saying why it is refused.
 */
export function parseYamlValue(raw: string): unknown {
  const results = parseCatalogValues(raw);
  if (results.length !== 1) throw new ValidationError(`holds ${results.length} YAML documents, not one`, undefined, 'INVALID_CATALOG');
  const [result] = results;
  if ('error' in result) throw new ValidationError(result.error, undefined, 'INVALID_CATALOG');
  return result.value;
}

/** Every document of the body as plain data, in order, or why it cannot be read. Empty documents are skipped. */
export function parseCatalogValues(raw: string): ValueResult[] {
  if (Buffer.byteLength(raw, 'utf8') > MAX_CATALOG_BYTES)
    throw new ValidationError(`The catalog body is larger than ${MAX_CATALOG_BYTES} bytes`, undefined, 'INVALID_CATALOG');
  if (raw.includes('\0')) throw new ValidationError('NUL bytes are not allowed in catalog YAML', undefined, 'INVALID_CATALOG');
  const tooManyKeys = () => new ValidationError(`The catalog YAML has more than ${MAX_CATALOG_KEYS} mapping keys`, undefined, 'INVALID_CATALOG');
  if (yamlKeyUpperBound(raw) > MAX_CATALOG_KEYS) throw tooManyKeys();
  if (yamlNestingDepth(raw, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH) {
    throw new ValidationError(`The catalog YAML is nested deeper than ${MAX_NESTING_DEPTH} levels`, undefined, 'INVALID_CATALOG');
  }
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    // uniqueKeys off: the library's check is quadratic; hostileNode does it with a Set per mapping.
    docs = parseAllDocuments(raw, {
      uniqueKeys: false,
      merge: false,
      strict: true,
      prettyErrors: false,
      customTags: [],
    });
  } catch {
    throw new ValidationError('The catalog body cannot be parsed as YAML', undefined, 'INVALID_CATALOG');
  }
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > MAX_CATALOG_DOCUMENTS) throw new ValidationError(`At most ${MAX_CATALOG_DOCUMENTS} documents per request`, undefined, 'INVALID_CATALOG');
  if (countKeys(list, MAX_CATALOG_KEYS) > MAX_CATALOG_KEYS) throw tooManyKeys();
  const results: ValueResult[] = [];
  list.forEach((doc, index) => {
    if (doc.contents === null && !doc.errors.length) return;
    if (doc.directives?.yaml.explicit) return results.push({ index, error: 'YAML directives are not allowed' });
    const dup = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
    if (dup)
      return results.push({
        index,
        error: `duplicate keys are not allowed (line ${dup.linePos?.[0]?.line ?? '?'})`,
      });
    if (doc.errors.length)
      return results.push({
        index,
        error: `not valid YAML (${doc.errors[0].code} at line ${doc.errors[0].linePos?.[0]?.line ?? '?'})`,
      });
    const hostile = hostileNode(doc, raw);
    if (hostile) return results.push({ index, error: hostile });
    if (doc.warnings.length)
      return results.push({
        index,
        error: `YAML warnings are not allowed (${doc.warnings[0].code})`,
      });
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 0 });
    } catch {
      return results.push({
        index,
        error: 'cannot be converted (unsupported YAML)',
      });
    }
    results.push({ index, value });
  });
  if (!results.length) throw new ValidationError('The catalog body holds no YAML document', undefined, 'INVALID_CATALOG');
  return results;
}
