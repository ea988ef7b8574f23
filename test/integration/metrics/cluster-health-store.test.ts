/** The per-pull health items in DynamoDB Local: previous-before-this-pull, newest-since, TTL, retries. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoClusterHealthStore } from '../../../functions/adapters/aws/dynamodb/cluster-health-store.ts';
import type { ClusterHealthRecord } from '../../../functions/core/fleet/health-record.ts';
import { startTestTable } from '../../support/dynamodb.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
let store: DynamoClusterHealthStore;

beforeAll(async () => {
  db = await startTestTable();
  store = new DynamoClusterHealthStore({ client: createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), tableName: db.tableName });
}, 60_000);
afterAll(async () => db?.stop());

const record = (clusterId: string, at: string, score: number, pullId = `p-${at}`): ClusterHealthRecord => ({
  clusterId,
  name: clusterId,
  environment: 'prod',
  readyNodes: 3,
  totalNodes: 3,
  cpuUtilisation: 0.1,
  memoryUtilisation: null,
  errorRate: null,
  requestRate: null,
  pullId,
  at,
  score,
  belowSince: null,
  degraded: false,
});

describe('DynamoClusterHealthStore', () => {
  it('answers the pull before a given one, the newest since a time, and writes a retried pull to the same item', async () => {
    const now = Date.now();
    const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();
    await store.put(record('a', at(-10), 0.9));
    await store.put(record('a', at(-5), 0.6));
    await store.put(record('a', at(0), 0.5));
    await store.put(record('a', at(0), 0.5)); // retry
    await store.put(record('b', at(-120), 0.8));

    expect((await store.previous('a', at(0)))?.score).toBe(0.6);
    expect((await store.previous('a', at(-5)))?.score).toBe(0.9);
    expect(await store.previous('a', at(-10))).toBeUndefined();
    const latest = await store.latest(['a', 'b', 'missing'], new Date(now - 30 * 60_000));
    expect([...latest.keys()]).toEqual(['a']);
    expect(latest.get('a')).toEqual(record('a', at(0), 0.5));
    expect((await store.latest(['b'], new Date(now - 180 * 60_000))).get('b')?.score).toBe(0.8);
  });

  it('ignores an item whose TTL has passed (TTL deletion is lazy)', async () => {
    const old = new Date(Date.now() - 8 * 86_400_000).toISOString();
    await store.put(record('c', old, 0.4));
    expect(await store.previous('c', new Date().toISOString())).toBeUndefined();
  });
});
