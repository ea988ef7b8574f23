import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAlertStore } from '../../../functions/adapters/aws/dynamodb/alert-store.ts';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoMetricsStore } from '../../../functions/adapters/aws/dynamodb/metrics-store.ts';
import { AlertPipeline } from '../../../functions/core/alerts/pipeline.ts';
import type { AnomalyRecord } from '../../../functions/core/pull/records.ts';
import { startTestTable } from '../../support/dynamodb.ts';
import { alert, RecordingPublisher, TestClock } from '../alerts/helpers.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
const client = () => createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint });

beforeAll(async () => {
  db = await startTestTable();
});
afterAll(async () => db?.stop());

const record = (clusterId: string, i: number, at: string): AnomalyRecord => ({
  cluster: clusterId,
  clusterId,
  namespace: `ns-${i % 7}`,
  service: `svc-${i}`,
  status: 'normal',
  score: -0.5,
  severity: 'low',
  features: { cpu_usage: 0.1, memory_usage: 1e8, error_rate: 0, latency_p95: 0.05, request_rate: 10 },
  at,
  pullId: 'p1',
});

describe('train-models series selection reads every series', () => {
  it('returns every series of a cluster seen since the cut-off, over many pages (the old read stopped at 1,000 records fleet-wide)', async () => {
    const store = new DynamoMetricsStore({ client: client(), tableName: db.tableName });
    const now = Date.now();
    const recent = new Date(now - 3_600_000).toISOString();
    const old = new Date(now - 3 * 86_400_000).toISOString();
    const records = [
      ...Array.from({ length: 60 }, (_, i) => record('c-big', i, recent)),
      // Older rows of the same series and a stale series: not selected, and no duplicates.
      ...Array.from({ length: 10 }, (_, i) => record('c-big', i, old)),
      record('c-big', 5000, old),
      ...Array.from({ length: 3 }, (_, i) => record('c-small', i, recent)),
    ];
    for (let i = 0; i < records.length; i += 50) await Promise.all(records.slice(i, i + 50).map((r) => store.putAnomaly(r)));

    const since = new Date(now - 86_400_000);
    const series = await store.seriesSince('c-big', since, 7);
    expect(series).toHaveLength(60);
    expect(new Set(series.map((s) => s.service)).size).toBe(60);
    expect(await store.seriesSince('c-big', since)).toHaveLength(60);
    expect(series.some((s) => s.service === 'svc-5000')).toBe(false);
    expect(series[0]).toEqual({ clusterId: 'c-big', namespace: expect.stringMatching(/^ns-\d$/), service: expect.stringMatching(/^svc-\d+$/) });
    expect(await store.seriesSince('c-small', since)).toHaveLength(3);
    expect(await store.seriesSince('c-none', since)).toEqual([]);
  });
});

describe('escalation sweep reads every incident of a status', () => {
  it('pages past the first page of open incidents', async () => {
    const store = new DynamoAlertStore({ client: client(), tableName: db.tableName });
    const pipeline = new AlertPipeline({ store, publisher: new RecordingPublisher(), notifiers: [], clock: new TestClock() });
    await pipeline.ingest(Array.from({ length: 7 }, (_, i) => alert({ cluster: 'paging', service: `svc-${i}`, severity: 'low' })));
    const firstPage = await store.incidents.listByStatus('open', { limit: 3 });
    expect(firstPage.items).toHaveLength(3);
    expect(firstPage.cursor).toBeDefined();

    const all = [];
    for await (const incident of store.incidents.allByStatus('open', { pageSize: 3 })) all.push(incident);
    const mine = all.filter((i) => i.cluster === 'paging');
    expect(mine).toHaveLength(7);
    expect(new Set(mine.map((i) => i.id)).size).toBe(7);
  });
});
