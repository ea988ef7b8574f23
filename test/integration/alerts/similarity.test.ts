import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAlertStore } from '../../../functions/adapters/aws/dynamodb/alert-store.ts';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DEFAULT_GROUPING_CONFIG } from '../../../functions/core/alerts/grouping.ts';
import { AlertPipeline, type TextSimilarity } from '../../../functions/core/alerts/pipeline.ts';
import { startTestTable } from '../../support/dynamodb.ts';
import { alert, RecordingNotifier, RecordingPublisher, TestClock } from './helpers.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
beforeAll(async () => {
  db = await startTestTable();
});
afterAll(async () => db?.stop());

describe('semantic similarity grouping through the TextSimilarity port', () => {
  it('joins a near-duplicate alert of another service into the open incident, and falls back when the model fails', async () => {
    const store = new DynamoAlertStore({ client: createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), tableName: db.tableName });
    const calls: string[] = [];
    let broken = false;
    // Stands in for Titan embeddings: "same meaning" when both texts mention TLS.
    const similarity: TextSimilarity = {
      similarities: async (text, others) => {
        calls.push(text);
        if (broken) throw new Error('throttled');
        return others.map((o) => (/tls/i.test(text) && /tls/i.test(o) ? 0.93 : 0.1));
      },
    };
    const clock = new TestClock();
    const pipeline = new AlertPipeline({
      store,
      publisher: new RecordingPublisher(),
      notifiers: [new RecordingNotifier('slack')],
      clock,
      similarity,
      config: { grouping: { ...DEFAULT_GROUPING_CONFIG, similarityThreshold: 0.85 } },
    });
    const first = await pipeline.ingest([alert({ cluster: 'prod', service: 'gateway', type: 'CertExpiring', message: 'TLS certificate expires in 2 days' })]);
    clock.advance(30);
    const second = await pipeline.ingest([alert({ cluster: 'prod', service: 'auth', type: 'HandshakeErrors', message: 'tls handshake failures rising' })]);
    expect(second.incidents).toEqual(first.incidents);
    expect(calls.length).toBeGreaterThan(0);

    broken = true;
    clock.advance(30);
    const third = await pipeline.ingest([alert({ cluster: 'prod', service: 'billing', type: 'TLSErrors', message: 'TLS errors to the bank API' })]);
    // The model failed: TF-IDF decides, and these texts are not similar enough by words.
    expect(third.incidents).not.toEqual(first.incidents);
  });
});
