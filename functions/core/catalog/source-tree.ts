/**
 * One pulled catalog source as Backstage reads it: the file at the configured URL, the files its
 * `kind: Location` documents point at (recursively), and every `$text`/`$json`/`$yaml` placeholder
 * resolved relative to the file it is in. Everything is read from the source's own origin (scheme,
 * host, port) through the same reader as the source itself; the limits bound what one source costs.
 */
import { ValidationError } from '../errors.ts';
import { isLocation, validateEntity, validateLocation } from './entity.ts';
import type { DocumentResult } from './parse.ts';
import { parseCatalogValues } from './parse.ts';
import { findPlaceholders, formatPath, placeholderValue, substitute } from './placeholders.ts';

export interface SourceLimits {
  /** Location nesting: the configured file is depth 0, its Location's targets depth 1. */
  maxDepth: number;
  /** Catalog files read per source, the configured one included. */
  maxFiles: number;
  /** Documents in all of them. */
  maxDocuments: number;
  /** Placeholder targets read per source (each document has its own cap, MAX_PLACEHOLDERS_PER_DOCUMENT). */
  maxPlaceholders: number;
  /**
   * Bytes of every file and placeholder target read for the source (each read is capped on its own as well).
   * Parsing is what costs: 1 MiB of catalog YAML takes about 2.5 s here, so 4 MiB bounds a source near 10 s.
   */
  maxBytes: number;
}

export const SOURCE_LIMITS: SourceLimits = { maxDepth: 3, maxFiles: 25, maxDocuments: 1000, maxPlaceholders: 100, maxBytes: 4 * 1024 * 1024 };

/** A document's outcome and the file it came from (absent: the request body). */
export type SourcedDocument = DocumentResult & { url?: string; unresolved?: string[] };

export interface SourceTree {
  documents: SourcedDocument[];
  /** The files read, configured one first (origin and path only). */
  files: string[];
  /**
   * Why part of the source could not be read (a target down, unparsable, or the time budget spent).
   * When non-empty the pull removes nothing: what the unread part listed before is kept.
   */
  incomplete: string[];
}

export interface SourceReader {
  /** Reads one URL under the address policy, no redirects, size cap, timeout; a ValidationError is a policy refusal. */
  fetchText(url: string): Promise<string>;
  /** True once the pull has spent its time: nothing more is fetched. */
  expired?(): boolean;
  limits?: Partial<SourceLimits>;
}

/** A URL as shown in results and logs: origin and path, never credentials, query or fragment. */
export function displayUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.origin}${url.pathname}`;
  } catch {
    return JSON.stringify(raw.slice(0, 200));
  }
}

/** `target` (relative, or absolute) against `base`, accepted only on base's own origin. */
export function sameOriginUrl(target: string, base: string): { url: string } | { error: string } {
  let url: URL;
  try {
    url = new URL(target, base);
  } catch {
    return { error: `${JSON.stringify(target.slice(0, 200))} is not a URL or a relative path` };
  }
  const origin = new URL(base).origin;
  if (url.origin !== origin) {
    const where = url.origin === 'null' ? `a ${url.protocol} URL` : url.origin;
    return { error: `${where} is not the source's own host (${origin}): placeholders and Location targets are read only from there` };
  }
  url.hash = '';
  return { url: url.href };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 300);

interface Pending {
  url: string;
  depth: number;
  /** The Location document that listed it. */
  from: { url: string; index: number };
}

/** Reads a source and everything it points at; throws only when the configured file itself cannot be read. */
export async function readSourceTree(rootUrl: string, reader: SourceReader): Promise<SourceTree> {
  const limits = { ...SOURCE_LIMITS, ...reader.limits };
  const documents: SourcedDocument[] = [];
  const files: string[] = [];
  const incomplete: string[] = [];
  const budget = { bytes: 0, placeholders: 0, documents: 0 };
  const visited = new Set<string>();
  const refuseFetch = (): string | undefined => {
    if (reader.expired?.()) return 'the pull has spent its time budget; read again at the next pull';
    if (budget.bytes >= limits.maxBytes) return `the source has read ${limits.maxBytes} bytes, its limit`;
    if (budget.documents >= limits.maxDocuments) return `the source has ${limits.maxDocuments} documents, its limit`;
    return undefined;
  };
  const read = async (url: string): Promise<string> => {
    const text = await reader.fetchText(url);
    budget.bytes += Buffer.byteLength(text, 'utf8');
    if (budget.bytes > limits.maxBytes)
      throw new ValidationError(`the source read more than ${limits.maxBytes} bytes, its limit`, undefined, 'CATALOG_SOURCE_LIMIT');
    return text;
  };

  const resolveDocument = async (value: unknown, fileUrl: string, index: number): Promise<SourcedDocument> => {
    const found = findPlaceholders(value);
    if ('error' in found) return { url: fileUrl, index, error: found.error };
    let resolved = value;
    for (const { path, kind, target } of found.placeholders) {
      const where = formatPath(path);
      const url = sameOriginUrl(target, fileUrl);
      if ('error' in url) return { url: fileUrl, index, error: `${where}: ${kind} ${url.error}` };
      if (budget.placeholders >= limits.maxPlaceholders)
        return { url: fileUrl, index, error: `${where}: the source has resolved ${limits.maxPlaceholders} placeholders, its limit` };
      const refused = refuseFetch();
      if (refused) {
        incomplete.push(`${where} of document ${index} of ${displayUrl(fileUrl)}: ${refused}`);
        return { url: fileUrl, index, error: `${where}: ${refused}` };
      }
      budget.placeholders++;
      let text: string;
      try {
        text = await read(url.url);
      } catch (error) {
        if (!(error instanceof ValidationError)) incomplete.push(`${kind} ${displayUrl(url.url)}: ${message(error)}`);
        return { url: fileUrl, index, error: `${where}: ${kind} ${displayUrl(url.url)} cannot be read (${message(error)})` };
      }
      try {
        resolved = substitute(resolved, path, placeholderValue(kind, text));
      } catch (error) {
        return { url: fileUrl, index, error: `${where}: ${kind} ${displayUrl(url.url)}: ${message(error)}` };
      }
    }
    const checked = validateEntity(resolved);
    return 'entity' in checked ? { url: fileUrl, index, entity: checked.entity } : { url: fileUrl, index, error: checked.error };
  };

  const queue: Pending[] = [];
  const follow = (value: unknown, fileUrl: string, index: number, depth: number): void => {
    const checked = validateLocation(value);
    if ('error' in checked) return void documents.push({ url: fileUrl, index, error: checked.error });
    const { type, targets } = checked.location;
    const problems: string[] = [];
    if (type !== undefined && type !== 'url' && type !== 'file')
      problems.push(`type ${JSON.stringify(type)} is not followed (only url, or relative file targets)`);
    else
      for (const target of targets) {
        const url = sameOriginUrl(target, fileUrl);
        if ('error' in url) problems.push(`target ${url.error}`);
        else if (visited.has(url.url)) problems.push(`target ${displayUrl(url.url)} is already read in this pull (a cycle or a repeat), not read again`);
        else if (depth + 1 > limits.maxDepth) problems.push(`target ${displayUrl(url.url)} is nested deeper than ${limits.maxDepth} Locations`);
        else if (visited.size >= limits.maxFiles) problems.push(`target ${displayUrl(url.url)}: the source has ${limits.maxFiles} files, its limit`);
        else {
          visited.add(url.url);
          queue.push({ url: url.url, depth: depth + 1, from: { url: fileUrl, index } });
        }
      }
    // The Location itself is not stored; only what it could not follow is reported, against it.
    if (problems.length) {
      const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
      documents.push({ url: fileUrl, index, error: `Location ${checked.location.name}: ${problems.slice(0, 3).join('; ')}${more}` });
    }
  };

  const ingestFile = async (fileUrl: string, text: string, depth: number): Promise<void> => {
    for (const result of parseCatalogValues(text)) {
      if (budget.documents >= limits.maxDocuments) {
        documents.push({ url: fileUrl, index: result.index, error: `the source has ${limits.maxDocuments} documents, its limit; the rest is not read` });
        return;
      }
      budget.documents++;
      if ('error' in result) documents.push({ url: fileUrl, ...result });
      else if (isLocation(result.value)) follow(result.value, fileUrl, result.index, depth);
      else documents.push(await resolveDocument(result.value, fileUrl, result.index));
    }
  };

  const rootText = await read(rootUrl);
  const root = new URL(rootUrl);
  root.hash = '';
  visited.add(root.href);
  files.push(displayUrl(root.href));
  await ingestFile(root.href, rootText, 0);
  for (let next = queue.shift(); next; next = queue.shift()) {
    const { url, depth, from } = next;
    const refused = refuseFetch();
    const fail = (reason: string) => {
      incomplete.push(`${displayUrl(url)}: ${reason}`);
      documents.push({ url: from.url, index: from.index, error: `Location target ${displayUrl(url)}: ${reason}` });
    };
    if (refused) {
      fail(refused);
      continue;
    }
    let text: string;
    try {
      text = await read(url);
      files.push(displayUrl(url));
      await ingestFile(url, text, depth);
    } catch (error) {
      fail(message(error));
    }
  }
  // Results and logs name files by origin and path only: a query string may carry a token.
  return { documents: documents.map((doc) => (doc.url ? { ...doc, url: displayUrl(doc.url) } : doc)), files, incomplete };
}
