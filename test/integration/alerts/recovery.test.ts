import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAlertStore } from '../../../functions/adapters/aws/dynamodb/alert-store.ts';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { AlertPipeline, isDeliveryFailure } from '../../../functions/core/alerts/pipeline.ts';
import { startTestTable } from '../../support/dynamodb.ts';
import { alert, RecordingNotifier, RecordingPublisher, TestClock } from './helpers.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
beforeAll(async () => {
  db = await startTestTable();
});
afterAll(async () => db?.stop());

describe('pending notifications are finished by the sweep, not left for the next alert', () => {
  it('a failed Slack delivery (lease released) is finished by recoverPending, exactly once', async () => {
    const store = new DynamoAlertStore({ client: createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), tableName: db.tableName });
    const slack = new RecordingNotifier('slack');
    const clock = new TestClock();
    const pipeline = new AlertPipeline({ store, publisher: new RecordingPublisher(), notifiers: [slack], clock, config: { deliveryLeaseSeconds: 60 } });

    slack.failNext = 1;
    const failure = await pipeline.ingest([alert({ cluster: 'prod', service: 'ledger', severity: 'medium' })]).catch((e: unknown) => e);
    expect(isDeliveryFailure(failure)).toBe(true);
    expect(slack.sent).toHaveLength(0);
    const [incident] = (await store.incidents.listByStatus('open')).items.filter((i) => i.service === 'ledger');
    expect(incident.pending).toBeDefined();

    // The failed sender released its lease, so the sweep may take over at once.
    clock.advance(5);
    expect(await pipeline.recoverPending(incident.id)).toBe(true);
    expect(slack.sent).toHaveLength(1);
    expect((await store.incidents.get(incident.id))?.pending).toBeUndefined();
    expect(await pipeline.recoverPending(incident.id)).toBe(false);
    expect(slack.sent).toHaveLength(1);
  });
});
