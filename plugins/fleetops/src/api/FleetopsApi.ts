import { createApiRef, type DiscoveryApi, type FetchApi } from '@backstage/core-plugin-api';
import type { Cluster, Deployment, EntityCost, FleetOverview, FleetopsIdentity, HealingRun, Incident, Rca, Scorecard, ServiceHealth } from './types.ts';

/** What the plugin asks fleetops. Every call goes through Backstage's backend (its proxy). */
export interface FleetopsApi {
  identity(): Promise<FleetopsIdentity>;
  fleetOverview(): Promise<FleetOverview>;
  clusters(): Promise<Cluster[]>;
  incidents(query?: { status?: 'open' | 'resolved'; service?: string }): Promise<Incident[]>;
  acknowledgeIncident(id: string): Promise<void>;
  serviceHealth(service: string): Promise<ServiceHealth[]>;
  healingRuns(query?: { service?: string; status?: string }): Promise<HealingRun[]>;
  approveHealing(id: string): Promise<void>;
  rejectHealing(id: string): Promise<void>;
  /** `GET /v1/deployments`: newest first (fleetops' default limit 20, at most 100). */
  deployments(query?: { status?: 'RUNNING' | 'SUCCEEDED' | 'FAILED'; limit?: number }): Promise<Deployment[]>;
  scorecard(entityRef: string): Promise<Scorecard>;
  cost(entityRef: string, window?: '1d' | '7d' | '30d'): Promise<EntityCost>;
  /** Starts an RCA (the "assistant"); poll {@link FleetopsApi.rca} for its report. */
  diagnose(request: { clusterId: string; namespace: string; service: string }): Promise<{ id: string }>;
  rca(id: string): Promise<Rca>;
}

export const fleetopsApiRef = createApiRef<FleetopsApi>({ id: 'plugin.fleetops.service' });

/** A fleetops answer that was not 2xx: `status` 0 means fleetops (or the Backstage route to it) could not be reached. */
export class FleetopsError extends Error {
  override readonly name = 'FleetopsError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * The default {@link FleetopsApi}: `fetchApi` (which adds the signed-in user's Backstage token) against
 * Backstage's proxy, `${discoveryApi.getBaseUrl('proxy')}/fleetops` (`proxy.endpoints['/fleetops']` with
 * `credentials: forward`, so fleetops sees the user). No fleetops credential is in the browser.
 */
export class FleetopsClient implements FleetopsApi {
  readonly #discoveryApi: DiscoveryApi;
  readonly #fetchApi: FetchApi;
  readonly #proxyPath: string;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi; /** The proxy endpoint's key; default `/fleetops`. */ proxyPath?: string }) {
    this.#discoveryApi = options.discoveryApi;
    this.#fetchApi = options.fetchApi;
    this.#proxyPath = options.proxyPath ?? '/fleetops';
  }

  /** `GET /v1/whoami` through the proxy: with `credentials: forward` fleetops answers for the signed-in user. */
  async identity(): Promise<FleetopsIdentity> {
    const who = await this.#request<{ kind?: string; subject: string; displayName?: string; role: FleetopsIdentity['role'] }>('GET', '/v1/whoami');
    return { user: who.subject, displayName: who.displayName || who.subject, role: who.role ?? null, ...(who.kind ? { kind: who.kind } : {}) };
  }
  fleetOverview(): Promise<FleetOverview> {
    return this.#request('GET', '/v1/fleet/overview');
  }
  async clusters(): Promise<Cluster[]> {
    return (await this.#request<{ items: Cluster[] }>('GET', '/v1/clusters')).items;
  }
  async incidents(query: { status?: 'open' | 'resolved'; service?: string } = {}): Promise<Incident[]> {
    const items = (await this.#request<{ items: Incident[] }>('GET', `/v1/incidents${qs({ status: query.status })}`)).items;
    return query.service ? items.filter((i) => i.service === query.service || (i as { services?: string[] }).services?.includes(query.service!)) : items;
  }
  async acknowledgeIncident(id: string): Promise<void> {
    await this.#request('POST', `/v1/incidents/${encodeURIComponent(id)}/ack`, {});
  }
  async serviceHealth(service: string): Promise<ServiceHealth[]> {
    return (await this.#request<{ items: ServiceHealth[] }>('GET', `/v1/anomalies${qs({ service })}`)).items;
  }
  async healingRuns(query: { service?: string; status?: string } = {}): Promise<HealingRun[]> {
    return (await this.#request<{ items: HealingRun[] }>('GET', `/v1/healing${qs(query)}`)).items;
  }
  async approveHealing(id: string): Promise<void> {
    await this.#request('POST', `/v1/healing/${encodeURIComponent(id)}/approve`, {});
  }
  async rejectHealing(id: string): Promise<void> {
    await this.#request('POST', `/v1/healing/${encodeURIComponent(id)}/reject`, {});
  }
  async deployments(query: { status?: 'RUNNING' | 'SUCCEEDED' | 'FAILED'; limit?: number } = {}): Promise<Deployment[]> {
    try {
      return (
        (await this.#request<{ items: Deployment[] }>('GET', `/v1/deployments${qs({ status: query.status, limit: query.limit?.toString() })}`)).items ?? []
      );
    } catch (error) {
      // fleetops versions without a deployment list answer 404/405: nothing to show, not an error.
      if (error instanceof FleetopsError && (error.status === 404 || error.status === 405)) return [];
      throw error;
    }
  }
  scorecard(entityRef: string): Promise<Scorecard> {
    return this.#request('GET', `/v1/scorecards/${encodeURIComponent(entityRef)}`);
  }
  async cost(entityRef: string, window: '1d' | '7d' | '30d' = '30d'): Promise<EntityCost> {
    const body = await this.#request<Record<string, unknown>>('GET', `/v1/costs/${encodeURIComponent(entityRef)}${qs({ window })}`);
    const item =
      (body.item as EntityCost | undefined) ??
      (Array.isArray(body.items) ? (body.items[0] as EntityCost | undefined) : undefined) ??
      (body as unknown as EntityCost);
    if (!item || typeof item.cost !== 'number') throw new FleetopsError(404, 'NOT_FOUND', `fleetops has no cost for ${entityRef}`);
    return { ...item, window: (body.window as string) ?? item.window ?? window, currency: (body.currency as string) ?? item.currency ?? 'USD' };
  }
  diagnose(request: { clusterId: string; namespace: string; service: string }): Promise<{ id: string }> {
    return this.#request('POST', '/v1/rca', request);
  }
  rca(id: string): Promise<Rca> {
    return this.#request('GET', `/v1/rca/${encodeURIComponent(id)}`);
  }

  async #request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const base = `${await this.#discoveryApi.getBaseUrl('proxy')}${this.#proxyPath}`;
    let response: Response;
    try {
      response = await this.#fetchApi.fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new FleetopsError(0, 'UNREACHABLE', `fleetops could not be reached through Backstage (${(error as Error).message})`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new FleetopsError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? (text.slice(0, 200) || response.statusText));
    }
    return json as T;
  }
}

function qs(params: Record<string, string | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}
