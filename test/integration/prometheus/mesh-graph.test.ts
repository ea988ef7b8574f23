/**
 * The simulator's Istio metrics through a real Prometheus (Debian's `prometheus` binary): the call graph as
 * the pull derives it (refreshMeshGraph → PromQL → stored graph), a fault's propagation seen per edge, and the
 * pull's edge evidence with its sustained reading (a failure that just began is not settled; one that lasted is).
 * Skipped, with a message, when the binary is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusClient } from '../../../functions/adapters/prometheus/prometheus-client.ts';
import type { DependencyGraph, DependencyGraphStore } from '../../../functions/core/mesh/graph.ts';
import { refreshMeshGraph } from '../../../functions/core/mesh/refresh.ts';
import { abnormalSignals, refreshMeshEvidence, settledSignals, type MeshEvidence } from '../../../functions/core/mesh/evidence.ts';
import { prometheusAvailable, startPrometheus, type LocalPrometheus } from '../../../local/prometheus.ts';
import { startSimulator, type RunningSimulator } from '../../../sim/index.ts';
import { kreq, waitFor } from '../sim/helpers.ts';

const available = prometheusAvailable();
if (!available) console.warn('[mesh-graph integration] skipped: no prometheus binary (apt-get install -y prometheus)');

class MemoryGraphs implements DependencyGraphStore {
  readonly puts: { cluster: string; graph: DependencyGraph }[] = [];
  async put(cluster: string, _source: string, graph: DependencyGraph): Promise<void> {
    this.puts.push({ cluster, graph });
  }
  async get(cluster: string): Promise<DependencyGraph | undefined> {
    return this.puts.filter((p) => p.cluster === cluster).at(-1)?.graph;
  }
}

describe.skipIf(!available)('mesh graph from a real Prometheus scraping the simulator', () => {
  let sim: RunningSimulator;
  let prom: LocalPrometheus;
  let client: PrometheusClient;
  const vector = async (q: string) => {
    const r = await client.query(q);
    return r.data.resultType === 'vector' ? r.data.result.map((s) => ({ metric: s.metric, value: s.value })) : [];
  };

  beforeAll(async () => {
    sim = await startSimulator({ clusters: ['mg1', 'mg2'], tickMs: 250 });
    prom = await startPrometheus({ targets: sim.clusters.map((c) => ({ cluster: c.name, metricsUrl: c.metricsUrl })), scrapeSeconds: 1 });
    client = new PrometheusClient({ baseUrl: prom.url, timeoutMs: 15_000 });
    await waitFor(async () => (await vector('sum(rate(istio_requests_total{cluster="mg1"}[5s])) > 0')).length > 0, 'istio samples in Prometheus', 60_000, 500);
  }, 90_000);

  afterAll(async () => {
    await prom?.stop();
    await sim?.stop();
  });

  it('derives the shop call graph per cluster, as the pull stores it', async () => {
    const store = new MemoryGraphs();
    const graph = await refreshMeshGraph({
      cluster: 'mg1',
      namespaces: ['shop'],
      window: '10s',
      matchers: { cluster: 'mg1' },
      query: vector,
      store,
      now: new Date(),
    });
    expect(graph).toEqual({ frontend: ['order-service', 'user-service'], 'order-service': ['payment-service'] });
    expect(await store.get('mg1')).toEqual(graph);
    // No mesh traffic in the namespace: nothing stored (the last graph stays until it ages out).
    const none = await refreshMeshGraph({
      cluster: 'mg1',
      namespaces: ['payments'],
      window: '10s',
      matchers: { cluster: 'mg1' },
      query: vector,
      store,
      now: new Date(),
    });
    expect(none).toEqual({});
    expect(store.puts).toHaveLength(1);
  });

  it('an error burst on payment-service shows on every edge up the path in PromQL, attenuated', async () => {
    const info = sim.clusters.find((c) => c.name === 'mg2')!;
    const edgeErrors = async () => {
      const rows = await vector(
        'sum by (source_workload, destination_workload) (rate(istio_requests_total{cluster="mg2",reporter="source",response_code=~"5.."}[4s])) / sum by (source_workload, destination_workload) (rate(istio_requests_total{cluster="mg2",reporter="source"}[4s]))',
      );
      return Object.fromEntries(rows.map((r) => [`${r.metric.source_workload}->${r.metric.destination_workload}`, r.value]));
    };
    const r = await kreq(info, 'POST', '/sim/v1/faults', { type: 'error-burst', namespace: 'shop', deployment: 'payment-service' });
    expect(r.status).toBe(201);
    const during = await waitFor(
      async () => {
        const e = await edgeErrors();
        return (e['order-service->payment-service'] ?? 0) > 0.25 && (e['frontend->order-service'] ?? 0) > 0.05 && e;
      },
      'errors on order-service → payment-service and frontend → order-service',
      20_000,
      1000,
    );
    console.log(
      `[mesh-graph integration] 5xx share per edge during error-burst on payment-service: ${JSON.stringify(Object.fromEntries(Object.entries(during).map(([k, v]) => [k, Number(v.toFixed(3))])))}`,
    );
    expect(during['frontend->order-service']).toBeLessThan(during['order-service->payment-service']);
    expect(during['frontend->user-service'] ?? 0).toBeLessThan(0.02);
    await kreq(info, 'DELETE', `/sim/v1/faults/${r.body.id}`);
  }, 40_000);

  it('the pull’s edge evidence: an edge that just began failing is not settled; one failing for its whole sustained span is', async () => {
    const stored: MeshEvidence[] = [];
    const evidence = async () =>
      (
        await refreshMeshEvidence({
          cluster: 'mg1',
          namespaces: ['shop'],
          window: '4s',
          baselineWindow: '60s',
          baselineStep: '1s',
          sustained: '10s',
          matchers: { cluster: 'mg1' },
          query: vector,
          store: { put: async (_c, e) => void stored.push(e), get: async () => stored.at(-1) },
          now: new Date(),
        })
      ).edges.find((e) => e.from === 'order-service' && e.to === 'payment-service');
    await waitFor(async () => (await evidence())?.sustainedErrorRatio !== undefined, 'a sustained reading of order-service → payment-service', 30_000, 1000);
    const info = sim.clusters.find((c) => c.name === 'mg1')!;
    const r = await kreq(info, 'POST', '/sim/v1/faults', { type: 'error-burst', namespace: 'shop', deployment: 'payment-service' });
    expect(r.status).toBe(201);
    try {
      const onset = await waitFor(
        async () => {
          const e = await evidence();
          return e && abnormalSignals(e).has('errors') && e;
        },
        'order-service → payment-service failing',
        20_000,
        500,
      );
      expect(onset.sustainedErrorRatio).toBeLessThan(0.05);
      expect(settledSignals(onset)).toEqual(new Set());
      const later = await waitFor(
        async () => {
          const e = await evidence();
          return e && (e.sustainedErrorRatio ?? 0) > 0.3 && e;
        },
        'the sustained reading inside the burst',
        30_000,
        1000,
      );
      console.log(`[mesh-graph integration] order-service → payment-service at onset ${JSON.stringify(onset)}, later ${JSON.stringify(later)}`);
      expect(settledSignals(later)).toEqual(new Set(['errors']));
      expect(stored.length).toBeGreaterThan(1);
    } finally {
      await kreq(info, 'DELETE', `/sim/v1/faults/${r.body.id}`);
    }
  }, 90_000);
});
