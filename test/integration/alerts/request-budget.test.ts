/**
 * The DynamoDB bill of alert ingest (issue 24), counted on the wire: a middleware on the document client sees
 * every request the pipeline makes, whatever store or cache it goes through.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlertPipeline, DeliveryError } from '../../../functions/core/alerts/pipeline.ts';
import { incidentKey } from '../../../functions/core/alerts/fingerprint.ts';
import type { NormalizedAlert } from '../../../functions/core/alerts/types.ts';
import { useAlertStoreTable } from '../../support/alert-store-table.ts';
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
async function counted(pipeline: AlertPipeline, alerts: NormalizedAlert[]): Promise<string[]> {
  requests.length = 0;
  await pipeline.ingest(alerts);
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
