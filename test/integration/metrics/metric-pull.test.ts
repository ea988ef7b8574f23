import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoMetricsStore } from '../../../functions/adapters/aws/dynamodb/metrics-store.ts';
import type { ClusterRecord } from '../../../functions/core/clusters/cluster-record.ts';
import type { GoldenSignals, MetricSource, ServiceSignals } from '../../../functions/core/metrics/types.ts';
import { DEFAULT_LEARNED_OPTIONS } from '../../../functions/core/detection/learned.ts';
import { MetricPull } from '../../../functions/core/pull/metric-pull.ts';
import { ModelTrainer } from '../../../functions/core/pull/training.ts';
import type { BusEvent } from '../../../functions/ports.ts';
import { startTestTable } from '../../support/dynamodb.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
let store: DynamoMetricsStore;

beforeAll(async () => {
  db = await startTestTable();
  store = new DynamoMetricsStore({ client: createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), tableName: db.tableName });
});
afterAll(async () => db?.stop());

const cluster: ClusterRecord = {
  id: 'c-test',
  name: 'prod',
  environment: 'prod',
  labels: {},
  server: 'https://127.0.0.1:6443',
  version: 'v1.30.0',
  status: 'active',
  createdAt: '2026-11-27T00:00:00.000Z',
  updatedAt: '2026-11-27T00:00:00.000Z',
  source: 'kubeconfig',
  credentialsVersion: 'x',
  namespaces: ['shop'],
};

let rngState = 42;
const noise = () => {
  rngState = (rngState * 1103515245 + 12345) % 2 ** 31;
  return rngState / 2 ** 31 - 0.5;
};
const normal = (): GoldenSignals => ({
  cpu_usage: 0.5 + noise() * 0.05,
  memory_usage: 2e8 + noise() * 1e7,
  error_rate: 0.01 + noise() * 0.004,
  latency_p95: 0.12 + noise() * 0.01,
  request_rate: 50 + noise() * 4,
});

function fakeSource(next: () => GoldenSignals, at: () => string): MetricSource {
  return {
    currentSignals: async ({ namespace }): Promise<ServiceSignals[]> => [
      { cluster: 'prod', namespace, service: 'checkout', at: at(), features: next(), source: 'prometheus' },
    ],
    rangeSignals: async () => [],
  };
}

describe('metrics store on DynamoDB Local', () => {
  it('stores large model artefacts in chunks and reads them back whole', async () => {
    const artefact = { weights: Array.from({ length: 300_000 }, () => noise()) };
    await store.putModel({
      clusterId: 'c-big',
      namespace: 'shop',
      service: 'x',
      kind: 'iforest',
      version: 'v1',
      trainedAt: new Date().toISOString(),
      window: { from: 'a', to: 'b', rows: 1 },
      metrics: { m: 1 },
      artefact,
    });
    const loaded = await store.latestModel('c-big', 'shop', 'x', 'iforest');
    expect(loaded?.version).toBe('v1');
    expect(loaded?.metrics).toEqual({ m: 1 });
    expect((loaded?.artefact as typeof artefact).weights).toEqual(artefact.weights);
    expect(await store.latestModel('c-big', 'shop', 'missing', 'iforest')).toBeUndefined();
  });
});

describe('MetricPull with a stored history', () => {
  // The history here is 200 minutes: the learned layer's warm-up is shortened to fit it.
  const detection = { learned: { ...DEFAULT_LEARNED_OPTIONS, warmupMinutes: 120 } };

  it('scores each pull, flags a spike, emits AnomalyDetected, and is idempotent per pull id', async () => {
    const now = Date.now();
    // 200 minutes of normal history for the series.
    await store.putSamples(
      Array.from({ length: 200 }, (_, i) => ({
        clusterId: cluster.id,
        cluster: 'prod',
        namespace: 'shop',
        service: 'checkout',
        at: new Date(now - (200 - i) * 60_000).toISOString(),
        features: normal(),
      })),
    );
    const events: BusEvent[] = [];
    let current = normal();
    let clock = now;
    const pull = new MetricPull({
      clusters: { get: async (id) => (id === cluster.id ? cluster : undefined) },
      sourceFor: async () =>
        fakeSource(
          () => current,
          () => new Date(clock).toISOString(),
        ),
      store,
      events: { publish: async (e) => void events.push(...e) },
      clock: { now: () => new Date(clock) },
      config: { detection },
    });

    const calm = await pull.pullBatch({ pullId: 'p1', at: new Date(clock).toISOString(), clusterIds: [cluster.id, 'c-gone'] });
    expect(calm).toEqual([
      { clusterId: 'c-gone', services: 0, anomalies: 0, error: 'cluster no longer registered' },
      expect.objectContaining({ clusterId: cluster.id, services: 1, anomalies: 0, source: 'prometheus' }),
    ]);
    expect(await store.latestModel(cluster.id, 'shop', 'checkout', 'iforest')).toBeDefined(); // trained inline from history

    clock += 60_000;
    current = { ...normal(), error_rate: 0.45, latency_p95: 1.8 };
    const spike = await pull.pullBatch({ pullId: 'p2', at: new Date(clock).toISOString(), clusterIds: [cluster.id] });
    expect(spike[0].anomalies).toBe(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      source: 'fleetops.metrics',
      detailType: 'AnomalyDetected',
      detail: { cluster: 'prod', namespace: 'shop', service: 'checkout' },
    });
    const [latest] = await store.listAnomalies({ clusterIds: [cluster.id], service: 'checkout', limit: 1 });
    expect(latest).toMatchObject({ status: 'anomaly', pullId: 'p2' });
    expect(latest.score).toBeLessThan(-0.5);
    expect(['critical', 'high', 'medium']).toContain(latest.severity);

    // A retried pull (same id, same time) writes no second record.
    await pull.pullBatch({ pullId: 'p2', at: new Date(clock).toISOString(), clusterIds: [cluster.id] });
    const p2Records = (await store.listAnomalies({ clusterIds: [cluster.id], limit: 100 })).filter((r) => r.pullId === 'p2');
    expect(p2Records).toHaveLength(1);
    expect(p2Records[0]).toMatchObject({ layer: 'guardrail', condition: { active: true, since: new Date(clock).toISOString() } });
    expect(p2Records[0].reasons!.some((r) => /^guardrail: error_rate 45%/.test(r))).toBe(true);

    // The condition lasts: still anomalous, no second event.
    clock += 60_000;
    await pull.pullBatch({ pullId: 'p2b', at: new Date(clock).toISOString(), clusterIds: [cluster.id] });
    expect(events.filter((e) => e.detailType === 'AnomalyDetected' && e.id !== events[0].id)).toHaveLength(0);
    expect((await store.listAnomalies({ clusterIds: [cluster.id], limit: 1 }))[0]).toMatchObject({ status: 'anomaly', pullId: 'p2b' });

    // Gone: one quiet pull keeps it open (clearing), the second resolves it with AnomalyResolved.
    current = normal();
    clock += 60_000;
    await pull.pullBatch({ pullId: 'p2c', at: new Date(clock).toISOString(), clusterIds: [cluster.id] });
    expect((await store.listAnomalies({ clusterIds: [cluster.id], limit: 1 }))[0]).toMatchObject({
      status: 'anomaly',
      condition: { active: true, quietPulls: 1 },
    });
    expect(events.some((e) => e.detailType === 'AnomalyResolved')).toBe(false);
    clock += 60_000;
    await pull.pullBatch({ pullId: 'p2d', at: new Date(clock).toISOString(), clusterIds: [cluster.id] });
    const resolved = events.filter((e) => e.detailType === 'AnomalyResolved');
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({
      source: 'fleetops.metrics',
      detail: { cluster: 'prod', namespace: 'shop', service: 'checkout', at: new Date(clock).toISOString() },
    });
    expect((await store.listAnomalies({ clusterIds: [cluster.id], limit: 1 }))[0]).toMatchObject({ status: 'normal', condition: { active: false } });
    // A retry of the resolving pull recomputes from the same previous record: the same event again (same id), never a different one.
    await pull.pullBatch({ pullId: 'p2d', at: new Date(clock).toISOString(), clusterIds: [cluster.id] });
    expect(events.filter((e) => e.detailType === 'AnomalyResolved').map((e) => e.id)).toEqual([resolved[0].id, resolved[0].id]);
  });

  it('compares a service with the same service on the other clusters (fleet peers)', async () => {
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const peerCluster: ClusterRecord = { ...cluster, id: 'c-peer', name: 'staging' };
    const sick = { ...cluster, id: 'c-sick', name: 'dev', guardrails: { errorRate: 0.5 } };
    const values: Record<string, GoldenSignals> = { 'c-peer': normal(), 'c-sick': { ...normal(), error_rate: 0.09 } };
    const events: BusEvent[] = [];
    const pull = new MetricPull({
      clusters: { get: async (id) => [peerCluster, sick].find((c) => c.id === id) },
      sourceFor: async (record) => ({
        currentSignals: async ({ namespace }) => [
          { cluster: record.name, namespace, service: 'checkout', at, features: values[record.id], source: 'prometheus' },
        ],
        rangeSignals: async () => [],
      }),
      store,
      events: { publish: async (e) => void events.push(...e) },
      clock: { now: () => new Date(at) },
      config: { detection, concurrency: 1 },
    });
    await pull.pullBatch({ pullId: 'peers-1', at, clusterIds: ['c-peer', 'c-sick'] });
    const [record] = await store.listAnomalies({ clusterIds: ['c-sick'], limit: 1 });
    // 9 % errors is under this cluster's own guardrail (50 %), but 4× and 8 points above its peer.
    expect(record).toMatchObject({ status: 'anomaly', layer: 'peers' });
    expect(record.reasons!.find((r) => r.startsWith('peers:'))).toMatch(/error_rate 9% vs .* on staging/);
    expect(events.map((e) => (e.detail as { cluster: string }).cluster)).toEqual(['dev']);
  });

  it('trains the forest and the tfjs autoencoder on schedule; the pull then uses both', async () => {
    const trainer = new ModelTrainer({ store, clock: { now: () => new Date() } });
    const result = await trainer.trainSeries({ clusterId: cluster.id, namespace: 'shop', service: 'checkout' });
    expect(result.trained).toEqual(['iforest', 'autoencoder']);
    const model = await store.latestModel(cluster.id, 'shop', 'checkout', 'autoencoder');
    expect(model?.window.rows).toBeGreaterThanOrEqual(120);
    expect(model?.metrics.p99).toBeGreaterThan(0);

    const pull = new MetricPull({
      clusters: { get: async () => cluster },
      sourceFor: async () => fakeSource(normal, () => new Date(Date.now() + 600_000).toISOString()),
      store,
      events: { publish: async () => undefined },
      clock: { now: () => new Date(Date.now() + 600_000) },
      config: { detection },
    });
    await pull.pullBatch({ pullId: 'p3', at: new Date(Date.now() + 600_000).toISOString(), clusterIds: [cluster.id] });
    const [latest] = await store.listAnomalies({ clusterIds: [cluster.id], service: 'checkout', limit: 1 });
    expect(latest.pullId).toBe('p3');
    expect(latest.autoencoder).toBeGreaterThanOrEqual(0);
    expect(latest.autoencoder).toBeLessThanOrEqual(1);
  }, 60_000);
});
