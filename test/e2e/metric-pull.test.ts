import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { apiClient, type Api } from '../support/local-stack.ts';
import { prometheusAvailable, startPrometheus, type LocalPrometheus } from '../../local/prometheus.ts';
import { startSimulator, type RunningSimulator } from '../../sim/index.ts';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.ts';

const withPrometheus = prometheusAvailable();
if (!withPrometheus) console.warn('metric-pull e2e: prometheus binary missing, only the metrics.k8s.io path is tested');

let cloud: LocalCloud;
let sim: RunningSimulator;
let prometheus: LocalPrometheus | undefined;
const ids: Record<string, string> = {};

const api: Api = (method, path, body) => apiClient(cloud)(method, path, body);

async function pullNow(): Promise<any> {
  const started = await api('POST', '/v1/metrics/pull');
  expect(started.status).toBe(202);
  const done = await cloud.workflows.wait(started.body.executionId);
  expect(done?.status, done?.error).toBe('SUCCEEDED');
  await cloud.bus.drain();
  return done?.output;
}

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['dev', 'prod'], tickMs: 300 });
  if (withPrometheus)
    prometheus = await startPrometheus({ targets: sim.clusters.map((c) => ({ cluster: c.name, metricsUrl: c.metricsUrl })), scrapeSeconds: 1 });
  cloud = await startLocalCloud({ port: 0, inMemory: true, schedules: false, dataDir: mkdtempSync(join(tmpdir(), 'fleetops-pull-')) });
  for (const info of sim.clusters) {
    const body: Record<string, unknown> = { name: info.name, environment: info.name, kubeconfig: await leastPrivilegeKubeconfig(info), namespaces: ['shop'] };
    // prod reads Prometheus (one fleet-wide Prometheus, told apart by the cluster label); dev falls back to metrics.k8s.io.
    if (prometheus && info.name === 'prod') body.prometheus = { url: prometheus.url, rateWindow: '10s', matchers: { cluster: 'prod' } };
    const response = await api('POST', '/v1/clusters', body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    ids[info.name] = response.body.id;
  }
  if (prometheus) await new Promise((r) => setTimeout(r, 12_000)); // a full rate window of samples
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  await prometheus?.stop();
  await sim?.stop();
});

describe('scheduled metric pull, end to end', () => {
  it('pulls the golden signals of every service on every cluster through the workflow', async () => {
    const started = performance.now();
    const output = await pullNow();
    const elapsed = performance.now() - started;
    console.log(JSON.stringify({ measurement: 'one pull, 2 clusters x 4 services', ms: Math.round(elapsed) }));
    const results = output.batches.flatMap((b: { results: unknown[] }) => b.results);
    expect(results).toHaveLength(2);
    for (const result of results) expect(result, JSON.stringify(result)).toMatchObject({ services: 4 });

    const anomalies = (await api('GET', '/v1/anomalies?limit=50')).body.items;
    const services = new Set(anomalies.map((a: { cluster: string; service: string }) => `${a.cluster}/${a.service}`));
    for (const cluster of ['dev', 'prod']) {
      for (const service of ['frontend', 'user-service', 'order-service', 'payment-service']) expect(services).toContain(`${cluster}/${service}`);
    }
    const dev = anomalies.find((a: { cluster: string }) => a.cluster === 'dev');
    expect(dev.features.cpu_usage).toBeGreaterThan(0);
    expect(dev.features.memory_usage).toBeGreaterThan(0);
    expect(dev.features.error_rate).toBeNull(); // metrics.k8s.io has no request metrics
    if (prometheus) {
      const prod = anomalies.find((a: { cluster: string; service: string }) => a.cluster === 'prod' && a.service === 'frontend');
      expect(prod.features.request_rate).toBeGreaterThan(0);
      expect(prod.features.latency_p95).toBeGreaterThan(0);
      expect(prod.features.error_rate).toBeGreaterThanOrEqual(0);
    }
    const filtered = (await api('GET', '/v1/anomalies?cluster=dev&service=frontend')).body.items;
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((a: { cluster: string; service: string }) => a.cluster === 'dev' && a.service === 'frontend')).toBe(true);
  });

  it('answers the fleet overview with a health score per cluster', async () => {
    const overview = (await api('GET', '/v1/fleet/overview')).body;
    expect(overview.clusters).toHaveLength(2);
    for (const cluster of overview.clusters) {
      expect(cluster.totalNodes).toBe(3);
      expect(cluster.readyNodes).toBe(3);
      expect(cluster.healthScore).toBeGreaterThan(0);
    }
    // Every shop service runs in both clusters: one comparison each.
    expect(overview.services.map((s: { service: string }) => s.service).sort()).toEqual([
      'shop/frontend',
      'shop/order-service',
      'shop/payment-service',
      'shop/user-service',
    ]);
    expect(overview.services[0].clusters).toBe(2);
  });

  it.skipIf(!withPrometheus)('forecasts from Prometheus history while fleetops has few samples of its own', async () => {
    const forecast = await api('GET', '/v1/forecast?cluster=prod&service=user-service&hours=1');
    expect(forecast.status, JSON.stringify(forecast.body)).toBe(200);
    expect(forecast.body.model.points).toBeGreaterThan(1); // more than the one pull stored so far: Prometheus' history
    expect(forecast.body.predictions.length).toBeGreaterThan(0);
    // dev has no Prometheus and one sample: not enough yet.
    expect((await api('GET', '/v1/forecast?cluster=dev&service=user-service&hours=1')).body.error.code).toBe('INSUFFICIENT_DATA');
  });

  it('rejects bad query parameters with 400', async () => {
    expect((await api('GET', '/v1/anomalies?limit=0')).status).toBe(400);
    expect((await api('GET', '/v1/forecast?cluster=dev')).status).toBe(400);
    expect((await api('GET', '/v1/forecast?cluster=nope&service=frontend')).status).toBe(404);
  });

  it.skipIf(!withPrometheus)('detects an error burst and opens an incident for it', async () => {
    // Enough history for the models: replay the live baseline of each service as past samples.
    const { metricsStore } = await import('../../functions/wiring/metrics-store.ts');
    await pullNow(); // the live baseline
    const latest = (await api('GET', '/v1/anomalies?cluster=prod&limit=50')).body.items;
    const now = Date.now();
    let seed = 7;
    const noise = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 1 + (seed / 2 ** 31 - 0.5) * 0.1;
    };
    for (const item of latest) {
      const samples = Array.from({ length: 200 }, (_, i) => ({
        clusterId: ids.prod,
        cluster: 'prod',
        namespace: item.namespace,
        service: item.service,
        at: new Date(now - (201 - i) * 60_000).toISOString(),
        features: Object.fromEntries(Object.entries(item.features).map(([k, v]) => [k, v === null ? null : (v as number) * noise()])) as never,
      }));
      await metricsStore().putSamples(samples);
    }
    const prodSim = sim.clusters.find((c) => c.name === 'prod')!;
    const { request } = await import('node:https');
    await new Promise<void>((resolve, reject) => {
      const req = request(
        `${prodSim.server}/sim/v1/faults`,
        {
          method: 'POST',
          ca: Buffer.from(prodSim.caData, 'base64').toString(),
          headers: { authorization: `Bearer ${prodSim.token}`, 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`fault: ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ type: 'error-burst', namespace: 'shop', deployment: 'payment-service' }));
    });
    await new Promise((r) => setTimeout(r, 12_000));
    await pullNow();
    const payment = (await api('GET', '/v1/anomalies?cluster=prod&service=payment-service&limit=1')).body.items[0];
    expect(payment.features.error_rate).toBeGreaterThan(0.1);
    expect(payment.status).toBe('anomaly');
    const incidents = (await api('GET', '/v1/incidents?status=open')).body.items;
    expect(incidents.find((i: { cluster: string; service: string }) => i.cluster === 'prod' && i.service === 'payment-service')).toBeDefined();

    const forecast = await api('GET', '/v1/forecast?cluster=prod&service=frontend&hours=6');
    expect(forecast.status).toBe(200);
    expect(forecast.body.predictions.length).toBeGreaterThan(0);
    expect(forecast.body.recommendations.recommended_replicas).toBeGreaterThanOrEqual(2);
    expect(forecast.body.recommendations.recommended_replicas).toBeLessThanOrEqual(10);
  });
});
