/**
 * Backstage's placeholder substitutions: anywhere in a document, a mapping with exactly one key that
 * starts with `$` is a placeholder. `$text` becomes the target's text, `$json` and `$yaml` its parsed
 * value. Substituted values are not searched for placeholders again (Backstage does not either).
 */
import { ValidationError } from '../errors.ts';
import { parseYamlValue } from './parse.ts';

export const PLACEHOLDER_KINDS = ['$text', '$json', '$yaml'] as const;
export type PlaceholderKind = (typeof PLACEHOLDER_KINDS)[number];

export interface Placeholder {
  /** Where it sits in the document: `['spec', 'definition']`. */
  path: (string | number)[];
  kind: PlaceholderKind;
  target: string;
}

/** Per document; a pull also caps them per source (source-tree.ts). */
export const MAX_PLACEHOLDERS_PER_DOCUMENT = 8;
const MAX_JSON_NESTING = 32;

export function formatPath(path: readonly (string | number)[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i ? `.${part}` : part)).join('');
}

/** The placeholders of a document, in document order, or why the document cannot have them. */
export function findPlaceholders(value: unknown): { placeholders: Placeholder[] } | { error: string } {
  const placeholders: Placeholder[] = [];
  let error: string | undefined;
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (error || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, [...path, i]));
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0].startsWith('$')) {
      const [kind] = keys;
      const target = (node as Record<string, unknown>)[kind];
      const where = formatPath(path) || 'the document';
      if (!(PLACEHOLDER_KINDS as readonly string[]).includes(kind)) {
        error = `${where}: unknown placeholder ${JSON.stringify(kind.slice(0, 40))} (Backstage knows ${PLACEHOLDER_KINDS.join(', ')})`;
      } else if (typeof target !== 'string' || !target.trim() || target.length > 2048) {
        error = `${where}: the ${kind} placeholder needs a URL or relative path of 1-2048 characters`;
      } else placeholders.push({ path, kind: kind as PlaceholderKind, target: target.trim() });
      return;
    }
    for (const key of keys) walk((node as Record<string, unknown>)[key], [...path, key]);
  };
  walk(value, []);
  if (error) return { error };
  if (placeholders.length > MAX_PLACEHOLDERS_PER_DOCUMENT)
    return { error: `${placeholders.length} placeholders in one document, more than ${MAX_PLACEHOLDERS_PER_DOCUMENT}` };
  return { placeholders };
}

/** The target's text as the placeholder's kind wants it; throws a ValidationError saying why it cannot be. */
export function placeholderValue(kind: PlaceholderKind, text: string): unknown {
  if (kind === '$text') return text;
  if (kind === '$yaml') return parseYamlValue(text);
  if (jsonNesting(text) > MAX_JSON_NESTING)
    throw new ValidationError(`the JSON is nested deeper than ${MAX_JSON_NESTING} levels`, undefined, 'INVALID_CATALOG');
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('the target is not valid JSON', undefined, 'INVALID_CATALOG');
  }
}

/** A copy of `document` with the value at `path` replaced. */
export function substitute(document: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (!path.length) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(document)) return document.map((item, i) => (i === head ? substitute(item, rest, replacement) : item));
  // fromEntries defines own properties: a `__proto__` key stays data, never a prototype.
  return Object.fromEntries(
    Object.entries(document as Record<string, unknown>).map(([key, value]) => [key, key === head ? substitute(value, rest, replacement) : value]),
  );
}

/** The deepest bracket nesting of a JSON text, outside strings, without parsing it. */
function jsonNesting(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') max = Math.max(max, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return max;
}
