/** Issue 19: an entity belongs to the source that created it; another source cannot overwrite it (DynamoDB Local). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCatalogStore } from '../../../functions/adapters/aws/dynamodb/catalog-store.ts';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { ingestCatalog } from '../../../functions/core/catalog/ingest.ts';
import { pullCatalogSources } from '../../../functions/core/catalog/pull.ts';
import { startTestTable } from '../../support/dynamodb.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
let store: DynamoCatalogStore;

beforeAll(async () => {
  db = await startTestTable();
  store = new DynamoCatalogStore({ client: createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), tableName: db.tableName });
}, 120_000);
afterAll(async () => {
  await db?.stop();
});

const group = (name: string, key: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: ${name}\n  annotations:\n    pagerduty.com/integration-key: ${key}\n    slack.com/channel: "#${name}"\nspec: { type: team, children: [] }\n`;
const component = (name: string, owner: string) =>
  `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec: { type: service, lifecycle: production, owner: ${owner} }\n`;

describe('catalog entity ownership', () => {
  it('refuses another source’s overwrite of a Group, keeps the rest of the request, and the owner still updates it', async () => {
    const payments = 'api:oidc:https://idp.example/|payments-ci';
    const intruder = 'api:oidc:https://idp.example/|intruder';
    const first = await ingestCatalog(store, group('team-payments', 'PD-REAL'), { source: payments, at: new Date() });
    expect(first).toMatchObject({ accepted: 1, rejected: [] });

    const attack = await ingestCatalog(store, [component('new-thing', 'team-x'), group('team-payments', 'PD-EVIL')].join('---\n'), {
      source: intruder,
      at: new Date(),
    });
    expect(attack.accepted).toBe(1);
    expect(attack.rejected).toEqual([{ index: 1, error: expect.stringMatching(/group:default\/team-payments belongs to another source.*admin/) }]);
    expect(JSON.stringify(attack)).not.toContain('payments-ci');
    expect((await store.get('group:default/team-payments'))?.metadata.annotations?.['pagerduty.com/integration-key']).toBe('PD-REAL');

    const update = await ingestCatalog(store, group('team-payments', 'PD-NEW'), { source: payments, at: new Date() });
    expect(update.accepted).toBe(1);
    const admin = await ingestCatalog(store, group('team-payments', 'PD-ADMIN'), { source: intruder, at: new Date(), takeOver: true });
    expect(admin.accepted).toBe(1);
    expect((await store.get('group:default/team-payments'))?.metadata.annotations?.['pagerduty.com/integration-key']).toBe('PD-ADMIN');
  });

  it('a pull URL cannot take over what another URL created, and its own removals leave it alone', async () => {
    const served: Record<string, string> = { a: component('checkout', 'team-a'), b: component('checkout', 'team-evil') };
    const deps = { fetchText: async (url: string) => served[url.slice(-1)]!, store, now: () => new Date() };
    const [a] = await pullCatalogSources(['https://a.example/a'], deps);
    expect(a).toMatchObject({ accepted: 1, rejected: [] });
    const [b] = await pullCatalogSources(['https://b.example/b'], deps);
    expect(b).toMatchObject({ accepted: 0, rejected: [{ index: 0, error: expect.stringMatching(/belongs to another source/) }], removed: [] });
    expect((await store.get('component:default/checkout'))?.spec.owner).toBe('team-a');
  });

  it('entities written before sources named their caller are claimed by the first API caller', async () => {
    await ingestCatalog(store, component('legacy', 'team-l'), { source: 'api', at: new Date() });
    const claimed = await ingestCatalog(store, component('legacy', 'team-m'), { source: 'api:bootstrap', at: new Date() });
    expect(claimed.accepted).toBe(1);
    const after = await ingestCatalog(store, component('legacy', 'team-n'), { source: 'api:someone-else', at: new Date() });
    expect(after.accepted).toBe(0);
  });
});
