/**
 * The ArgoCdTarget port over Argo CD's REST API (the grpc-gateway in front of argocd-server):
 * `GET /api/v1/applications/{name}`, `POST .../rollback`, `POST .../sync`, with a bearer token.
 * HTTPS only, TLS verified, every connection's address checked with the cluster address policy
 * (the kube client's guarded dispatcher: DNS rebinding defence), redirects refused, a timeout per
 * request. The token is only ever put in the Authorization header: never in an error, a log line or
 * a record.
 */
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import { checkServerAddress } from '../../core/clusters/address-policy.ts';
import { AppError, ConflictError, NotFoundError, UpstreamError, ValidationError } from '../../core/errors.ts';
import type { ArgoAppRef, ArgoCdApplication } from '../../core/healing/argocd.ts';
import type { ArgoCdTarget } from '../../core/healing/ports.ts';
import { guardedHttpsDispatcher, type ConnectPolicy } from '../kube/kube-client-factory.ts';

export interface ArgoCdClientOptions {
  /** `https://argocd.example.com` (a path prefix is kept: argocd-server's `--rootpath`). */
  baseUrl: string;
  /** The API token (an Argo CD account or project token): from configuration or Secrets Manager. */
  token: () => Promise<string> | string;
  /** The cluster address policy, plus the per-request timeout (default 10 s). */
  policy: ConnectPolicy;
  /** PEM CA bundle for an Argo CD with a private CA; default: the system roots. */
  caPem?: string;
  /** Registered cluster names whose workloads this instance manages; empty or unset: every cluster. */
  clusters?: string[];
  /** Tests only: a dispatcher of their own (still https: the URL is checked before any request). */
  dispatcher?: Dispatcher;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const FIELD = 'Argo CD URL';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function reasonOf(error: unknown): string {
  let e = error as { name?: string; code?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e.name === 'TimeoutError') return 'TimeoutError';
    if (typeof e.code === 'string') return e.code;
    if (!e.cause) break;
    e = e.cause as typeof e;
  }
  return e?.name ?? 'error';
}

function messageOf(error: unknown): string {
  let e = error as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return String(e?.message ?? '');
}

/** What `GET /api/v1/applications/{name}` says, reduced to what healing reads. */
export function parseApplication(raw: unknown, ref: ArgoAppRef): ArgoCdApplication {
  const app = obj(raw);
  const spec = obj(app.spec);
  const status = obj(app.status);
  const automated = obj(spec.syncPolicy).automated;
  // Argo CD 3 may keep the block with `enabled: false`.
  const autoSync = !!automated && typeof automated === 'object' && (automated as Json).enabled !== false;
  const history = (Array.isArray(status.history) ? status.history : []).map(obj).map((h) => ({
    // int64 fields may come as JSON strings from the gateway.
    id: Number(h.id),
    ...(str(h.revision) ? { revision: str(h.revision) } : {}),
    ...(Array.isArray(h.revisions) ? { revisions: h.revisions.filter((r): r is string => typeof r === 'string') } : {}),
    ...(str(h.deployedAt) ? { deployedAt: str(h.deployedAt) } : {}),
  }));
  const resources = (Array.isArray(status.resources) ? status.resources : []).map(obj).flatMap((r) =>
    str(r.kind) && str(r.name)
      ? [
          {
            kind: str(r.kind)!,
            name: str(r.name)!,
            ...(str(r.group) ? { group: str(r.group) } : {}),
            ...(str(r.namespace) ? { namespace: str(r.namespace) } : {}),
          },
        ]
      : [],
  );
  const health = str(obj(status.health).status);
  const sync = obj(status.sync);
  const dest = obj(spec.destination);
  const destination = {
    ...(str(dest.server) ? { server: str(dest.server) } : {}),
    ...(str(dest.name) ? { name: str(dest.name) } : {}),
    ...(str(dest.namespace) ? { namespace: str(dest.namespace) } : {}),
  };
  return {
    name: ref.name,
    ...(ref.appNamespace ? { appNamespace: ref.appNamespace } : {}),
    autoSync,
    sync: { ...(str(sync.status) ? { status: str(sync.status) } : {}), ...(str(sync.revision) ? { revision: str(sync.revision) } : {}) },
    ...(health ? { health } : {}),
    history: history.filter((h) => Number.isSafeInteger(h.id)),
    resources,
    ...(Object.keys(destination).length ? { destination } : {}),
  };
}

export class ArgoCdClient implements ArgoCdTarget {
  readonly #options: ArgoCdClientOptions;
  readonly #base: URL;
  #dispatcher?: Dispatcher;

  constructor(options: ArgoCdClientOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new ValidationError(`${FIELD} is not a URL`, { field: FIELD }, 'UNSAFE_ARGOCD_URL');
    }
    if (base.protocol !== 'https:') throw new ValidationError(`${FIELD} must be https`, { field: FIELD }, 'UNSAFE_ARGOCD_URL');
    if (base.username || base.password || base.search || base.hash)
      throw new ValidationError(`${FIELD} must not carry credentials, a query or a fragment`, { field: FIELD }, 'UNSAFE_ARGOCD_URL');
    this.#options = options;
    this.#base = base;
  }

  /** With exactly one cluster configured, Argo CD runs there: its `in-cluster` destination is that cluster. */
  get inCluster(): string | undefined {
    const clusters = this.#options.clusters ?? [];
    return clusters.length === 1 ? clusters[0] : undefined;
  }

  covers(cluster: string): boolean {
    const clusters = this.#options.clusters ?? [];
    return clusters.length === 0 || clusters.includes(cluster);
  }

  async application(ref: ArgoAppRef): Promise<ArgoCdApplication> {
    return parseApplication(await this.#call('GET', ref, ''), ref);
  }

  async rollback(ref: ArgoAppRef, historyId: number): Promise<void> {
    if (!Number.isSafeInteger(historyId) || historyId < 0) throw new ValidationError(`Invalid Argo CD history id ${historyId}`);
    await this.#call('POST', ref, '/rollback', { id: historyId, prune: false, dryRun: false, ...(ref.appNamespace ? { appNamespace: ref.appNamespace } : {}) });
  }

  async sync(ref: ArgoAppRef, revision: string): Promise<void> {
    await this.#call('POST', ref, '/sync', { revision, prune: false, dryRun: false, ...(ref.appNamespace ? { appNamespace: ref.appNamespace } : {}) });
  }

  #dispatch(): Dispatcher {
    this.#dispatcher ??=
      this.#options.dispatcher ?? guardedHttpsDispatcher({ ...(this.#options.caPem ? { ca: this.#options.caPem } : {}) }, this.#options.policy);
    return this.#dispatcher;
  }

  async #call(method: 'GET' | 'POST', ref: ArgoAppRef, action: '' | '/rollback' | '/sync', body?: unknown): Promise<unknown> {
    const what = `${method === 'GET' ? 'reading' : action.slice(1)} application ${ref.appNamespace ? `${ref.appNamespace}/` : ''}${ref.name}`;
    const url = new URL(this.#base.href.replace(/\/+$/, '') + `/api/v1/applications/${encodeURIComponent(ref.name)}${action}`);
    if (ref.appNamespace) url.searchParams.set('appNamespace', ref.appNamespace);
    try {
      checkServerAddress(url.hostname, { allowLoopback: this.#options.policy.allowLoopback, allowlist: this.#options.policy.allowlist, field: FIELD });
    } catch (error) {
      throw new ValidationError((error as Error).message, { field: FIELD }, 'UNSAFE_ARGOCD_URL');
    }
    const token = await this.#options.token();
    if (!token) throw new UpstreamError('Argo CD token is empty', 'ARGOCD_UNAUTHORIZED');
    const timeoutMs = this.#options.policy.timeoutMs ?? 10_000;
    let response: Awaited<ReturnType<typeof undiciFetch>>;
    try {
      response = await undiciFetch(url, {
        method,
        redirect: 'error',
        dispatcher: this.#dispatch(),
        signal: AbortSignal.timeout(timeoutMs),
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw this.#networkError(error, what, timeoutMs, token);
    }
    let text: string;
    try {
      const length = Number(response.headers.get('content-length') ?? 0);
      if (length > MAX_BODY_BYTES) throw new UpstreamError(`Argo CD answered ${what} with a body that is too large`);
      text = await response.text();
      if (text.length > MAX_BODY_BYTES) throw new UpstreamError(`Argo CD answered ${what} with a body that is too large`);
    } catch (error) {
      throw error instanceof AppError ? error : this.#networkError(error, what, timeoutMs, token);
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = undefined;
    }
    if (!response.ok) throw this.#statusError(response.status, parsed, what, ref, token);
    if (parsed === undefined) throw new UpstreamError(`Argo CD answered ${what} with a body that is not JSON`);
    return parsed;
  }

  #statusError(status: number, body: unknown, what: string, ref: ArgoAppRef, token: string): AppError {
    // grpc-gateway errors: {"error": "...", "code": 5, "message": "..."}.
    const message = str(obj(body).message) ?? str(obj(body).error);
    const detail = message ? `: ${redact(message, token).slice(0, 200)}` : '';
    if (status === 404) return new NotFoundError(`Argo CD application ${ref.appNamespace ? `${ref.appNamespace}/` : ''}${ref.name} not found${detail}`);
    if (status === 401 || status === 403) return new UpstreamError(`Argo CD refused ${what} (HTTP ${status})${detail}`, 'ARGOCD_FORBIDDEN');
    if (status === 400 || status === 409 || status === 412 || status === 422)
      return new ConflictError(`Argo CD rejected ${what} (HTTP ${status})${detail}`, 'ARGOCD_REJECTED');
    return new UpstreamError(`Argo CD failed ${what} (HTTP ${status})`);
  }

  #networkError(error: unknown, what: string, timeoutMs: number, token: string): AppError {
    const reason = reasonOf(error);
    if (reason === 'EADDRREFUSEDBYPOLICY') return new ValidationError(redact(messageOf(error), token).slice(0, 300), { field: FIELD }, 'UNSAFE_ARGOCD_URL');
    if (reason === 'EREDIRECTREFUSED' || /redirect/i.test(messageOf(error)))
      return new UpstreamError(`Argo CD answered ${what} with a redirect, which is never followed`, 'ARGOCD_REDIRECT');
    if (reason === 'TimeoutError' || reason === 'AbortError' || reason === 'UND_ERR_CONNECT_TIMEOUT')
      return new UpstreamError(`Argo CD did not answer ${what} within ${timeoutMs} ms`, 'UPSTREAM_TIMEOUT');
    const tls = /CERT|SIGNATURE|SELF_SIGNED|VERIFY|ALTNAME|ISSUER/.test(reason) ? `TLS verification failed (${reason})` : reason;
    return new UpstreamError(redact(`Argo CD is unreachable while ${what}: ${tls}`, token));
  }
}

function redact(text: string, token: string): string {
  return token ? text.split(token).join('[redacted]') : text;
}
