/**
 * The outbox on the incident item is per state change. A slow sender of an older change (same
 * transition name, older version) must not complete or release the delivery of a newer one.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEDUP_CONFIG } from '../../../functions/core/alerts/dedup.ts';
import { incidentDraft, useAlertStoreTable } from '../../support/alert-store-table.ts';

const table = useAlertStoreTable();

async function incidentAt(id: string, version: number) {
  const now = new Date('2026-11-27T00:00:00Z');
  const batch = { key: `k-${id}`, alertIds: ['a1'], fingerprints: ['f'], types: ['HighErrorRate'], count: 1, service: 'cart', now };
  const draft = incidentDraft(id, 'c', now);
  expect(await table.store.open(batch, draft, DEFAULT_DEDUP_CONFIG)).toBeDefined();
  // The incident has since been resolved and reopened twice: the pending 'reopened' is a newer one.
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: { pk: `INCIDENT#${id}`, sk: 'META' },
      UpdateExpression: 'SET pending = :t, pendingAt = :ms, version = :v',
      ExpressionAttributeValues: { ':t': 'reopened', ':ms': now.getTime(), ':v': version },
    }),
  );
}

describe('delivery outbox and incident versions', () => {
  it('a slow sender of an older version neither completes nor releases the newer delivery', async () => {
    await incidentAt('inc-slow', 5);
    await table.store.completeDelivery({ id: 'inc-slow', version: 3 }, 'reopened');
    expect(await table.store.getIncident('inc-slow')).toMatchObject({ pending: 'reopened', version: 5 });
    await table.store.releaseDelivery({ id: 'inc-slow', version: 3 }, 'reopened', ['slack']);
    const after = await table.store.getIncident('inc-slow');
    expect(after?.pendingAt).toBeGreaterThan(0);
    expect(after?.doneTargets).toBeUndefined();
  });

  it('the sender of the current version completes it', async () => {
    await incidentAt('inc-current', 5);
    await table.store.releaseDelivery({ id: 'inc-current', version: 5 }, 'reopened', ['slack']);
    expect(await table.store.getIncident('inc-current')).toMatchObject({ pendingAt: 0, doneTargets: ['slack'] });
    await table.store.completeDelivery({ id: 'inc-current', version: 5 }, 'reopened');
    expect((await table.store.getIncident('inc-current'))?.pending).toBeUndefined();
  });
});
