// Backstage's own catalog files (fixtures copied from backstage/backstage, Apache-2.0) are accepted as Backstage
// accepts them; kinds fleetops does not store are rejected one by one with a reason that says why.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCatalogDocuments } from '../../../functions/core/catalog/parse.ts';
import { validateEntity } from '../../../functions/core/catalog/entity.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/catalog');
const load = (file: string) => {
  const results = parseCatalogDocuments(readFileSync(join(FIXTURES, file), 'utf8'));
  return {
    accepted: results.flatMap((r) => ('entity' in r ? [r.entity] : [])),
    rejected: Object.fromEntries(results.flatMap((r) => ('error' in r ? [[r.index, r.error] as const] : []))),
  };
};

describe('Backstage catalog files', () => {
  it("backstage/backstage's root catalog-info.yaml: links, backstage.io/* and third-party annotations, an upper-case owner", () => {
    const { accepted, rejected } = load('backstage-root.yaml');
    expect(rejected).toEqual({});
    expect(accepted).toHaveLength(1);
    const [c] = accepted;
    expect(c.ref).toBe('component:default/backstage-existing');
    expect(c.metadata.annotations).toMatchObject({ 'backstage.io/techdocs-ref': 'dir:.', 'github.com/project-slug': 'backstage/backstage' });
    expect(c.metadata.links).toHaveLength(4);
    expect(c.relations).toEqual([{ type: 'ownedBy', targetRef: 'group:default/cncf' }]);
  });

  it('catalog-model examples: every core kind, System with a domain, API with a $text placeholder; Location and Environment skipped with reasons', () => {
    const { accepted, rejected } = load('backstage-examples.yaml');
    expect(accepted.map((e) => e.ref)).toEqual([
      'component:default/artist-lookup',
      'system:default/podcast',
      'domain:default/artists',
      'resource:default/artists-db',
      'api:default/spotify',
      'api:default/petstore',
      'group:default/team-a',
      'user:default/breanna.davison',
      'user:development/guest',
    ]);
    const byRef = Object.fromEntries(accepted.map((e) => [e.ref, e]));
    expect(byRef['api:default/spotify'].spec.definition).toEqual({ $text: expect.stringMatching(/^https:\/\/github.com\/APIs-guru/) });
    expect(byRef['system:default/podcast'].relations).toEqual(
      expect.arrayContaining([
        { type: 'partOf', targetRef: 'domain:default/playback' },
        { type: 'ownedBy', targetRef: 'user:default/team-b' },
      ]),
    );
    expect(byRef['component:default/artist-lookup'].metadata.tags).toEqual(['java', 'data']);
    expect(byRef['component:default/artist-lookup'].relations).toContainEqual({ type: 'dependsOn', targetRef: 'resource:default/artists-db' });
    expect(byRef['user:development/guest'].relations).toEqual([{ type: 'memberOf', targetRef: 'group:default/team-a' }]);
    expect(Object.keys(rejected).map(Number)).toEqual([9, 10]);
    expect(rejected[9]).toMatch(/^kind Location is followed only in a pull \(FLEETOPS_CATALOG_URLS\)/);
    expect(rejected[10]).toMatch(/"Environment" \(dev\) is not a kind fleetops ingests, skipped/);
  });

  it('create-app default examples: a website Component and a gRPC API accepted; the scaffolder Template rejected with its reason', () => {
    const { accepted, rejected } = load('backstage-default-app.yaml');
    expect(accepted.map((e) => [e.ref, e.spec.type])).toEqual([
      ['system:default/examples', undefined],
      ['component:default/example-website', 'website'],
      ['api:default/example-grpc-api', 'grpc'],
    ]);
    expect(rejected).toEqual({ 3: expect.stringMatching(/^kind Template \(scaffolder\.backstage\.io\) is a Backstage scaffolder template, not ingested/) });
  });

  it('placeholders and versions: $json/$yaml accepted, two keys or a non-string refused; backstage.io/v1beta1 accepted and stored as v1alpha1', () => {
    const api = (definition: unknown, apiVersion = 'backstage.io/v1alpha1') =>
      validateEntity({ apiVersion, kind: 'API', metadata: { name: 'a' }, spec: { type: 'openapi', lifecycle: 'p', owner: 'g', definition } });
    expect(api({ $json: './schema.json' })).toHaveProperty('entity');
    expect(api({ $yaml: './openapi.yaml' })).toHaveProperty('entity');
    expect(api({ $text: './a', $json: './b' })).toMatchObject({ error: expect.stringMatching(/spec.definition/) });
    expect(api({ $text: 42 })).toMatchObject({ error: expect.stringMatching(/spec.definition/) });
    expect(api({ $include: '/etc/passwd' })).toMatchObject({ error: expect.stringMatching(/spec.definition/) });
    expect(api('openapi: 3.0.0', 'backstage.io/v1beta1')).toMatchObject({ entity: { apiVersion: 'backstage.io/v1alpha1' } });
    const mail = validateEntity({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Domain',
      metadata: { name: 'd', links: [{ url: 'mailto:team@example.com' }] },
      spec: { owner: 'g' },
    });
    expect(mail).toHaveProperty('entity');
  });
});
