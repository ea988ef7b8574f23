/**
 * The DynamoDB bill of alert ingest (issue 24), counted on the wire: a middleware on the document client sees
 * every request the pipeline makes, whatever store or cache it goes through.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlertPipeline, DeliveryError } from '../../../functions/core/alerts/pipeline.ts';
import { incidentKey } from '../../../functions/core/alerts/fingerprint.ts';
import type { NormalizedAlert } from '../../../functions/core/alerts/types.ts';
import { incidentDraft, useAlertStoreTable } from '../../support/alert-store-table.ts';
import { RecordingNotifier, RecordingPublisher, TestClock, alert } from './helpers.ts';

const table = useAlertStoreTable();
const requests: string[] = [];

beforeAll(() => {
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
});

function setup() {
  const notifiers = [new RecordingNotifier('pagerduty'), new RecordingNotifier('slack')];
  const publisher = new RecordingPublisher();
  const clock = new TestClock();
  const pipeline = new AlertPipeline({ store: table.store, publisher, notifiers, clock });
  return { notifiers, publisher, clock, pipeline, slack: notifiers[1] };
}

/** The requests one ingest makes. */
async function counted(pipeline: AlertPipeline, alerts: NormalizedAlert[], deliveryId?: string): Promise<string[]> {
  requests.length = 0;
  await pipeline.ingest(alerts, deliveryId ? { deliveryId } : {});
  return [...requests];
}

describe('DynamoDB requests per alert', () => {
  it('a new incident costs three requests: the failed duplicate check, one transaction, the outbox completion', async () => {
    const t = setup();
    await t.pipeline.ingest([alert({ cluster: 'budget', service: 'warmup' })]); // silences are read once per 30 s
    const a = alert({ cluster: 'budget', service: 'cart' });
    expect(await counted(t.pipeline, [a])).toEqual(['UpdateItem', 'TransactWriteItems', 'UpdateItem']);
    const [id] = (await t.pipeline.ingest([a])).incidents;
    expect(await table.store.firingAlerts(id)).toEqual([expect.objectContaining({ alertId: a.alertId, key: incidentKey(a) })]);
    expect(t.publisher.ofType('IncidentOpened')).toHaveLength(2); // warmup and cart
  });

  it('a duplicate costs one conditional UpdateItem, and the incident still counts it', async () => {
    const t = setup();
    const a = alert({ cluster: 'dup', service: 'cart' });
    const [id] = (await t.pipeline.ingest([a])).incidents;
    for (let i = 0; i < 3; i++) {
      t.clock.advance(5);
      expect(await counted(t.pipeline, [a])).toEqual(['UpdateItem']);
    }
    expect(await table.store.getIncident(id)).toMatchObject({ alertCount: 4, status: 'open', lastSeen: t.clock.now().toISOString() });
    expect(t.slack.sent).toHaveLength(1);
  });

  it('a webhook delivery is priced like any alert: a new incident three, a duplicate one; its retry counts nothing', async () => {
    const t = setup();
    await t.pipeline.ingest([alert({ cluster: 'hook', service: 'warmup' })]); // silences are read once per 30 s
    const a = alert({ cluster: 'hook', service: 'cart' });
    expect(await counted(t.pipeline, [a], 'am-1')).toEqual(['UpdateItem', 'TransactWriteItems', 'UpdateItem']);
    const [id] = (await t.pipeline.ingest([a], { deliveryId: 'am-1' })).incidents; // retried: nothing counted
    t.clock.advance(5);
    // Alertmanager sends the group again (a new payload): one conditional UpdateItem, counted.
    expect(await counted(t.pipeline, [a], 'am-2')).toEqual(['UpdateItem']);
    // It retries that payload (our answer never reached it): one request, nothing counted.
    expect(await counted(t.pipeline, [a], 'am-2')).toEqual(['UpdateItem']);
    await t.pipeline.ingest([a], { deliveryId: 'am-3' });
    expect(await table.store.getIncident(id)).toMatchObject({ alertCount: 3 });
  });

  it('an alert the incident has not seen costs three, a higher severity the full path; then duplicates are one request again', async () => {
    const t = setup();
    const a = alert({ cluster: 'grow', service: 'cart', severity: 'high', labels: { pod: 'p1' } });
    const [id] = (await t.pipeline.ingest([a])).incidents;
    const b = alert({ cluster: 'grow', service: 'cart', severity: 'high', labels: { pod: 'p2' } });
    expect(incidentKey(b)).toBe(incidentKey(a));
    // Alert items, then the incident update and the key's record in one transaction (the severity needs no raise).
    expect(await counted(t.pipeline, [b])).toEqual(['UpdateItem', 'BatchWriteItem', 'TransactWriteItems']);
    expect((await table.store.firingAlerts(id)).map((f) => f.alertId).sort()).toEqual([a.alertId, b.alertId].sort());
    expect(await counted(t.pipeline, [b])).toEqual(['UpdateItem']);

    const critical = { ...a, severity: 'critical' as const };
    expect((await counted(t.pipeline, [critical])).length).toBeGreaterThan(1);
    expect(await table.store.getIncident(id)).toMatchObject({ severity: 'critical', alertCount: 4 });
    expect(t.slack.sent.map((m) => m.severity)).toEqual(['high', 'critical']);
    // The key records the severity only once the incident has it stored (a crash before the raise must not skip it).
    expect((await counted(t.pipeline, [critical])).length).toBeGreaterThan(1);
    expect(await counted(t.pipeline, [critical])).toEqual(['UpdateItem']);
    expect(t.slack.sent).toHaveLength(2);
  });

  it('a redelivery after a failed notification is no duplicate: it sends what is missing, once', async () => {
    const t = setup();
    t.slack.failNext = 1;
    const a = alert({ cluster: 'retry', service: 'cart' });
    await expect(t.pipeline.ingest([a])).rejects.toBeInstanceOf(DeliveryError);
    const [id] = (await t.pipeline.ingest([a])).incidents;
    expect(t.slack.sent).toHaveLength(1);
    expect(t.notifiers[0].sent).toHaveLength(1);
    expect((await table.store.getIncident(id))?.pending).toBeUndefined();
    // The retry saw the delivery waiting, so it did not mark the key settled; the next alert does.
    expect((await counted(t.pipeline, [a])).length).toBeGreaterThan(1);
    expect(await counted(t.pipeline, [a])).toEqual(['UpdateItem']);
    expect(t.slack.sent).toHaveLength(1);
  });

  it('a resolved alert that fires again is no duplicate: it reopens the incident', async () => {
    const t = setup();
    const a = alert({ cluster: 'flap', service: 'cart' });
    const [id] = (await t.pipeline.ingest([a])).incidents;
    await t.pipeline.ingest([a]);
    t.clock.advance(5);
    await t.pipeline.ingest([{ ...a, status: 'resolved' }]);
    expect(await table.store.getIncident(id)).toMatchObject({ status: 'resolved', alertCount: 2 });
    t.clock.advance(5);
    expect((await t.pipeline.ingest([a])).incidents).toEqual([id]);
    expect(await table.store.getIncident(id)).toMatchObject({ status: 'open', alertCount: 3 });
    expect(t.publisher.ofType('IncidentOpened').map((e) => e.id)).toEqual([`${id}:opened:1`, `${id}:reopened:3`]);
  });

  it('duplicates stay counted on a resolved incident after its dedup items expire', async () => {
    const t = setup();
    const a = alert({ cluster: 'fold', service: 'cart' });
    const [id] = (await t.pipeline.ingest([a])).incidents;
    for (let i = 0; i < 4; i++) await t.pipeline.ingest([a]);
    await t.pipeline.ingest([{ ...a, status: 'resolved' }]);
    await table.client.send(new DeleteCommand({ TableName: table.tableName, Key: { pk: `DEDUP#${incidentKey(a)}`, sk: 'STATE' } }));
    expect(await table.store.getIncident(id)).toMatchObject({ status: 'resolved', alertCount: 5 });
  });
});

describe('duplicates counted on the dedup item', () => {
  const dedup = { dedupWindowSeconds: 6 * 3600, reopenWindowSeconds: 1800 };
  const now = new Date('2026-11-27T00:00:00Z');
  const batch = (key: string, at = now) => ({
    key,
    alertIds: ['a1'],
    fingerprints: ['f1'],
    count: 1,
    service: 'cart',
    types: ['HighErrorRate'],
    severity: 'high' as const,
    now: at,
  });
  const draft = (id: string) => incidentDraft(id, 'moves', now);

  it('stay with the incident they were counted for when the key moves to another one', async () => {
    expect(await table.store.open(batch('k-move'), draft('inc-move-from'), dedup)).toBeDefined();
    expect(await table.store.open(batch('k-target'), draft('inc-move-to'), dedup)).toBeDefined();
    for (let i = 0; i < 3; i++) expect(await table.store.touch(batch('k-move'), dedup)).toEqual({ outcome: 'duplicate', incidentId: 'inc-move-from' });
    expect(await table.store.getIncident('inc-move-from')).toMatchObject({ alertCount: 4 });
    expect(await table.store.attach(batch('k-move'), 'inc-move-to', dedup, 'inc-move-from')).toBeDefined();
    expect(await table.store.getIncident('inc-move-from')).toMatchObject({ alertCount: 4 });
    expect(await table.store.getIncident('inc-move-to')).toMatchObject({ alertCount: 2 });
    // The key now counts for the incident it moved to (once the full path has recorded that incident's severity).
    expect(await table.store.touch(batch('k-move'), dedup)).toMatchObject({ outcome: 'joined', incident: { id: 'inc-move-to' } });
    expect(await table.store.touch(batch('k-move'), dedup)).toEqual({ outcome: 'duplicate', incidentId: 'inc-move-to' });
    expect(await table.store.getIncident('inc-move-to')).toMatchObject({ alertCount: 4 });
    expect(await table.store.getIncident('inc-move-from')).toMatchObject({ alertCount: 4 });
  });

  it('keep the incident in listings since a time: its lastSeen is the latest duplicate, not its last full write', async () => {
    expect(await table.store.open(batch('k-lag'), draft('inc-lag'), dedup)).toBeDefined();
    const later = new Date(now.getTime() + 200_000);
    expect(await table.store.touch(batch('k-lag', later), dedup)).toMatchObject({ outcome: 'duplicate' });
    const open = await table.store.recentOpenIncidents('moves', new Date(later.getTime() - 60_000));
    expect(open.find((i) => i.id === 'inc-lag')).toMatchObject({ lastSeen: later.toISOString(), alertCount: 2 });
    // After the refresh interval a duplicate takes the full path, which writes the incident item (and its index entry).
    const stale = new Date(now.getTime() + 400_000);
    expect((await table.store.touch(batch('k-lag', stale), dedup)).outcome).not.toBe('duplicate');
    expect(await table.store.getIncident('inc-lag')).toMatchObject({ lastSeen: stale.toISOString(), alertCount: 3 });
  });
});
