// The catalog store against DynamoDB Local, and scheduled URL pulls through the address policy.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCatalogStore } from '../../../functions/adapters/aws/dynamodb/catalog-store.ts';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { fetchCatalogUrl } from '../../../functions/adapters/catalog/url-source.ts';
import { guardedFetch } from '../../../functions/adapters/prometheus/guarded-fetch.ts';
import { ingestCatalog } from '../../../functions/core/catalog/ingest.ts';
import { CachedServiceCatalog } from '../../../functions/core/catalog/ports.ts';
import { pullCatalogSources } from '../../../functions/core/catalog/pull.ts';
import { startTestTable } from '../../support/dynamodb.ts';

const shopYaml = readFileSync(join(import.meta.dirname, '../../fixtures/catalog/shop.yaml'), 'utf8');
let db: Awaited<ReturnType<typeof startTestTable>>;
let store: DynamoCatalogStore;
let server: Server;
let base: string;
const served: Record<string, { status: number; body: string; headers?: Record<string, string> }> = {};

beforeAll(async () => {
  db = await startTestTable();
  store = new DynamoCatalogStore({ client: createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), tableName: db.tableName });
  server = createServer((req, res) => {
    const answer = served[req.url ?? ''] ?? { status: 404, body: 'not found' };
    res.writeHead(answer.status, { 'content-type': 'application/yaml', ...answer.headers });
    res.end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}, 120_000);

afterAll(async () => {
  server?.close();
  await db?.stop();
});

describe('DynamoCatalogStore (DynamoDB Local)', () => {
  it('stores entities by normalised ref, lists all or one kind, and ingesting twice changes nothing', async () => {
    const first = await ingestCatalog(store, shopYaml, { source: 'api', at: new Date('2026-12-01T00:00:00Z') });
    expect(first.rejected).toEqual([]);
    expect(first.accepted).toBe(16);
    const again = await ingestCatalog(store, shopYaml, { source: 'api', at: new Date('2026-12-01T00:01:00Z') });
    expect(again.accepted).toBe(16);
    const all = await store.list();
    expect(all).toHaveLength(16);
    expect((await store.list('Component')).map((e) => e.ref).sort()).toEqual([
      'component:default/frontend',
      'component:default/order-service',
      'component:default/payment-service',
      'component:default/user-service',
    ]);
    const user = await store.get('component:default/user-service');
    expect(user?.spec).toMatchObject({ providesApis: ['user-api'], dependsOn: ['resource:default/users-db'] });
    expect(await store.get('component:default/nope')).toBeUndefined();
  });

  it('keeps the valid documents of a request that has invalid ones, and refuses duplicate refs within it', async () => {
    const doc = (name: string, owner = 'team-web') =>
      `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec: { type: service, lifecycle: production, owner: ${owner} }\n`;
    const result = await ingestCatalog(store, [doc('search'), doc('BAD NAME'), doc('search', 'team-orders')].join('---\n'), { source: 'api', at: new Date() });
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => r.index)).toEqual([1, 2]);
    expect(result.rejected[1].error).toMatch(/already defined by document 0/);
    expect((await store.get('component:default/search'))?.spec.owner).toBe('team-web');
  });

  it('serves one cached snapshot to every reader until it expires', async () => {
    let reads = 0;
    let now = 0;
    const catalog = new CachedServiceCatalog({ store: { list: () => (reads++, store.list()) }, clock: { now: () => new Date(now) }, cacheSeconds: 30 });
    const [a, b] = await Promise.all([catalog.snapshot(), catalog.snapshot()]);
    expect(a).toBe(b);
    expect(reads).toBe(1);
    expect(a.workloadGraph()).toMatchObject({ frontend: ['order-service', 'user-service'], 'order-service': ['payment-service'] });
    now = 31_000;
    await catalog.snapshot();
    expect(reads).toBe(2);
  });

  it('pulls configured URLs: stores what a source lists, removes what it no longer lists, touches nothing when it is down', async () => {
    const team = 'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: team-search }\nspec: { type: team, children: [] }\n';
    const api =
      'apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: { name: search-api }\nspec: { type: openapi, lifecycle: production, owner: team-search, definition: "openapi: 3.0.0" }\n';
    served['/catalog.yaml'] = { status: 200, body: `${team}---\n${api}` };
    const policy = { allowLoopback: true };
    const deps = { fetchText: (url: string) => fetchCatalogUrl(url, { policy, fetch: guardedFetch(policy) }), store, now: () => new Date() };
    const [first] = await pullCatalogSources([`${base}/catalog.yaml`], deps);
    expect(first).toMatchObject({ accepted: 2, removed: [] });
    served['/catalog.yaml'] = { status: 200, body: team };
    const [second] = await pullCatalogSources([`${base}/catalog.yaml`], deps);
    expect(second).toMatchObject({ accepted: 1, removed: ['api:default/search-api'] });
    expect(await store.get('api:default/search-api')).toBeUndefined();
    served['/catalog.yaml'] = { status: 500, body: 'down' };
    const [down] = await pullCatalogSources([`${base}/catalog.yaml`], deps);
    expect(down.error).toMatch(/HTTP 500/);
    expect(await store.get('group:default/team-search')).toBeDefined();
    // Entities from the API are never removed by a URL source.
    expect(await store.get('component:default/user-service')).toBeDefined();
  });

  it('checks catalog URLs with the cluster address policy and never follows redirects', async () => {
    served['/moved'] = { status: 302, body: '', headers: { location: 'http://169.254.169.254/latest/meta-data/' } };
    const open = { allowLoopback: true };
    await expect(fetchCatalogUrl(`${base}/moved`, { policy: open, fetch: guardedFetch(open) })).rejects.toThrow(/redirect/i);
    const aws = { allowLoopback: false };
    await expect(fetchCatalogUrl(`${base}/catalog.yaml`, { policy: aws, fetch: guardedFetch(aws) })).rejects.toThrow(/https/);
    await expect(fetchCatalogUrl('https://169.254.169.254/catalog.yaml', { policy: aws, fetch: guardedFetch(aws) })).rejects.toThrow(/not allowed/);
    await expect(fetchCatalogUrl('https://user:pw@example.com/c.yaml', { policy: aws, fetch: guardedFetch(aws) })).rejects.toThrow(/credentials/);
    await expect(fetchCatalogUrl('http://metadata.example.com/c.yaml', { policy: open, fetch: guardedFetch(open) })).rejects.toThrow(/https/);
    served['/huge'] = { status: 200, body: 'x'.repeat(1024 * 1024 + 10) };
    await expect(fetchCatalogUrl(`${base}/huge`, { policy: open, fetch: guardedFetch(open) })).rejects.toThrow(/larger than/);
  });
});
