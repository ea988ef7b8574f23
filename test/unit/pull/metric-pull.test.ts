import { beforeEach, describe, expect, it } from 'vitest';
import type { ClusterRecord } from '../../../functions/core/clusters/cluster-record.ts';
import type { GoldenSignals, MetricSource, ServiceSignals } from '../../../functions/core/metrics/types.ts';
import { MetricPull } from '../../../functions/core/pull/metric-pull.ts';
import { InMemoryMetricsStore } from '../../support/fakes/metrics-store.ts';
import { FixedClock, RecordingPublisher } from '../../support/fakes/platform.ts';

const cluster = (id: string, name: string): ClusterRecord =>
  ({
    id,
    name,
    environment: 'dev',
    labels: {},
    server: 'https://x',
    version: 'v1.31.2',
    status: 'active',
    createdAt: '',
    updatedAt: '',
    source: 'kubeconfig',
    credentialsVersion: 'v1',
    namespaces: ['shop'],
  }) as ClusterRecord;
const healthy: GoldenSignals = { cpu_usage: 0.2, memory_usage: 200e6, error_rate: 0.001, latency_p95: 0.08, request_rate: 20 };

/** A metric source whose services' signals the test sets before each pull. */
class ScriptedSource implements MetricSource {
  signals = new Map<string, GoldenSignals>([
    ['frontend', healthy],
    ['payment-service', healthy],
  ]);
  failing = false;
  async currentSignals(target: { namespace: string }): Promise<ServiceSignals[]> {
    if (this.failing) throw new Error('prometheus: connection refused');
    return [...this.signals].map(([service, features]) => ({
      cluster: 'dev',
      namespace: target.namespace,
      service,
      at: '',
      features,
      source: 'prometheus' as const,
    }));
  }
  async rangeSignals() {
    return [];
  }
}

let store: InMemoryMetricsStore;
let events: RecordingPublisher;
let clock: FixedClock;
let sources: Map<string, ScriptedSource>;
let pull: MetricPull;
let n = 0;
const clusters = new Map([
  ['c-dev', cluster('c-dev', 'dev')],
  ['c-prod', cluster('c-prod', 'prod')],
]);

beforeEach(() => {
  store = new InMemoryMetricsStore();
  events = new RecordingPublisher();
  clock = new FixedClock('2026-12-01T12:00:00.000Z');
  sources = new Map([...clusters.keys()].map((id) => [id, new ScriptedSource()]));
  pull = new MetricPull({
    clusters: { get: async (id) => clusters.get(id) },
    sourceFor: async (r) => sources.get(r.id)!,
    store,
    events,
    clock,
    config: { defaultNamespaces: ['shop'] },
  });
});

async function pullOnce(clusterIds = ['c-dev'], pullId = `pull-${++n}`) {
  clock.advance(10_000);
  return pull.pullBatch({ pullId, at: clock.now().toISOString(), clusterIds });
}

const serviceOf = (e: { detail: unknown }) => (e.detail as { service: string }).service;

describe('MetricPull (core, through in-memory ports)', () => {
  it('stores a sample and an anomaly record per service, and publishes nothing while all is well', async () => {
    const [result] = await pullOnce();
    expect(result).toMatchObject({ clusterId: 'c-dev', cluster: 'dev', services: 2, anomalies: 0 });
    expect(await store.samples('c-dev', 'shop', 'frontend', new Date(0))).toHaveLength(1);
    expect((await store.listAnomalies({ clusterIds: ['c-dev'] })).map((r) => r.status)).toEqual(['normal', 'normal']);
    expect(events.events).toEqual([]);
  });

  it('publishes AnomalyDetected once when a condition starts, naming the other anomalous services, and AnomalyResolved after K quiet pulls', async () => {
    await pullOnce();
    sources.get('c-dev')!.signals.set('payment-service', { ...healthy, error_rate: 0.3 });
    sources.get('c-dev')!.signals.set('frontend', { ...healthy, error_rate: 0.2 });
    await pullOnce();
    await pullOnce();
    const detected = events.ofType('AnomalyDetected');
    expect(detected.map(serviceOf).sort()).toEqual(['frontend', 'payment-service']);
    expect(detected.find((e) => serviceOf(e) === 'frontend')!.detail).toMatchObject({ cluster: 'dev', layer: 'guardrail', alsoAnomalous: ['payment-service'] });
    sources.get('c-dev')!.signals.set('payment-service', healthy);
    sources.get('c-dev')!.signals.set('frontend', healthy);
    await pullOnce();
    expect(events.ofType('AnomalyResolved')).toHaveLength(0); // one quiet pull is not enough (K = 2)
    await pullOnce();
    expect(events.ofType('AnomalyResolved').map(serviceOf).sort()).toEqual(['frontend', 'payment-service']);
  });

  it('a retried pull (same pull id and time) writes the same records and publishes under the same event id', async () => {
    await pullOnce();
    sources.get('c-dev')!.signals.set('payment-service', { ...healthy, error_rate: 0.3 });
    clock.advance(10_000);
    const at = clock.now().toISOString();
    await pull.pullBatch({ pullId: 'retried', at, clusterIds: ['c-dev'] });
    const records = await store.listAnomalies({ clusterIds: ['c-dev'], service: 'payment-service' });
    await pull.pullBatch({ pullId: 'retried', at, clusterIds: ['c-dev'] });
    expect(await store.listAnomalies({ clusterIds: ['c-dev'], service: 'payment-service' })).toEqual(records);
    // At-least-once: the retry may publish again, with the same event id, which the alert pipeline deduplicates.
    expect(new Set(events.ofType('AnomalyDetected').map((e) => e.id)).size).toBe(1);
  });

  it('one failing cluster does not fail the batch, and a deleted cluster is reported, not thrown', async () => {
    sources.get('c-prod')!.failing = true;
    const results = await pullOnce(['c-dev', 'c-prod', 'c-gone']);
    expect(results.map((r) => [r.clusterId, r.error ?? 'ok'])).toEqual([
      ['c-dev', 'ok'],
      ['c-gone', 'cluster no longer registered'],
      ['c-prod', 'prometheus: connection refused'],
    ]);
  });

  it('compares a service with its fleet peers on other clusters', async () => {
    for (let i = 0; i < 3; i++) await pullOnce(['c-dev', 'c-prod']);
    sources.get('c-prod')!.signals.set('frontend', { ...healthy, latency_p95: 0.9, error_rate: 0.04 });
    await pullOnce(['c-dev', 'c-prod']);
    const latest = (await store.listAnomalies({ clusterIds: ['c-prod'], service: 'frontend', limit: 1 }))[0]!;
    expect(latest.status).toBe('anomaly');
    expect(latest.layers).toContain('peers');
  });
});
