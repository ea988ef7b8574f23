// A pull of Backstage catalog trees through the real reader (fetchCatalogUrl over guardedFetch: address
// policy at connect time, no redirects, size cap, timeout) from a local HTTP server, into DynamoDB Local:
// Backstage's example tree (Locations of Locations, an API defined by `$text: ./petstore-webhook.oas.yaml`),
// the seed's catalog, and hostile trees.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCatalogStore } from '../../../functions/adapters/aws/dynamodb/catalog-store.ts';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { fetchCatalogUrl } from '../../../functions/adapters/catalog/url-source.ts';
import { guardedFetch } from '../../../functions/adapters/prometheus/guarded-fetch.ts';
import { pullCatalogSources } from '../../../functions/core/catalog/pull.ts';
import { startTestTable } from '../../support/dynamodb.ts';

const ROOT = join(import.meta.dirname, '../../..');
const TREE = join(ROOT, 'test/fixtures/catalog/backstage-tree');
const FIXTURES = join(ROOT, 'test/fixtures/catalog');

let db: Awaited<ReturnType<typeof startTestTable>>;
let store: DynamoCatalogStore;
let server: Server;
let base: string;
/** Paths answered by the test (status, body, headers); `/backstage/*` serves the fixture tree. */
const served: Record<string, { status: number; body: string; headers?: Record<string, string> }> = {};
const requests: string[] = [];

const location = (name: string, targets: string[]) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: { name: ${name} }\nspec:\n  targets:\n${targets.map((t) => `    - ${JSON.stringify(t)}\n`).join('')}`;
const component = (name: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: ${name} }\nspec: { type: service, lifecycle: production, owner: team-x }\n`;
const api = (name: string, target: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: { name: ${name} }\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-x\n  definition:\n    $text: ${JSON.stringify(target)}\n`;

const policy = { allowLoopback: true };
const deps = () => {
  const fetch = guardedFetch(policy);
  return { fetchText: (url: string) => fetchCatalogUrl(url, { policy, fetch, timeoutMs: 3000 }), store, now: () => new Date() };
};

beforeAll(async () => {
  db = await startTestTable();
  store = new DynamoCatalogStore({ client: createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), tableName: db.tableName });
  server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    requests.push(path);
    if (path.startsWith('/backstage/')) {
      const file = normalize(join(TREE, path.slice('/backstage/'.length)));
      try {
        if (!file.startsWith(TREE)) throw new Error('outside');
        res.writeHead(200, { 'content-type': 'application/yaml' });
        return res.end(readFileSync(file));
      } catch {
        res.writeHead(404);
        return res.end('not found');
      }
    }
    const answer = served[path] ?? { status: 404, body: 'not found' };
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

describe('catalog pull of Backstage trees (local HTTP server, guarded fetch, DynamoDB Local)', () => {
  it("Backstage's example tree: Locations of Locations followed, $text resolved next to its file, placeholders on other hosts refused per document", async () => {
    const [result] = await pullCatalogSources([`${base}/backstage/all.yaml`], deps());
    expect(result.error).toBeUndefined();
    expect(result.incomplete).toBeUndefined();
    expect(result.files).toEqual(
      [
        'all.yaml',
        'all-apis.yaml',
        'all-components.yaml',
        'all-systems.yaml',
        'apis/mapping-api.yaml',
        'apis/workplace-api.yaml',
        'apis/petstore-webhook-api.yaml',
        'components/workplace-component.yaml',
        'components/mapping-component.yaml',
        'systems/artist-engagement-portal-system.yaml',
      ].map((f) => `${base}/backstage/${f}`),
    );
    expect(result.accepted).toBe(4);
    expect(result.rejected).toEqual([
      {
        url: `${base}/backstage/apis/mapping-api.yaml`,
        index: 0,
        error: expect.stringMatching(/^spec.definition: \$text https:\/\/mapping-dev-jacs.inpixondev.com is not the source's own host/),
      },
      {
        url: `${base}/backstage/apis/workplace-api.yaml`,
        index: 0,
        error: expect.stringMatching(/^spec.definition: \$text https:\/\/login.inpixon.com is not the source's own host/),
      },
    ]);
    const petstore = await store.get('api:default/petstore-webhook');
    expect(petstore?.spec.definition).toBe(readFileSync(join(TREE, 'apis/petstore-webhook.oas.yaml'), 'utf8'));
    expect((await store.list()).map((e) => e.ref).sort()).toEqual([
      'api:default/petstore-webhook',
      'component:default/jacs',
      'component:default/wokplaceanalytics',
      'system:default/artist-engagement-portal',
    ]);
    expect(requests.filter((p) => p === '/backstage/apis/petstore-webhook.oas.yaml')).toHaveLength(1);

    // Pulled again: the same catalog.
    const [again] = await pullCatalogSources([`${base}/backstage/all.yaml`], deps());
    expect(again).toMatchObject({ accepted: 4, removed: [] });
  });

  it("the catalog-model examples file and the seed's catalog, pulled: its Location followed, the seed accepted whole", async () => {
    served['/examples/backstage-examples.yaml'] = { status: 200, body: readFileSync(join(FIXTURES, 'backstage-examples.yaml'), 'utf8') };
    for (const f of ['workplace-component.yaml', 'mapping-component.yaml'])
      served[`/examples/components/${f}`] = { status: 200, body: readFileSync(join(TREE, 'components', f), 'utf8') };
    const [examples] = await pullCatalogSources([`${base}/examples/backstage-examples.yaml`], deps());
    expect(examples.files).toHaveLength(3);
    // Its Location's two components were pulled by the first source already: they stay that source's.
    expect(examples.accepted).toBe(8);
    expect(examples.rejected.map((r) => [r.url?.replace(base, ''), r.index, r.error])).toEqual([
      ['/examples/backstage-examples.yaml', 4, expect.stringMatching(/^spec.definition: \$text https:\/\/github.com is not the source's own host/)],
      ['/examples/backstage-examples.yaml', 10, expect.stringMatching(/"Environment" \(dev\) is not a kind fleetops ingests/)],
      ['/examples/components/workplace-component.yaml', 0, expect.stringMatching(/^component:default\/wokplaceanalytics belongs to another source/)],
      ['/examples/components/mapping-component.yaml', 0, expect.stringMatching(/^component:default\/jacs belongs to another source/)],
    ]);

    served['/seed/all.yaml'] = { status: 200, body: location('seed', ['./shop.yaml', './backstage-root.yaml', './backstage-default-app.yaml']) };
    served['/seed/shop.yaml'] = { status: 200, body: readFileSync(join(ROOT, 'local/catalog/shop.yaml'), 'utf8') };
    for (const f of ['backstage-root.yaml', 'backstage-default-app.yaml'])
      served[`/seed/${f}`] = { status: 200, body: readFileSync(join(FIXTURES, f), 'utf8') };
    const [seed] = await pullCatalogSources([`${base}/seed/all.yaml`], deps());
    expect(seed.accepted).toBe(16 + 1 + 3);
    expect(seed.rejected).toEqual([{ url: `${base}/seed/backstage-default-app.yaml`, index: 3, error: expect.stringMatching(/^kind Template/) }]);
    expect(await store.get('component:default/user-service')).toMatchObject({ spec: { providesApis: ['user-api'] } });
  });

  it('hostile trees: redirects, oversized targets, other hosts and private addresses, cycles, depth bombs, too many targets', async () => {
    served['/hostile/all.yaml'] = {
      status: 200,
      body: [
        location('bad', ['./moved.yaml', './huge.yaml', 'http://169.254.169.254/latest/meta-data/', './a.yaml', './ok.yaml']),
        api('redirected', './moved-def.yaml'),
        api('metadata', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'),
      ].join('---\n'),
    };
    served['/hostile/moved.yaml'] = { status: 302, body: '', headers: { location: 'http://169.254.169.254/latest/meta-data/' } };
    served['/hostile/moved-def.yaml'] = { status: 301, body: '', headers: { location: 'http://169.254.169.254/' } };
    served['/hostile/huge.yaml'] = { status: 200, body: `${component('huge')}#${'x'.repeat(1024 * 1024)}\n` };
    served['/hostile/a.yaml'] = { status: 200, body: location('a', ['./b.yaml']) };
    served['/hostile/b.yaml'] = { status: 200, body: location('b', ['./a.yaml', './all.yaml']) };
    served['/hostile/ok.yaml'] = { status: 200, body: component('survivor') };
    const [hostile] = await pullCatalogSources([`${base}/hostile/all.yaml`], deps());
    expect(hostile.accepted).toBe(1);
    const errors = hostile.rejected.map((r) => `${r.url?.replace(base, '')}#${r.index}: ${r.error}`);
    expect(errors).toEqual([
      expect.stringMatching(/^\/hostile\/all.yaml#0: Location bad: target http:\/\/169.254.169.254 is not the source's own host/),
      expect.stringMatching(/^\/hostile\/all.yaml#1: spec.definition: \$text .*moved-def.yaml cannot be read \(.*redirect, which is never followed\)/),
      expect.stringMatching(/^\/hostile\/all.yaml#2: spec.definition: \$text http:\/\/169.254.169.254 is not the source's own host/),
      expect.stringMatching(/^\/hostile\/all.yaml#0: Location target .*moved.yaml: .*redirect, which is never followed/),
      expect.stringMatching(/^\/hostile\/all.yaml#0: Location target .*huge.yaml: .*larger than 1048576 bytes/),
      expect.stringMatching(/^\/hostile\/b.yaml#0: Location b: target .*a.yaml is already read in this pull.*; target .*all.yaml is already read/),
    ]);
    expect(hostile.incomplete).toHaveLength(3);
    expect(hostile.removed).toEqual([]);
    expect(requests.filter((p) => p === '/hostile/a.yaml')).toHaveLength(1);
    expect(requests.filter((p) => p === '/hostile/all.yaml')).toHaveLength(1);

    for (let i = 0; i < 10; i++)
      served[`/bomb/d${i}.yaml`] = { status: 200, body: [location(`d${i}`, [`./d${i + 1}.yaml`]), component(`level-${i}`)].join('---\n') };
    const [bomb] = await pullCatalogSources([`${base}/bomb/d0.yaml`], deps());
    expect(bomb.files).toHaveLength(4);
    expect(bomb.accepted).toBe(4);
    expect(bomb.rejected).toEqual([{ url: `${base}/bomb/d3.yaml`, index: 0, error: expect.stringMatching(/d4.yaml is nested deeper than 3 Locations/) }]);
    expect(requests.filter((p) => p.startsWith('/bomb/'))).toEqual(['/bomb/d0.yaml', '/bomb/d1.yaml', '/bomb/d2.yaml', '/bomb/d3.yaml']);

    served['/fan/all.yaml'] = {
      status: 200,
      body: location(
        'fan',
        Array.from({ length: 200 }, (_, i) => `./c${i}.yaml`),
      ),
    };
    for (let i = 0; i < 200; i++) served[`/fan/c${i}.yaml`] = { status: 200, body: component(`fan-${i}`) };
    const [fan] = await pullCatalogSources([`${base}/fan/all.yaml`], deps());
    expect(fan.accepted).toBe(24);
    expect(requests.filter((p) => p.startsWith('/fan/'))).toHaveLength(25);
    expect(fan.rejected).toEqual([{ url: `${base}/fan/all.yaml`, index: 0, error: expect.stringMatching(/c24.yaml: the source has 25 files, its limit/) }]);

    const aws = { allowLoopback: false };
    const strict = { ...deps(), fetchText: (url: string) => fetchCatalogUrl(url, { policy: aws, fetch: guardedFetch(aws) }) };
    const [metadata, loopback] = await pullCatalogSources(['https://169.254.169.254/catalog.yaml', `${base}/backstage/all.yaml`], strict);
    expect(metadata.error).toMatch(/not allowed: link-local/);
    expect(loopback.error).toMatch(/https/);
  });

  it('removes what a tree no longer lists after a complete read, and nothing while one of its targets is down', async () => {
    served['/team/all.yaml'] = { status: 200, body: location('team', ['./one.yaml', './two.yaml']) };
    served['/team/one.yaml'] = { status: 200, body: component('team-one') };
    served['/team/two.yaml'] = { status: 200, body: component('team-two') };
    const url = `${base}/team/all.yaml`;
    expect((await pullCatalogSources([url], deps()))[0]).toMatchObject({ accepted: 2, removed: [] });
    served['/team/two.yaml'] = { status: 503, body: 'down' };
    const [down] = await pullCatalogSources([url], deps());
    expect(down).toMatchObject({ accepted: 1, removed: [], incomplete: [expect.stringMatching(/two.yaml: .*HTTP 503/)] });
    expect(await store.get('component:default/team-two')).toBeDefined();
    served['/team/all.yaml'] = { status: 200, body: location('team', ['./one.yaml']) };
    const [shrunk] = await pullCatalogSources([url], deps());
    expect(shrunk).toMatchObject({ accepted: 1, removed: ['component:default/team-two'] });
    expect(await store.get('component:default/team-two')).toBeUndefined();
  });
});
