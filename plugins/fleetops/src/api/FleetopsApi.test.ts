import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetopsClient, FleetopsError } from './FleetopsApi.ts';

/** The client over a real HTTP server standing where Backstage's proxy would be (`/api/proxy/fleetops`). */
let server: Server;
let base = '';
const seen: { method: string; url: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/api/proxy/fleetops/v1/incidents?status=open')
        return json(200, {
          items: [
            { id: 'a', service: 'x' },
            { id: 'b', service: 'y', services: ['y', 'x'] },
            { id: 'c', service: 'z' },
          ],
        });
      if (req.url?.startsWith('/api/proxy/fleetops/v1/healing/h%2F1/approve'))
        return json(403, { error: { code: 'FORBIDDEN', message: 'approving needs the approver role' } });
      if (req.url?.startsWith('/api/proxy/fleetops/v1/costs/'))
        return json(200, { window: '30d', currency: 'USD', items: [{ key: 'component:default/x', cost: 10, previous: 8, changePct: 25, daily: [] }] });
      if (req.url === '/api/proxy/fleetops/v1/deployments') return json(404, { error: { code: 'NOT_FOUND', message: 'no route' } });
      if (req.url === '/api/proxy/fleetops/v1/deployments?status=RUNNING&limit=5')
        return json(200, {
          items: [
            { id: 'd1', status: 'RUNNING', release: 'x', waves: [{ name: 'dev', status: 'RUNNING', clusters: [{ clusterId: 'c1', status: 'DEPLOYING' }] }] },
          ],
        });
      if (req.url === '/api/proxy/fleetops/v1/whoami' && req.headers['x-user'] === 'bob')
        return json(200, { kind: 'oidc', subject: 'user:default/bob', displayName: 'Bob (approver)', role: 'approver', source: 'oidc' });
      if (req.url === '/api/proxy/fleetops/v1/whoami') return json(200, { kind: 'oidc', subject: 'user:default/nobody', displayName: '', role: null });
      res.writeHead(502);
      res.end('upstream down');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const client = (url = base) =>
  new FleetopsClient({ discoveryApi: { getBaseUrl: async (id: string) => `${url}/api/${id}` }, fetchApi: { fetch: (input, init) => fetch(input, init) } });

describe('FleetopsClient', () => {
  it('calls fleetops through the proxy path and filters incidents by service (including joined services)', async () => {
    expect((await client().incidents({ status: 'open', service: 'x' })).map((i) => i.id)).toEqual(['a', 'b']);
  });

  it('turns a fleetops error body into a FleetopsError with status and code, and POSTs actions with a JSON body', async () => {
    const error = await client()
      .approveHealing('h/1')
      .catch((e) => e);
    expect(error).toBeInstanceOf(FleetopsError);
    expect(error).toMatchObject({ status: 403, code: 'FORBIDDEN', message: 'approving needs the approver role' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{}' });
  });

  it('reads an entity cost item with the window and currency around it', async () => {
    expect(await client().cost('component:default/x')).toMatchObject({ key: 'component:default/x', cost: 10, changePct: 25, window: '30d', currency: 'USD' });
    expect(seen.at(-1)!.url).toBe('/api/proxy/fleetops/v1/costs/component%3Adefault%2Fx?window=30d');
  });

  it('asks fleetops who the user is with GET /v1/whoami through the proxy (never a dev-only route)', async () => {
    const asBob = new FleetopsClient({
      discoveryApi: { getBaseUrl: async (id: string) => `${base}/api/${id}` },
      fetchApi: { fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-user': 'bob' } }) },
    });
    expect(await asBob.identity()).toEqual({ user: 'user:default/bob', displayName: 'Bob (approver)', role: 'approver', kind: 'oidc' });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/api/proxy/fleetops/v1/whoami' });
    // A user without a fleetops role: role null, named by the subject.
    expect(await client().identity()).toEqual({ user: 'user:default/nobody', displayName: 'user:default/nobody', role: null, kind: 'oidc' });
  });

  it('lists deployments with the status and limit asked for', async () => {
    expect((await client().deployments({ status: 'RUNNING', limit: 5 })).map((d) => [d.id, d.waves[0]!.clusters[0]!.status])).toEqual([['d1', 'DEPLOYING']]);
  });

  it('treats a fleetops without a deployment list as no deployments', async () => {
    expect(await client().deployments()).toEqual([]);
  });

  it('says 502 for a failing proxy and 0 for an unreachable one', async () => {
    expect(
      await client()
        .fleetOverview()
        .catch((e) => e),
    ).toMatchObject({ status: 502 });
    expect(
      await client('http://127.0.0.1:9')
        .fleetOverview()
        .catch((e) => e),
    ).toMatchObject({ status: 0, code: 'UNREACHABLE' });
  });
});
