import { checkServerAddress, type AddressPolicyOptions } from '../../core/clusters/address-policy.ts';
import { ValidationError } from '../../core/errors.ts';
import { MAX_CATALOG_BYTES } from '../../core/catalog/parse.ts';
import { readCapped } from '../http/read-capped.ts';

export interface CatalogUrlOptions {
  policy: AddressPolicyOptions;
  /** guardedFetch(policy): every resolved address is checked again at connect time (DNS rebinding). */
  fetch: typeof fetch;
  timeoutMs?: number;
}

/**
 * Reads one catalog URL (a configured one, a Location's target or a placeholder's): the host is checked with the cluster address policy before any
 * connection, redirects are refused, the body is capped. https only; plain http only where loopback
 * is allowed (the local stack and its tests).
 */
export async function fetchCatalogUrl(raw: string, options: CatalogUrlOptions): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError(`catalog URL ${JSON.stringify(raw.slice(0, 200))} is not a URL`, undefined, 'UNSAFE_CATALOG_URL');
  }
  const loopbackHttp = url.protocol === 'http:' && options.policy.allowLoopback && /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/.test(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp)
    throw new ValidationError('catalog URLs must use https (plain http only to a loopback address, where allowed)', undefined, 'UNSAFE_CATALOG_URL');
  if (url.username || url.password) throw new ValidationError('catalog URLs must not carry credentials', undefined, 'UNSAFE_CATALOG_URL');
  checkServerAddress(url.hostname, { ...options.policy, field: 'catalog URL' });
  let response: Response;
  try {
    response = await options.fetch(url, {
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      // A `$json` placeholder's target is JSON; the rest YAML or text.
      headers: { accept: 'application/yaml, text/yaml, application/json, text/plain' },
    });
  } catch (error) {
    const cause = String((error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message).slice(0, 200);
    throw new Error(
      /redirect/i.test(cause)
        ? `catalog URL ${url.host}${url.pathname} answered with a redirect, which is never followed`
        : `catalog URL ${url.host}${url.pathname} is unreachable (${cause})`,
      { cause: error },
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`catalog URL ${url.host}${url.pathname} answered HTTP ${response.status}`);
  }
  const body = await readCapped(
    response,
    MAX_CATALOG_BYTES,
    () => new Error(`catalog URL ${url.host}${url.pathname} is larger than ${MAX_CATALOG_BYTES} bytes`),
  );
  return body.toString('utf8');
}
