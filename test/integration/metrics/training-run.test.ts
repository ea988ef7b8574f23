// Training at scale: a run over many series in bounded batches across invocations, with its cursor in DynamoDB Local.
// The clock is simulated (each series "takes" a fixed time), so the test is about what gets trained when, not speed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoTrainingCursorStore } from '../../../functions/adapters/aws/dynamodb/training-cursor-store.ts';
import type { SeriesRef } from '../../../functions/core/pull/records.ts';
import { runTrainingBatch, seriesKey, type TrainingBatchOptions } from '../../../functions/core/pull/training-run.ts';
import { startTestTable } from '../../support/dynamodb.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
beforeAll(async () => {
  db = await startTestTable();
}, 60_000);
afterAll(async () => db?.stop());

const series = (n: number): SeriesRef[] =>
  Array.from({ length: n }, (_, i) => ({ clusterId: `c${i % 3}`, namespace: 'shop', service: `svc-${String(i).padStart(4, '0')}` }));

/** A simulated invocation: `budgetMs` of clock, each series costs `perSeriesMs` (per concurrency slot). */
function invocation(store: DynamoTrainingCursorStore, all: SeriesRef[], trained: string[], clock: { t: number }, over: Partial<TrainingBatchOptions> = {}) {
  const budgetMs = 100_000;
  const start = clock.t;
  return runTrainingBatch({
    store,
    listSeries: async () => [...all].reverse(), // any order in, key order out
    train: async (s) => {
      clock.t += 1000;
      trained.push(seriesKey(s));
      return s.service !== 'svc-0007';
    },
    now: () => clock.t,
    deadline: start + budgetMs,
    concurrency: 1,
    batchSize: 10,
    perSeriesEstimateMs: 1000,
    ...over,
  });
}

describe('training runs across invocations', () => {
  it('trains every series exactly once over as many invocations as the budget needs, then starts a new run', async () => {
    const tableStore = new DynamoTrainingCursorStore({
      client: createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }),
      tableName: db.tableName,
    });
    const all = series(250);
    const trained: string[] = [];
    const clock = { t: Date.parse('2026-12-06T00:00:00Z') };
    const results = [];
    for (let i = 0; i < 5; i++) {
      const r = await invocation(tableStore, all, trained, clock);
      results.push(r);
      clock.t += 1; // the continuation arrives after the previous invocation ended
      if (r.status === 'done') break;
    }
    // 100 s budget at 1 s a series, batches of 10: 100 series per invocation at most → 3 invocations.
    expect(results.map((r) => r.status)).toEqual(['continue', 'continue', 'done']);
    expect(results.map((r) => (r.status === 'busy' ? 0 : r.processedNow))).toEqual([100, 100, 50]);
    expect(trained).toHaveLength(250);
    expect(new Set(trained).size).toBe(250);
    expect(trained).toEqual(all.map(seriesKey).sort());
    const cursor = (await tableStore.get())!;
    expect(cursor).toMatchObject({ done: true, processed: 250, trained: 249, failed: 0, invocations: 3 });

    // The next scheduled invocation starts a new run from the first series.
    const again: string[] = [];
    const next = await invocation(tableStore, all.slice(0, 5), again, clock);
    expect(next).toMatchObject({ status: 'done', processedNow: 5 });
    expect((await tableStore.get())!.runId).not.toBe(cursor.runId);
  });

  it('a second invocation during the lease does nothing; a failing series is counted and the run goes on', async () => {
    const table = createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint });
    const store = new DynamoTrainingCursorStore({ client: table, tableName: db.tableName });
    // A fresh cursor item: finish whatever the previous test left, then hold a lease.
    const clock = { t: Date.parse('2026-12-07T00:00:00Z') };
    const all = series(30);
    const trained: string[] = [];
    let inner: Awaited<ReturnType<typeof runTrainingBatch>> | undefined;
    const first = await invocation(store, all, trained, clock, {
      train: async (s) => {
        clock.t += 1000;
        if (s.service === 'svc-0003') throw new Error('tfjs ran out of memory');
        if (s.service === 'svc-0010' && !inner) inner = await invocation(store, all, [], { t: clock.t });
        trained.push(seriesKey(s));
        return true;
      },
    });
    expect(inner).toMatchObject({ status: 'busy' });
    expect(first).toMatchObject({ status: 'done', processedNow: 30, failedNow: 1, trainedNow: 29 });
  });

  it('an invocation with almost no time left still trains one batch: a continuation never loops without progress', async () => {
    const store = new DynamoTrainingCursorStore({ client: createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), tableName: db.tableName });
    const clock = { t: Date.parse('2026-12-09T00:00:00Z') };
    const results = [];
    for (let i = 0; i < 3; i++) {
      const start = clock.t;
      results.push(
        await runTrainingBatch({
          store,
          listSeries: async () => series(20),
          train: async () => {
            clock.t += 1000;
            return true;
          },
          now: () => clock.t,
          deadline: start + 500, // less than one series
          concurrency: 2,
          batchSize: 8,
          perSeriesEstimateMs: 1000,
        }),
      );
      clock.t += 1;
    }
    expect(results.map((r) => [r.status, r.status === 'busy' ? 0 : r.processedNow])).toEqual([
      ['continue', 8],
      ['continue', 8],
      ['done', 4],
    ]);
  });

  it('the batch estimate stops an invocation before a slow batch would overrun its deadline', async () => {
    const store = new DynamoTrainingCursorStore({ client: createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), tableName: db.tableName });
    const clock = { t: Date.parse('2026-12-08T00:00:00Z') };
    const deadline = clock.t + 100_000;
    const r = await runTrainingBatch({
      store,
      listSeries: async () => series(100),
      train: async () => {
        clock.t += 4_000; // slower than the 1 s first guess
        return true;
      },
      now: () => clock.t,
      deadline,
      concurrency: 1,
      batchSize: 10,
      perSeriesEstimateMs: 1000,
    });
    expect(r.status).toBe('continue');
    expect(clock.t).toBeLessThanOrEqual(deadline); // 2 batches of 40 s; a third would end at 120 s
    expect(r).toMatchObject({ processedNow: 20, remaining: 80 });
  });
});
