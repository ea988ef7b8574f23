/**
 * Grouping's read of a cluster's unresolved incidents (AlertStore.recentOpenIncidents) on DynamoDB Local: its own
 * index partition per cluster (gsi2), so a busy fleet elsewhere cannot push a cluster's long outage out of the read.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { incidentDraft, useAlertStoreTable } from '../../support/alert-store-table.ts';

const table = useAlertStoreTable();
const dedup = { dedupWindowSeconds: 6 * 3600, reopenWindowSeconds: 1800 };
const t0 = new Date('2026-12-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const batch = (key: string, now: Date) => ({
  key,
  alertIds: [`alert-${key}`],
  fingerprints: [`fp-${key}`],
  count: 1,
  service: 'cart',
  types: ['HighErrorRate'],
  severity: 'high' as const,
  now,
});
const open = (id: string, cluster: string, now: Date) => table.store.open(batch(`key-${id}`, now), { ...incidentDraft(id, cluster, now), id }, dedup);
const ids = async (cluster: string, since: Date) => (await table.store.recentOpenIncidents(cluster, since)).map((i) => i.id);

describe('a cluster’s unresolved incidents, the read grouping correlates against', () => {
  it('finds a cluster’s 25-minute-old outage however many incidents the rest of the fleet opened since', async () => {
    expect(await open('inc-quiet', 'quiet', t0)).toBeDefined();
    for (let i = 0; i < 130; i++) expect(await open(`inc-busy-${i}`, 'busy', at(60 + i))).toBeDefined();
    const now = at(25 * 60);
    expect(await ids('quiet', new Date(now.getTime() - 6 * 3600_000))).toEqual(['inc-quiet']);
    expect(await ids('quiet', new Date(now.getTime() - 10 * 60_000))).toEqual([]);
    const busy = await ids('busy', new Date(now.getTime() - 6 * 3600_000));
    expect(busy).toHaveLength(100);
    expect(busy[0]).toBe('inc-busy-129');
  });

  it('keeps an acknowledged incident (someone is on it; the fault goes on) and drops a resolved one', async () => {
    await open('inc-acked', 'acks', t0);
    await open('inc-done', 'acks', at(1));
    await table.store.incidents.acknowledge('inc-acked', at(5));
    const done = await table.store.getIncident('inc-done');
    expect(await table.store.markResolved(done!, 'key-inc-done', at(10), dedup)).toMatchObject({ status: 'resolved' });
    expect(await ids('acks', t0)).toEqual(['inc-acked']);
  });

  it('an incident written before the index existed joins it on its next change', async () => {
    await open('inc-legacy', 'legacy', t0);
    await table.client.send(
      new UpdateCommand({ TableName: table.tableName, Key: { pk: 'INCIDENT#inc-legacy', sk: 'META' }, UpdateExpression: 'REMOVE gsi2pk, gsi2sk' }),
    );
    expect(await ids('legacy', t0)).toEqual([]);
    // Past the refresh interval a duplicate takes the full path, which writes the incident item.
    expect((await table.store.touch(batch('key-inc-legacy', at(400)), dedup)).outcome).not.toBe('duplicate');
    expect(await ids('legacy', t0)).toEqual(['inc-legacy']);
  });
});
