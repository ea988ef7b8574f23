import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeRef, validateEntity, type CatalogEntity } from '../../../functions/core/catalog/entity.ts';
import { CatalogIndex } from '../../../functions/core/catalog/graph.ts';
import { catalogGuardrails, withCatalogGuardrails } from '../../../functions/core/catalog/guardrails.ts';
import { ownerContactForService } from '../../../functions/core/catalog/owners.ts';
import { parseCatalogDocuments } from '../../../functions/core/catalog/parse.ts';
import { CatalogRoutedNotifier } from '../../../functions/core/catalog/routing.ts';
import { resolveGuardrails } from '../../../functions/core/detection/guardrails.ts';
import { CatalogAwareGraphStore } from '../../../functions/core/catalog/dependency-graph.ts';
import { criticalDependents } from '../../../functions/core/healing/safety.ts';
import type { DependencyGraph } from '../../../functions/core/mesh/graph.ts';
import { ValidationError } from '../../../functions/core/errors.ts';
import type { NotificationMessage, Notifier } from '../../../functions/ports.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/catalog');
const shopYaml = readFileSync(join(FIXTURES, 'shop.yaml'), 'utf8');

function shop(): CatalogEntity[] {
  return parseCatalogDocuments(shopYaml).map((r) => {
    if (!('entity' in r)) throw new Error(`fixture document ${r.index} rejected: ${r.error}`);
    return r.entity;
  });
}

describe('catalog entities', () => {
  it('accepts the realistic shop catalog with normalised refs and relations', () => {
    const entities = shop();
    expect(entities.map((e) => e.ref)).toContain('component:default/user-service');
    expect(entities.map((e) => e.ref)).toContain('system:default/ecommerce-system');
    expect(entities.map((e) => e.ref)).toContain('api:default/user-api');
    const user = entities.find((e) => e.ref === 'component:default/user-service')!;
    expect(user.relations).toEqual([
      { type: 'consumesApi', targetRef: 'api:default/notification-api' },
      { type: 'dependsOn', targetRef: 'resource:default/users-db' },
      { type: 'ownedBy', targetRef: 'group:default/team-identity' },
      { type: 'partOf', targetRef: 'system:default/ecommerce-system' },
      { type: 'providesApi', targetRef: 'api:default/user-api' },
    ]);
    expect(user.metadata.namespace).toBe('default');
  });

  it('rejects invalid documents one by one with the reason and keeps the valid ones', () => {
    const results = parseCatalogDocuments(readFileSync(join(FIXTURES, 'invalid-mixed.yaml'), 'utf8'));
    const accepted = results.filter((r) => 'entity' in r).map((r) => ('entity' in r ? r.entity.ref : ''));
    const rejected = Object.fromEntries(results.filter((r) => 'error' in r).map((r) => [r.index, 'error' in r ? r.error : '']));
    expect(accepted).toEqual(['component:default/good-service', 'api:default/good-api']);
    expect(rejected[1]).toMatch(/apiVersion: must be backstage.io\/v1alpha1/);
    expect(rejected[2]).toMatch(/metadata.name: must be 1-63 characters/);
    expect(rejected[3]).toMatch(/Component spec.owner/);
    expect(rejected[4]).toMatch(/kind: must be one of Component, System, API/);
    expect(rejected[5]).toMatch(/anchors|aliases/);
    expect(rejected[6]).toMatch(/tags are not allowed/);
  });

  it('applies Backstage’s metadata.name rules and spec fields per kind', () => {
    const doc = (kind: string, name: string, spec: unknown) => validateEntity({ apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name }, spec });
    expect(doc('Component', 'a'.repeat(63), { type: 's', lifecycle: 'p', owner: 'g' })).toHaveProperty('entity');
    expect(doc('Component', 'a'.repeat(64), { type: 's', lifecycle: 'p', owner: 'g' })).toHaveProperty('error');
    expect(doc('Component', 'a--b', { type: 's', lifecycle: 'p', owner: 'g' })).toHaveProperty('error');
    expect(doc('Component', 'My_Service.v2', { type: 's', lifecycle: 'p', owner: 'g' })).toHaveProperty('entity');
    expect(doc('API', 'x', { type: 'openapi', lifecycle: 'p', owner: 'g' })).toMatchObject({ error: expect.stringMatching(/spec.definition/) });
    expect(doc('Group', 'g', { type: 'team' })).toMatchObject({ error: expect.stringMatching(/spec.children/) });
    // Backstage's kind schemas allow spec fields of their own: kept as written (bounded in extra-spec tests).
    expect(doc('Component', 'x', { type: 's', lifecycle: 'p', owner: 'g', surprise: 1 })).toMatchObject({ entity: { spec: { surprise: 1 } } });
    expect(doc('User', 'bob', {})).toHaveProperty('entity');
    expect(doc('Domain', 'd', { owner: 'g' })).toHaveProperty('entity');
    const link = (url: string) =>
      validateEntity({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Domain',
        metadata: { name: 'd', links: [{ url }], uid: 'x', extra: { deep: 1 } },
        spec: { owner: 'g' },
      });
    expect(link('javascript:alert(1)')).toMatchObject({ error: expect.stringMatching(/links.0.url/) });
    expect(link('https://wiki.example.com/d')).toMatchObject({
      entity: { metadata: { name: 'd', namespace: 'default', links: [{ url: 'https://wiki.example.com/d' }] } },
    });
    expect((link('https://wiki.example.com/d') as { entity: { metadata: Record<string, unknown> } }).entity.metadata).not.toHaveProperty('extra');
  });

  it('normalises refs with the field’s default kind and the entity’s namespace', () => {
    expect(normalizeRef('User-Service', { kind: 'component' })).toBe('component:default/user-service');
    expect(normalizeRef('Group:Ops/SRE', { kind: 'group' })).toBe('group:ops/sre');
    expect(normalizeRef('team', { kind: 'group', namespace: 'payments' })).toBe('group:payments/team');
    expect(normalizeRef('a b', { kind: 'group' })).toBeUndefined();
  });

  it('rejects collections as mapping keys (nested ones would be stringified level by level)', () => {
    expect(parseCatalogDocuments('? '.repeat(28) + 'x')).toEqual([{ index: 0, error: 'only scalar mapping keys are allowed' }]);
    expect(parseCatalogDocuments('apiVersion: backstage.io/v1alpha1\n? [a, b]\n: c\n')[0]).toMatchObject({ error: 'only scalar mapping keys are allowed' });
  });

  it('fails the whole request on hostile YAML before composing it', () => {
    expect(() => parseCatalogDocuments('['.repeat(5000))).toThrow(ValidationError);
    expect(() => parseCatalogDocuments('a: "\0"')).toThrow(/NUL/);
    expect(() => parseCatalogDocuments('')).toThrow(/no YAML document/);
    const bomb = ['a: &a [x, x]', 'b: &b [*a, *a]', 'c: [*b, *b]'].join('\n');
    expect(parseCatalogDocuments(bomb)[0]).toMatchObject({ error: expect.stringMatching(/anchors|aliases/) });
  });
});

describe('catalog graph', () => {
  it('shows user-service’s dependencies, APIs and dependents', () => {
    const graph = new CatalogIndex(shop()).neighbourhood('component:default/user-service');
    const refs = graph.nodes.map((n) => n.ref);
    expect(refs).toEqual(
      expect.arrayContaining([
        'resource:default/users-db',
        'api:default/user-api',
        'api:default/notification-api',
        'group:default/team-identity',
        'system:default/ecommerce-system',
        'component:default/frontend',
      ]),
    );
    expect(graph.nodes.find((n) => n.ref === 'api:default/notification-api')).toMatchObject({ missing: true });
    expect(graph.edges).toEqual(
      expect.arrayContaining([
        { from: 'component:default/user-service', to: 'resource:default/users-db', type: 'dependsOn' },
        { from: 'component:default/user-service', to: 'api:default/user-api', type: 'providesApi' },
        { from: 'component:default/user-service', to: 'api:default/notification-api', type: 'consumesApi' },
        { from: 'component:default/frontend', to: 'component:default/user-service', type: 'dependsOn' },
      ]),
    );
    expect(graph.downstream).toEqual(['resource:default/users-db']);
    expect(graph.upstream).toEqual(['component:default/frontend']);
  });

  it('follows APIs to their providers, transitively', () => {
    const graph = new CatalogIndex(shop()).neighbourhood('component:default/frontend');
    expect(graph.downstream).toEqual([
      'component:default/order-service',
      'component:default/payment-service',
      'component:default/user-service',
      'resource:default/users-db',
    ]);
    expect(new CatalogIndex(shop()).neighbourhood('component:default/payment-service').upstream).toEqual([
      'component:default/frontend',
      'component:default/order-service',
    ]);
  });

  it('gives the workload call graph the simulator’s shop has', () => {
    expect(new CatalogIndex(shop()).workloadGraph()).toEqual({ frontend: ['order-service', 'user-service'], 'order-service': ['payment-service'] });
  });

  it('stores inverse relations once, in their forward direction', () => {
    const entities = shop();
    const extra = validateEntity({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'audit' },
      spec: { type: 's', lifecycle: 'p', owner: 'team-web', dependencyOf: ['user-service'] },
    });
    const index = new CatalogIndex([...entities, ('entity' in extra ? extra.entity : undefined)!]);
    expect(index.dependenciesOf('component:default/user-service')).toContain('component:default/audit');
  });
});

describe('catalog owners, routing and guardrails', () => {
  it('finds the owning team’s Slack channel and PagerDuty service, walking up to parent groups', () => {
    const index = new CatalogIndex(shop());
    expect(ownerContactForService(index, 'user-service', 'shop')).toMatchObject({
      owner: 'group:default/team-identity',
      slackChannel: '#team-identity',
      pagerDutyServiceId: 'PIDENT1',
      resolved: true,
    });
    expect(ownerContactForService(index, 'order-service')).toMatchObject({ slackChannel: '#orders-oncall' });
    expect(ownerContactForService(index, 'user-service', 'other-namespace')).toBeUndefined();
    expect(ownerContactForService(index, 'unknown')).toBeUndefined();
  });

  it('routes a Slack notification to the owner’s channel, and leaves an explicit route alone', async () => {
    const sent: NotificationMessage[] = [];
    const inner: Notifier = { kind: 'slack', send: async (m) => void sent.push(m) };
    const routed = new CatalogRoutedNotifier(inner, { catalog: { snapshot: async () => new CatalogIndex(shop()) } });
    const message: NotificationMessage = {
      incidentId: 'i1',
      title: 't',
      text: 'x',
      severity: 'high',
      status: 'open',
      fields: { service: 'payment-service', namespace: 'shop' },
    };
    await routed.send(message);
    await routed.send({ ...message, channel: '#explicit' });
    await routed.send({ ...message, fields: { service: 'not-in-catalog' } });
    expect(sent.map((m) => m.channel)).toEqual(['#team-payments', '#explicit', undefined]);
    expect(sent[0].fields?.owner).toBe('group:default/team-payments');
  });

  it('sends as before when the catalog cannot be read', async () => {
    const sent: NotificationMessage[] = [];
    const routed = new CatalogRoutedNotifier(
      { kind: 'slack', send: async (m) => void sent.push(m) },
      { catalog: { snapshot: async () => Promise.reject(new Error('down')) } },
    );
    await routed.send({ incidentId: 'i1', title: 't', text: 'x', severity: 'high', status: 'open', fields: { service: 'user-service' } });
    expect(sent).toHaveLength(1);
    expect(sent[0].channel).toBeUndefined();
  });

  it('turns SLO annotations into guardrails under the cluster’s own per-service limits', () => {
    const fromCatalog = catalogGuardrails(new CatalogIndex(shop()));
    expect(fromCatalog).toEqual({ 'shop/user-service': { errorRate: 0.01, latencyP95Seconds: 0.3 } });
    const merged = withCatalogGuardrails({ namespaces: { shop: { errorRate: 0.2 } } }, fromCatalog);
    expect(resolveGuardrails(merged, 'shop', 'user-service')).toMatchObject({ errorRate: 0.01, latencyP95Seconds: 0.3 });
    expect(resolveGuardrails(merged, 'shop', 'order-service')).toMatchObject({ errorRate: 0.2 });
    const clusterWins = withCatalogGuardrails({ services: { 'user-service': { latencyP95Seconds: 2 } } }, fromCatalog);
    expect(resolveGuardrails(clusterWins, 'shop', 'user-service')).toMatchObject({ errorRate: 0.01, latencyP95Seconds: 2 });
  });

  it('sends a team’s PagerDuty events to its own integration key when the catalog names one', async () => {
    const team = validateEntity({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'team-payments', annotations: { 'pagerduty.com/integration-key': 'a'.repeat(32), 'pagerduty.com/service-id': 'PPAYMT1' } },
      spec: { type: 'team', children: [] },
    });
    const entities = shop()
      .filter((e) => e.ref !== 'group:default/team-payments')
      .concat('entity' in team ? [team.entity] : []);
    const sent: { via: string; message: NotificationMessage }[] = [];
    const routed = new CatalogRoutedNotifier(
      { kind: 'pagerduty', send: async (message) => void sent.push({ via: 'default', message }) },
      {
        catalog: { snapshot: async () => new CatalogIndex(entities) },
        pagerDutyFor: (key) => ({ kind: 'pagerduty', send: async (message) => void sent.push({ via: key, message }) }),
      },
    );
    await routed.send({ incidentId: 'i1', title: 't', text: 'x', severity: 'critical', status: 'open', fields: { service: 'payment-service' } });
    await routed.send({ incidentId: 'i2', title: 't', text: 'x', severity: 'critical', status: 'open', fields: { service: 'user-service' } });
    expect(sent.map((s) => s.via)).toEqual(['a'.repeat(32), 'default']);
    expect(sent[0].message.fields).toMatchObject({ pagerduty_service: 'PPAYMT1', owner: 'group:default/team-payments' });
    expect(sent[1].message.fields).toMatchObject({ pagerduty_service: 'PIDENT1' });
  });
});

describe('catalog as a dependency-graph source', () => {
  const stored = (graph: DependencyGraph | undefined) => ({ put: async () => undefined, get: async () => graph });

  it('merges the stored mesh graph with the catalog’s workload graph, for healing’s dependents at risk', async () => {
    const store = new CatalogAwareGraphStore(stored({ 'order-service': ['inventory'] }), { snapshot: async () => new CatalogIndex(shop()) });
    const graph = await store.get('dev');
    expect(graph).toEqual({ frontend: ['order-service', 'user-service'], 'order-service': ['inventory', 'payment-service'] });
    expect(criticalDependents('payment-service', graph!, ['frontend'])).toEqual(['frontend']);
  });

  it('answers with the stored graph alone when the catalog is down, and nothing when neither knows anything', async () => {
    const down = { snapshot: async () => Promise.reject(new Error('down')) };
    expect(await new CatalogAwareGraphStore(stored({ a: ['b'] }), down).get('dev')).toEqual({ a: ['b'] });
    expect(await new CatalogAwareGraphStore(stored(undefined), { snapshot: async () => new CatalogIndex([]) }).get('dev')).toBeUndefined();
  });
});
