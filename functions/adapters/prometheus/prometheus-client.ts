/**
 * Prometheus HTTP API client (/api/v1/query, /api/v1/query_range) for Prometheus itself, Thanos, Mimir
 * (X-Scope-OrgID) and Amazon Managed Prometheus (SigV4, service `aps`;
 * base URL https://aps-workspaces.<region>.amazonaws.com/workspaces/<ws-id>).
 *
 * Queries go as POST application/x-www-form-urlencoded (no URL length limit). Every call has a timeout.
 * Errors: PrometheusQueryError for `bad_data` (the query is wrong), UpstreamError for everything the
 * backend or the network did. Credentials never appear in messages: URLs lose user-info and query strings,
 * and known secrets and signature material are scrubbed.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AppError, UpstreamError, ValidationError } from '../../core/errors.ts';
import { ampSigningRegion } from '../../core/metrics/amp-endpoint.ts';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

export type PrometheusAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'sigv4'; region: string; credentials: AwsCredentialsProvider; /** default 'aps' */ service?: string };

export interface PrometheusClientOptions {
  /** API root without `/api/v1`; may carry a path prefix (Thanos/Mimir `/prometheus`, AMP `/workspaces/<id>`). */
  baseUrl: string;
  auth?: PrometheusAuth;
  /** Mimir / Cortex tenant: sent as X-Scope-OrgID. */
  tenantId?: string;
  /** Extra headers on every request (not for credentials: use `auth`). */
  headers?: Record<string, string>;
  /** Per-request timeout in ms (default 10 000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Clock for SigV4 signing (tests pin it). */
  now?: () => Date;
}

export interface PromPoint {
  /** Epoch seconds. */
  ts: number;
  /** Parsed from Prometheus' string form: "NaN" → NaN, "+Inf" → Infinity, "-Inf" → -Infinity. */
  value: number;
}

export interface PromSample extends PromPoint {
  metric: Record<string, string>;
}

export interface PromSeries {
  metric: Record<string, string>;
  points: PromPoint[];
}

export type PromData =
  | { resultType: 'vector'; result: PromSample[] }
  | { resultType: 'matrix'; result: PromSeries[] }
  | { resultType: 'scalar'; result: PromPoint }
  | { resultType: 'string'; result: { ts: number; value: string } };

export interface PromResponse<D extends PromData = PromData> {
  data: D;
  warnings: string[];
}

export type TimeInput = Date | string | number;

/** Prometheus answered `bad_data` (HTTP 400): the query (or its parameters) is invalid. */
export class PrometheusQueryError extends AppError {
  readonly query: string;
  readonly errorType: string;

  constructor(query: string, detail: string, errorType = 'bad_data') {
    super('invalid', 'PROMQL_BAD_DATA', `Prometheus rejected the query ${JSON.stringify(truncate(query, 300))}: ${detail}`, { query, errorType });
    this.query = query;
    this.errorType = errorType;
  }
}

const truncate = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Drops user-info and the query string of a URL, for messages. */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return '[invalid url]';
  }
}

const SECRET_PATTERNS: [RegExp, string][] = [
  [/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [REDACTED]'],
  [/(Credential=)[^,\s]+/g, '$1[REDACTED]'],
  [/(Signature=)[0-9a-f]+/gi, '$1[REDACTED]'],
  [/(X-Amz-Security-Token[=:]\s*)[^&\s,]+/gi, '$1[REDACTED]'],
  [/\b(A[SK]IA[0-9A-Z]{12,})\b/g, '[REDACTED]'],
  [/(\/\/)[^/@\s:]+:[^/@\s]+@/g, '$1[REDACTED]@'],
];

/** Removes the given secrets and anything shaped like a credential from a text. */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[REDACTED]');
  for (const [re, rep] of SECRET_PATTERNS) out = out.replace(re, rep);
  return out;
}

function toEpochSeconds(t: TimeInput, what: string): number {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new ValidationError(`Invalid ${what} time`);
  return ms / 1000;
}

const fmtTs = (s: number): string => String(Math.round(s * 1000) / 1000);

export function parsePromValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return NaN;
  switch (v) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    default: {
      const n = Number(v);
      return v.trim() === '' ? NaN : n;
    }
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parsePair(v: unknown): PromPoint {
  if (!Array.isArray(v) || v.length !== 2) throw new Error('sample is not a [timestamp, value] pair');
  const ts = Number(v[0]);
  if (!Number.isFinite(ts)) throw new Error('sample timestamp is not a number');
  return { ts, value: parsePromValue(v[1]) };
}

function parseMetric(v: unknown): Record<string, string> {
  if (v === undefined) return {};
  if (!isObj(v)) throw new Error('metric is not an object');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

function parseData(d: unknown): PromData {
  if (!isObj(d)) throw new Error('missing data');
  const { resultType, result } = d;
  switch (resultType) {
    case 'vector':
      if (!Array.isArray(result)) throw new Error('vector result is not an array');
      // Native-histogram samples (`histogram` instead of `value`) are skipped: fleetops reads classic buckets.
      return {
        resultType,
        result: result
          .filter((r) => isObj(r) && 'value' in r)
          .map((r) => ({ metric: parseMetric((r as Record<string, unknown>).metric), ...parsePair((r as Record<string, unknown>).value) })),
      };
    case 'matrix':
      if (!Array.isArray(result)) throw new Error('matrix result is not an array');
      return {
        resultType,
        result: result.map((r) => {
          if (!isObj(r)) throw new Error('series is not an object');
          return { metric: parseMetric(r.metric), points: Array.isArray(r.values) ? r.values.map(parsePair) : [] };
        }),
      };
    case 'scalar':
      return { resultType, result: parsePair(result) };
    case 'string': {
      if (!Array.isArray(result) || result.length !== 2) throw new Error('string result is not a pair');
      return { resultType, result: { ts: Number(result[0]), value: String(result[1]) } };
    }
    default:
      throw new Error(`unknown resultType ${JSON.stringify(resultType)}`);
  }
}

/**
 * Turns an HTTP status + body of the Prometheus API into data or a typed error.
 * `where` names the backend in messages (already redacted).
 */
export function parseEnvelope(
  httpStatus: number,
  bodyText: string,
  query: string,
  where = 'Prometheus',
  secrets: readonly (string | undefined)[] = [],
): PromResponse {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = undefined;
  }
  const clean = (s: string): string => redact(truncate(s, 500), secrets);
  if (!isObj(body) || (body.status !== 'success' && body.status !== 'error')) {
    if (httpStatus === 401 || httpStatus === 403) throw new UpstreamError(`${where} refused the credentials (HTTP ${httpStatus})`, 'UPSTREAM_AUTH_FAILED');
    if (httpStatus === 429) throw new UpstreamError(`${where} is throttling requests (HTTP 429)`, 'UPSTREAM_THROTTLED');
    const snippet = clean(bodyText.replace(/\s+/g, ' ').trim().slice(0, 200));
    throw new UpstreamError(`${where} answered HTTP ${httpStatus} without a Prometheus API response${snippet ? `: ${snippet}` : ''}`, 'UPSTREAM_BAD_RESPONSE');
  }
  const warnings = Array.isArray(body.warnings) ? body.warnings.map((w) => clean(String(w))) : [];
  if (body.status === 'error') {
    const errorType = String(body.errorType ?? 'unknown');
    const detail = clean(String(body.error ?? 'unknown error'));
    if (errorType === 'bad_data') throw new PrometheusQueryError(query, detail, errorType);
    if (errorType === 'timeout' || errorType === 'canceled')
      throw new UpstreamError(`${where} gave up evaluating the query (${errorType}): ${detail}`, 'UPSTREAM_TIMEOUT');
    if (httpStatus === 401 || httpStatus === 403)
      throw new UpstreamError(`${where} refused the credentials (HTTP ${httpStatus}): ${detail}`, 'UPSTREAM_AUTH_FAILED');
    throw new UpstreamError(`${where} failed the query (${errorType}, HTTP ${httpStatus}): ${detail}`, 'PROMETHEUS_QUERY_FAILED');
  }
  if (httpStatus < 200 || httpStatus >= 300) throw new UpstreamError(`${where} answered HTTP ${httpStatus}`, 'UPSTREAM_BAD_RESPONSE');
  try {
    return { data: parseData(body.data), warnings };
  } catch (e) {
    throw new UpstreamError(`${where} sent a malformed response: ${(e as Error).message}`, 'UPSTREAM_BAD_RESPONSE');
  }
}

export interface PreparedRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

export class PrometheusClient {
  readonly #base: URL;
  /** Path prefix without a trailing slash ('' for none). */
  readonly #prefix: string;
  readonly #auth: PrometheusAuth;
  readonly #tenantId?: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;
  readonly #where: string;

  constructor(opts: PrometheusClientOptions) {
    let base: URL;
    try {
      base = new URL(opts.baseUrl);
    } catch {
      throw new ValidationError('Prometheus URL is not a valid URL');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new ValidationError('Prometheus URL must be http or https');
    const auth = opts.auth ?? { type: 'none' };
    if (auth.type === 'none' && (base.username || base.password)) {
      this.#auth = { type: 'basic', username: decodeURIComponent(base.username), password: decodeURIComponent(base.password) };
    } else {
      this.#auth = auth;
    }
    base.username = '';
    base.password = '';
    base.search = '';
    base.hash = '';
    this.#prefix = base.pathname.replace(/\/+$/, '');
    if (auth.type === 'sigv4') {
      // The Lambda role's signature only ever goes to an AMP workspace of the region it is signed for.
      const endpoint = ampSigningRegion(opts.baseUrl, auth.region);
      if (!endpoint.ok) throw new ValidationError(`Prometheus URL: ${endpoint.reason}`, undefined, 'INVALID_PROMETHEUS');
    }
    if (opts.tenantId !== undefined && !/^[\x21-\x7e]{1,150}$/.test(opts.tenantId)) throw new ValidationError('Invalid tenant id');
    this.#base = base;
    this.#tenantId = opts.tenantId;
    this.#headers = { ...(opts.headers ?? {}) };
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#fetch = opts.fetch ?? fetch;
    this.#now = opts.now ?? (() => new Date());
    this.#where = `Prometheus at ${redactUrl(base)}`;
  }

  /** The API root, without credentials (safe to log). */
  get baseUrl(): string {
    return this.#base.toString();
  }

  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl, auth: this.#auth.type, tenantId: this.#tenantId };
  }

  #secrets(): string[] {
    const a = this.#auth;
    if (a.type === 'bearer') return [a.token];
    if (a.type === 'basic') return [a.password, Buffer.from(`${a.username}:${a.password}`).toString('base64')];
    return [];
  }

  /** Builds (and for SigV4, signs) the request for an API path such as `/api/v1/query`. */
  async prepare(apiPath: string, params: Record<string, string>): Promise<PreparedRequest> {
    const url = new URL(this.#base.toString());
    url.pathname = `${this.#prefix}${apiPath}`;
    const body = new URLSearchParams(params).toString();
    const headers: Record<string, string> = {
      ...this.#headers,
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
    };
    if (this.#tenantId) headers['x-scope-orgid'] = this.#tenantId;
    const a = this.#auth;
    if (a.type === 'bearer') headers.authorization = `Bearer ${a.token}`;
    else if (a.type === 'basic') headers.authorization = `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`;
    else if (a.type === 'sigv4') {
      let creds: AwsCredentials;
      try {
        creds = await a.credentials();
      } catch (e) {
        throw new UpstreamError(
          `Could not obtain AWS credentials for ${this.#where}: ${redact(String((e as Error)?.name ?? 'error'))}`,
          'UPSTREAM_AUTH_FAILED',
        );
      }
      const signer = new SignatureV4({ service: a.service ?? 'aps', region: a.region, credentials: creds, sha256: Sha256 });
      const req = new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        headers: { ...headers, host: url.host },
        body,
      });
      const signed = await signer.sign(req, { signingDate: this.#now() });
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') out[k] = String(v);
      return { url: url.toString(), method: 'POST', headers: out, body };
    }
    return { url: url.toString(), method: 'POST', headers, body };
  }

  async #call(apiPath: string, params: Record<string, string>, query: string): Promise<PromResponse> {
    const req = await this.prepare(apiPath, params);
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let status: number;
    let text: string;
    try {
      const res = await this.#fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal, redirect: 'error' });
      status = res.status;
      text = await res.text();
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      if (err?.name === 'TimeoutError' || err?.name === 'AbortError' || signal.aborted) {
        throw new UpstreamError(`${this.#where} did not answer within ${this.#timeoutMs} ms`, 'UPSTREAM_TIMEOUT');
      }
      const code = err?.cause?.code ?? (err as { code?: string })?.code;
      const cause = String(err?.cause && typeof err.cause === 'object' && 'message' in err.cause ? (err.cause as Error).message : '');
      if (/redirect/i.test(cause))
        throw new UpstreamError(`${this.#where} answered with a redirect (check the base URL and path prefix)`, 'UPSTREAM_BAD_RESPONSE');
      throw new UpstreamError(`${this.#where} is unreachable${code ? ` (${String(code).replace(/[^A-Z0-9_]/gi, '')})` : ''}`);
    }
    return parseEnvelope(status, text, query, this.#where, this.#secrets());
  }

  /** Instant query at `time` (default: the server's now). */
  async query(promql: string, opts: { time?: TimeInput } = {}): Promise<PromResponse> {
    const params: Record<string, string> = { query: promql };
    if (opts.time !== undefined) params.time = fmtTs(toEpochSeconds(opts.time, 'query'));
    return this.#call('/api/v1/query', params, promql);
  }

  /** Range query; Prometheus refuses more than 11 000 points per series (the metric source chunks). */
  async queryRange(promql: string, range: { start: TimeInput; end: TimeInput; stepSeconds: number }): Promise<PromResponse> {
    const start = toEpochSeconds(range.start, 'start');
    const end = toEpochSeconds(range.end, 'end');
    if (!(range.stepSeconds > 0)) throw new ValidationError('stepSeconds must be positive');
    if (end < start) throw new ValidationError('end must not be before start');
    return this.#call('/api/v1/query_range', { query: promql, start: fmtTs(start), end: fmtTs(end), step: String(range.stepSeconds) }, promql);
  }
}
