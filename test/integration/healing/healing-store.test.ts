import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoHealingStore } from '../../../functions/adapters/aws/dynamodb/healing-store.ts';
import { DynamoIncidentHealingLinks } from '../../../functions/adapters/aws/dynamodb/incident-healing-links.ts';
import { idempotent } from '../../../functions/adapters/aws/dynamodb/idempotency.ts';
import type { HealingRecord } from '../../../functions/core/healing/types.ts';
import { lambdaContext } from '../../../local/handlers.ts';
import { startTestTable } from '../../support/dynamodb.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
let client: DynamoDBDocumentClient;
let store: DynamoHealingStore;
/** Counts requests by command name: the cost of one safety decision. */
const sent: string[] = [];

const record = (id: string, extra: Partial<HealingRecord> = {}): HealingRecord => ({
  id,
  clusterId: 'c1',
  cluster: 'dev',
  namespace: 'shop',
  service: 'api',
  issueType: 'high_cpu',
  severity: 'medium',
  action: 'none',
  status: 'EXECUTING',
  reason: 'planning',
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  dryRun: false,
  trigger: 'api',
  requestedBy: 'test',
  ...extra,
});

beforeAll(async () => {
  db = await startTestTable();
  client = createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  store = new DynamoHealingStore({ client, tableName: db.tableName });
}, 240_000);

afterAll(async () => {
  await db?.stop();
});

describe('DynamoHealingStore against DynamoDB Local', () => {
  it('creates once, updates conditionally on status, lists newest first with filters', async () => {
    expect(await store.create(record('h1'))).toBe(true);
    expect(await store.create(record('h1', { service: 'other' }))).toBe(false);
    expect((await store.get('h1'))?.service).toBe('api');
    expect(await store.update('h1', { status: 'PENDING_APPROVAL', taskToken: 't' }, { statusIn: ['EXECUTING'] })).toBe(true);
    expect(await store.update('h1', { status: 'EXECUTING' }, { statusIn: ['EXECUTING'] })).toBe(false);
    expect(await store.update('missing', { status: 'FAILED' })).toBe(false);
    await store.create(record('h2', { service: 'web', createdAt: new Date(Date.now() + 1000).toISOString() }));
    expect((await store.list({ limit: 10 })).map((r) => r.id)).toEqual(['h2', 'h1']);
    expect((await store.list({ service: 'api', status: 'PENDING_APPROVAL', limit: 10 })).map((r) => r.id)).toEqual(['h1']);
    expect((await store.list({ limit: 10 }))[0]).not.toHaveProperty('pk');
  });

  it('audit entries are append-only: a second write of the same step changes nothing', async () => {
    expect(
      await store.audit('h1', {
        step: 'execute',
        at: '2026-12-01T00:00:01Z',
        actor: 'fleetops',
        what: 'scale',
        before: { replicas: 2 },
        after: { replicas: 4 },
        result: 'done',
      }),
    ).toBe(true);
    expect(await store.audit('h1', { step: 'execute', at: '2026-12-01T00:00:02Z', actor: 'mallory', what: 'scale', result: 'overwritten' })).toBe(false);
    expect(await store.audit('h1', { step: 'begin', at: '2026-12-01T00:00:00Z', actor: 'api', what: 'requested', result: 'recorded' })).toBe(true);
    const trail = await store.auditTrail('h1');
    expect(trail.map((e) => e.step)).toEqual(['begin', 'execute']);
    expect(trail[1]).toMatchObject({ actor: 'fleetops', result: 'done', before: { replicas: 2 }, after: { replicas: 4 } });
  });

  it('50 concurrent claims on one service: exactly 3 granted, the rest told why', async () => {
    const now = new Date();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.claimAction({ healingId: `r${i}`, service: 'c1#shop#rate', issue: 'c1#shop#rate#high_cpu', now, actionsPerHour: 3, cooldownSeconds: 0 }),
      ),
    );
    const granted = results.filter((r) => r.granted);
    expect(granted).toHaveLength(3);
    expect(new Set(granted.map((r) => (r as { slot: number }).slot))).toEqual(new Set([0, 1, 2]));
    for (const r of results.filter((x) => !x.granted)) expect(r).toMatchObject({ reason: expect.stringMatching(/rate limit: 3 actions/) });
    // An hour later the slots are free again.
    const later = await store.claimAction({
      healingId: 'later',
      service: 'c1#shop#rate',
      issue: 'x',
      now: new Date(now.getTime() + 3_600_001),
      actionsPerHour: 3,
      cooldownSeconds: 0,
    });
    expect(later.granted).toBe(true);
  }, 60_000);

  it('cool-down: one grant per issue until it ends; the kill switch stops claims; one read answers both for preflight', async () => {
    const now = new Date();
    const claim = (id: string, at = now) =>
      store.claimAction({ healingId: id, service: 'c1#shop#cool', issue: 'c1#shop#cool#high_cpu', now: at, actionsPerHour: 3, cooldownSeconds: 600 });
    const results = await Promise.all([claim('a'), claim('b'), claim('c'), claim('d')]);
    expect(results.filter((r) => r.granted)).toHaveLength(1);
    expect(results.filter((r) => !r.granted).every((r) => /cool-down/.test((r as { reason: string }).reason))).toBe(true);
    sent.length = 0;
    const state = await store.safetyState({ service: 'c1#shop#cool', issue: 'c1#shop#cool#high_cpu' });
    // One request (the document client's BatchGet, seen as BatchGetItem on the wire).
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^BatchGet/);
    expect(state.killSwitch).toBe(false);
    expect(Date.parse(state.cooldownUntil!)).toBeGreaterThan(now.getTime());
    await store.setKillSwitch(true, 'ops', now);
    expect((await store.safetyState({ service: 's', issue: 'i' })).killSwitch).toBe(true);
    expect(await store.claimAction({ healingId: 'k', service: 'c1#shop#kill', issue: 'k', now, actionsPerHour: 3, cooldownSeconds: 0 })).toMatchObject({
      granted: false,
      reason: expect.stringMatching(/kill switch/),
    });
    await store.setKillSwitch(false, 'ops', now);
    sent.length = 0;
    expect((await store.claimAction({ healingId: 'k', service: 'c1#shop#kill', issue: 'k', now, actionsPerHour: 3, cooldownSeconds: 0 })).granted).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^TransactWrite/);
  }, 60_000);

  it('incident links: healing ids appended once, notes appended, a missing incident left alone', async () => {
    await client.send(new PutCommand({ TableName: db.tableName, Item: { pk: 'INCIDENT#i1', sk: 'META', id: 'i1', rcaId: 'r1' } }));
    const links = new DynamoIncidentHealingLinks({ client, tableName: db.tableName });
    await links.link('i1', 'h1');
    await links.link('i1', 'h1');
    await links.link('i1', 'h2');
    await links.addNote('i1', { at: 'now', author: 'fleetops', text: 'verified' });
    await links.link('missing', 'h1');
    const item = (await client.send(new GetCommand({ TableName: db.tableName, Key: { pk: 'INCIDENT#i1', sk: 'META' } }))).Item!;
    expect(item.healingIds).toEqual(['h1', 'h2']);
    expect(item.rcaId).toBe('r1');
    expect(item.notes).toEqual([{ at: 'now', author: 'fleetops', text: 'verified' }]);
    expect((await client.send(new GetCommand({ TableName: db.tableName, Key: { pk: 'INCIDENT#missing', sk: 'META' } }))).Item).toBeUndefined();
  });

  it('Powertools idempotency keyed by healing id + step: a repeated step returns the first result without running again', async () => {
    let runs = 0;
    const step = idempotent<{ healingId: string; step: string }, { n: number }>(
      { tableName: db.tableName, endpoint: db.endpoint, functionName: 'healing-step-test', keyPath: '[healingId, step]' },
      async () => ({ n: ++runs }),
    );
    const context = lambdaContext('healing-step');
    expect(await step({ healingId: 'h1', step: 'execute' }, context)).toEqual({ n: 1 });
    expect(await step({ healingId: 'h1', step: 'execute' }, context)).toEqual({ n: 1 });
    expect(await step({ healingId: 'h1', step: 'verify' }, context)).toEqual({ n: 2 });
    expect(runs).toBe(2);
    const raw = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: db.endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
    expect(raw).toBeDefined();
  });
});
