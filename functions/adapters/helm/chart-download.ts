/**
 * Chart repositories (https): fleetops downloads `index.yaml` and the chart tarball itself and
 * hands helm the local .tgz, so helm never resolves or connects on its own. Every connection goes
 * through the address policy at connect time (guardedFetch: DNS rebinding included), redirects are
 * refused, sizes are capped, the tarball's digest is checked when the index gives one, and a
 * tarball on another host than the repository must be https and pass the same policy.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkServerAddress, type AddressPolicyOptions } from '../../core/clusters/address-policy.ts';
import { UpstreamError, ValidationError } from '../../core/errors.ts';
import { readCapped } from '../http/read-capped.ts';

export const MAX_INDEX_BYTES = 16 * 1024 * 1024;
export const MAX_CHART_BYTES = 20 * 1024 * 1024;

export interface ChartDownloadOptions {
  policy: AddressPolicyOptions;
  /** guardedFetch(policy): the resolved address is checked again at connect time. */
  fetch: typeof fetch;
  timeoutMs?: number;
}

function checkUrl(url: URL, policy: AddressPolicyOptions, field: string): void {
  const loopbackHttp = url.protocol === 'http:' && policy.allowLoopback && /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/.test(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp)
    throw new ValidationError(`${field}: chart downloads use https (plain http only to a loopback address, where allowed)`, undefined, 'UNSAFE_CHART');
  if (url.username || url.password) throw new ValidationError(`${field}: must not carry credentials`, undefined, 'UNSAFE_CHART');
  checkServerAddress(url.hostname, { ...policy, field });
}

async function download(url: URL, max: number, options: ChartDownloadOptions, what: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await options.fetch(url, { redirect: 'error', signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  } catch (error) {
    const cause = String((error as { cause?: { message?: string; code?: string } }).cause?.message ?? (error as Error).message).slice(0, 200);
    if (/redirect/i.test(cause)) throw new UpstreamError(`${what} at ${url.host} answered with a redirect, which is never followed`, 'CHART_REDIRECT');
    throw new UpstreamError(`${what} at ${url.host} is unreachable (${cause})`, 'CHART_UNREACHABLE');
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new UpstreamError(`${what} at ${url.host} answered HTTP ${response.status}`, 'CHART_UNREACHABLE');
  }
  return readCapped(response, max, () => new UpstreamError(`${what} at ${url.host} is larger than ${max} bytes`, 'CHART_TOO_LARGE'));
}

interface IndexEntry {
  version?: unknown;
  urls?: unknown;
  digest?: unknown;
}

/** The repository's index.yaml → the tarball URL (and digest) of `name` at `version`. */
export function chartUrlFromIndex(indexText: string, repoUrl: string, name: string, version: string): { url: URL; digest?: string } {
  let index: { entries?: Record<string, IndexEntry[]> };
  try {
    index = parse(indexText, { maxAliasCount: 0, uniqueKeys: false, merge: false }) as typeof index;
  } catch {
    throw new UpstreamError('index.yaml of the chart repository cannot be parsed', 'CHART_INDEX_INVALID');
  }
  const entries = index?.entries?.[name];
  const entry = Array.isArray(entries) ? entries.find((e) => String(e?.version) === version) : undefined;
  if (!entry) throw new ValidationError(`chart ${name} ${version} is not in the repository's index.yaml`, undefined, 'CHART_NOT_FOUND');
  const first = Array.isArray(entry.urls) ? entry.urls.find((u): u is string => typeof u === 'string') : undefined;
  if (!first) throw new UpstreamError(`chart ${name} ${version} lists no download URL`, 'CHART_INDEX_INVALID');
  let url: URL;
  try {
    url = new URL(first, repoUrl.endsWith('/') ? repoUrl : `${repoUrl}/`);
  } catch {
    throw new UpstreamError(`chart ${name} ${version}: its download URL is not a URL`, 'CHART_INDEX_INVALID');
  }
  const digest = typeof entry.digest === 'string' && /^[0-9a-f]{64}$/i.test(entry.digest) ? entry.digest.toLowerCase() : undefined;
  return { url, ...(digest ? { digest } : {}) };
}

/** Downloads `name`@`version` from an https chart repository into `dir`; returns the .tgz path for helm. */
export async function downloadChart(chart: { repoUrl: string; name: string; version: string }, dir: string, options: ChartDownloadOptions): Promise<string> {
  const repo = new URL(chart.repoUrl);
  checkUrl(repo, options.policy, 'chart.repoUrl');
  const indexUrl = new URL('index.yaml', chart.repoUrl.endsWith('/') ? chart.repoUrl : `${chart.repoUrl}/`);
  const indexText = (await download(indexUrl, MAX_INDEX_BYTES, options, 'index.yaml')).toString('utf8');
  const { url, digest } = chartUrlFromIndex(indexText, chart.repoUrl, chart.name, chart.version);
  // A tarball elsewhere than the repository gets the same checks as the repository itself.
  checkUrl(url, options.policy, 'chart download URL');
  if (url.host !== repo.host && url.protocol !== 'https:')
    throw new ValidationError('chart download URL: another host than the repository must be https', undefined, 'UNSAFE_CHART');
  const tarball = await download(url, MAX_CHART_BYTES, options, 'chart tarball');
  if (digest && createHash('sha256').update(tarball).digest('hex') !== digest)
    throw new UpstreamError(`chart ${chart.name} ${chart.version}: the tarball does not match the index's digest`, 'CHART_DIGEST_MISMATCH');
  if (tarball.length < 2 || tarball[0] !== 0x1f || tarball[1] !== 0x8b)
    throw new UpstreamError(`chart ${chart.name} ${chart.version}: the download is not a gzip tarball`, 'CHART_INVALID');
  const path = join(dir, 'chart.tgz');
  await writeFile(path, tarball, { mode: 0o600 });
  return path;
}
