/**
 * `catalog-info.yaml` text → entities, through the same hardened YAML path as kubeconfigs: nesting
 * depth measured before the composer runs, no aliases, anchors, tags or directives, unique keys.
 * Problems of the whole body fail the request; problems of one document reject that document only.
 */
import { isAlias, isScalar, parseAllDocuments, visit } from 'yaml';
import { ValidationError } from '../errors.ts';
import { yamlNestingDepth } from '../clusters/kubeconfig-policy.ts';
import { validateEntity, type CatalogEntity } from './entity.ts';

export const MAX_CATALOG_BYTES = 1024 * 1024;
export const MAX_CATALOG_DOCUMENTS = 500;
const MAX_NESTING_DEPTH = 32;

export type DocumentResult = { index: number; entity: CatalogEntity } | { index: number; error: string };

function hostileNode(doc: Parameters<typeof visit>[0]): string | undefined {
  let problem: string | undefined;
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
      return problem ? visit.BREAK : undefined;
    },
  });
  return problem;
}

/** Every document of the body, in order: the entity it holds or why it was rejected. Empty documents are skipped. */
export function parseCatalogDocuments(raw: string): DocumentResult[] {
  if (Buffer.byteLength(raw, 'utf8') > MAX_CATALOG_BYTES) throw new ValidationError(`The catalog body is larger than ${MAX_CATALOG_BYTES} bytes`, undefined, 'INVALID_CATALOG');
  if (raw.includes('\0')) throw new ValidationError('NUL bytes are not allowed in catalog YAML', undefined, 'INVALID_CATALOG');
  if (yamlNestingDepth(raw, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH) {
    throw new ValidationError(`The catalog YAML is nested deeper than ${MAX_NESTING_DEPTH} levels`, undefined, 'INVALID_CATALOG');
  }
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(raw, { uniqueKeys: true, merge: false, strict: true, prettyErrors: false, customTags: [] });
  } catch {
    throw new ValidationError('The catalog body cannot be parsed as YAML', undefined, 'INVALID_CATALOG');
  }
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.length > MAX_CATALOG_DOCUMENTS) throw new ValidationError(`At most ${MAX_CATALOG_DOCUMENTS} documents per request`, undefined, 'INVALID_CATALOG');
  const results: DocumentResult[] = [];
  list.forEach((doc, index) => {
    if (doc.contents === null && !doc.errors.length) return;
    if (doc.directives?.yaml.explicit) return results.push({ index, error: 'YAML directives are not allowed' });
    const dup = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
    if (dup) return results.push({ index, error: `duplicate keys are not allowed (line ${dup.linePos?.[0]?.line ?? '?'})` });
    if (doc.errors.length) return results.push({ index, error: `not valid YAML (${doc.errors[0].code} at line ${doc.errors[0].linePos?.[0]?.line ?? '?'})` });
    const hostile = hostileNode(doc);
    if (hostile) return results.push({ index, error: hostile });
    if (doc.warnings.length) return results.push({ index, error: `YAML warnings are not allowed (${doc.warnings[0].code})` });
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 0 });
    } catch {
      return results.push({ index, error: 'cannot be converted (unsupported YAML)' });
    }
    const checked = validateEntity(value);
    results.push('entity' in checked ? { index, entity: checked.entity } : { index, error: checked.error });
  });
  if (!results.length) throw new ValidationError('The catalog body holds no YAML document', undefined, 'INVALID_CATALOG');
  return results;
}
