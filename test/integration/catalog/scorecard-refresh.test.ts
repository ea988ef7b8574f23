// Stored scorecards against DynamoDB Local: the refresh schedule computes stale cards stalest first within its budget
// (the stored computedAt is its cursor), requests read fresh cards without asking clusters or GitHub again, and the
// fleet summary is one Query plus a bounded number of live cards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoScorecardStore } from '../../../functions/adapters/aws/dynamodb/scorecard-store.ts';
import { validateEntity, type CatalogEntity } from '../../../functions/core/catalog/entity.ts';
import { CatalogIndex } from '../../../functions/core/catalog/graph.ts';
import type { ServiceCatalog } from '../../../functions/core/catalog/ports.ts';
import { ScorecardService } from '../../../functions/core/catalog/scorecard-service.ts';
import { startTestTable } from '../../support/dynamodb.ts';

const component = (name: string): CatalogEntity => {
  const r = validateEntity({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, annotations: { 'github.com/project-slug': `acme/${name}` } },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  });
  if (!('entity' in r)) throw new Error(r.error);
  return r.entity;
};

let db: Awaited<ReturnType<typeof startTestTable>>;
let store: DynamoScorecardStore;

beforeAll(async () => {
  db = await startTestTable();
  store = new DynamoScorecardStore({ client: createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), tableName: db.tableName });
}, 120_000);

afterAll(async () => {
  await db?.stop();
});

function service(components: CatalogEntity[], clock: { now: () => Date }) {
  const calls = { workloads: [] as string[], repositories: [] as string[] };
  const catalog: ServiceCatalog = { snapshot: async () => new CatalogIndex(components) };
  const scorecards = new ScorecardService({
    catalog,
    workloads: {
      inspect: async (w) => {
        calls.workloads.push(w.name);
        clock.now = (
          (t) => () =>
            new Date(t.getTime() + 1000)
        )(clock.now()); // each inspection takes a second
        return [];
      },
    },
    repositories: {
      inspect: async (r) => {
        calls.repositories.push(r.repo);
        return { repository: `${r.owner}/${r.repo}` };
      },
    },
    clock,
    store,
    maxAgeSeconds: 3600,
  });
  return { scorecards, calls };
}

describe('stored scorecards (DynamoDB Local)', () => {
  const components = ['a', 'b', 'c', 'd', 'e', 'f'].map(component);

  it('a refresh stops at its deadline, and the next one goes on where it stopped (never-computed first, then stalest)', async () => {
    const clock = { now: () => new Date('2026-12-07T00:00:00Z') };
    const first = service(components, clock);
    // Each batch of four inspections moves the clock one second each (sequentially here: 4 s per batch); the deadline
    // allows one batch.
    const run1 = await first.scorecards.refresh({ deadline: new Date('2026-12-07T00:00:01Z') });
    expect(run1).toEqual({ computed: 4, remaining: 2 });
    expect((await store.list()).map((s) => s.card.entity).sort()).toEqual([
      'component:default/a',
      'component:default/b',
      'component:default/c',
      'component:default/d',
    ]);

    const second = service(components, { now: () => new Date('2026-12-07T00:01:00Z') });
    const run2 = await second.scorecards.refresh({ deadline: new Date('2026-12-07T01:00:00Z') });
    expect(run2).toEqual({ computed: 2, remaining: 0 });
    expect(second.calls.workloads.sort()).toEqual(['e', 'f']); // the four fresh cards were not recomputed

    // An hour later everything is stale: the oldest cards come first.
    const later = service(components, { now: () => new Date('2026-12-07T01:00:30Z') });
    const run3 = await later.scorecards.refresh({ deadline: new Date('2026-12-07T01:00:30.5Z') });
    expect(run3.computed).toBe(4);
    expect(later.calls.workloads.sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a request reads a fresh stored card without asking clusters or GitHub; a stale one is recomputed and stored', async () => {
    const fresh = service(components, { now: () => new Date('2026-12-07T01:10:00Z') });
    const card = await fresh.scorecards.forEntity('component:default/a');
    expect(card.entity).toBe('component:default/a');
    expect(card.computedAt).toMatch(/^2026-12-07T01:00:3/);
    expect(fresh.calls).toEqual({ workloads: [], repositories: [] });

    const stale = service(components, { now: () => new Date('2026-12-07T03:00:00Z') });
    const recomputed = await stale.scorecards.forEntity('component:default/a');
    expect(stale.calls.repositories).toEqual(['a']);
    expect(recomputed.computedAt).toBe('2026-12-07T03:00:01.000Z');
    expect((await store.get('component:default/a'))?.computedAt).toBe('2026-12-07T03:00:01.000Z');
  });

  it('an older computation never overwrites a newer stored card', async () => {
    const newer = (await store.get('component:default/a'))!;
    await store.put({ ...newer.card, score: 1 }, new Date('2026-12-07T02:00:00Z'));
    expect(await store.get('component:default/a')).toEqual(newer);
  });

  it('the fleet summary serves stored cards, computes a few missing ones, and counts the rest as pending', async () => {
    const many = [...components, ...Array.from({ length: 12 }, (_, i) => component(`new-${String(i).padStart(2, '0')}`))];
    const summary = service(many, { now: () => new Date('2026-12-07T03:00:00Z') });
    const result = await summary.scorecards.fleet();
    expect(result.components).toBe(6 + 8);
    expect(result.pending).toBe(4);
    expect(summary.calls.workloads).toHaveLength(8);
    expect(summary.calls.workloads.every((w) => w.startsWith('new-'))).toBe(true);
    expect(result.oldestComputedAt).toBeDefined();
  });
});
