/**
 * The outbox on the incident item is per state change. A slow sender of an older change (same
 * transition name, older version) must not complete or release the delivery of a newer one.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoAlertStore } from '../../../functions/adapters/aws/dynamodb/alert-store.ts';
import { DEFAULT_DEDUP_CONFIG } from '../../../functions/core/alerts/dedup.ts';
import { startTestTable } from '../../support/dynamodb.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
let client: ReturnType<typeof createDocumentClient>;
let store: DynamoAlertStore;

beforeAll(async () => {
  db = await startTestTable();
  client = createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint });
  store = new DynamoAlertStore({ client, tableName: db.tableName });
}, 120_000);
afterAll(async () => {
  client?.destroy();
  await db?.stop();
});

async function incidentAt(id: string, version: number) {
  const now = new Date('2026-11-27T00:00:00Z');
  const batch = { key: `k-${id}`, alertIds: ['a1'], fingerprints: ['f'], types: ['HighErrorRate'], count: 1, service: 'cart', now };
  const draft = {
    id,
    cluster: 'c',
    namespace: 'shop',
    service: 'cart',
    type: 'HighErrorRate',
    severity: 'high' as const,
    title: 't',
    importance: 1,
    notify: true,
    silenced: false,
    windowStart: now.toISOString(),
  };
  expect(await store.open(batch, draft, DEFAULT_DEDUP_CONFIG)).toBeDefined();
  // The incident has since been resolved and reopened twice: the pending 'reopened' is a newer one.
  await client.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: { pk: `INCIDENT#${id}`, sk: 'META' },
      UpdateExpression: 'SET pending = :t, pendingAt = :ms, version = :v',
      ExpressionAttributeValues: { ':t': 'reopened', ':ms': now.getTime(), ':v': version },
    }),
  );
}

describe('delivery outbox and incident versions', () => {
  it('a slow sender of an older version neither completes nor releases the newer delivery', async () => {
    await incidentAt('inc-slow', 5);
    await store.completeDelivery({ id: 'inc-slow', version: 3 }, 'reopened');
    expect(await store.getIncident('inc-slow')).toMatchObject({ pending: 'reopened', version: 5 });
    await store.releaseDelivery({ id: 'inc-slow', version: 3 }, 'reopened', ['slack']);
    const after = await store.getIncident('inc-slow');
    expect(after?.pendingAt).toBeGreaterThan(0);
    expect(after?.doneTargets).toBeUndefined();
  });

  it('the sender of the current version completes it', async () => {
    await incidentAt('inc-current', 5);
    await store.releaseDelivery({ id: 'inc-current', version: 5 }, 'reopened', ['slack']);
    expect(await store.getIncident('inc-current')).toMatchObject({ pendingAt: 0, doneTargets: ['slack'] });
    await store.completeDelivery({ id: 'inc-current', version: 5 }, 'reopened');
    expect((await store.getIncident('inc-current'))?.pending).toBeUndefined();
  });
});
