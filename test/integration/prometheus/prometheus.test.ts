/**
 * The metric source against a real Prometheus (Debian's `prometheus` binary) scraping the cluster simulator.
 * Skipped, with a message, when the binary is not installed (apt-get install -y prometheus).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../sim/index.ts';
import { kreq, waitFor } from '../sim/helpers.ts';
import { UpstreamError } from '../../../functions/core/errors.ts';
import { PrometheusClient, PrometheusQueryError } from '../../../functions/adapters/prometheus/prometheus-client.ts';
import { PrometheusMetricSource } from '../../../functions/adapters/prometheus/prometheus-metric-source.ts';
import { MetricsApiSource } from '../../../functions/adapters/prometheus/metrics-api-source.ts';

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? 'prometheus';
const hasPrometheus = spawnSync(PROMETHEUS, ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasPrometheus) console.warn(`[prometheus integration] skipped: no "${PROMETHEUS}" binary on PATH (apt-get install -y prometheus)`);

const SERVICES = ['frontend', 'order-service', 'payment-service', 'user-service'];
const SCRAPE_SECONDS = 1;
const WINDOW = '10s';
const TENANT = 'team-a';
const PROXY_TOKEN = 'proxy-secret-token-123';

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A Mimir-like front: path prefix /mimir/prometheus, X-Scope-OrgID and a bearer token required. */
function startTenantProxy(promPort: number): Promise<Server> {
  const server = createServer((req, res) => {
    const prefix = '/mimir/prometheus';
    if (!req.url?.startsWith(prefix + '/api/v1/')) {
      res.writeHead(404).end('not found');
      return;
    }
    if (req.headers.authorization !== `Bearer ${PROXY_TOKEN}` || req.headers['x-scope-orgid'] !== TENANT) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('no org id or bad token');
      return;
    }
    const up = httpRequest(
      {
        host: '127.0.0.1',
        port: promPort,
        path: req.url.slice(prefix.length),
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? '' },
      },
      (ures) => {
        res.writeHead(ures.statusCode ?? 502, ures.headers);
        ures.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

describe.skipIf(!hasPrometheus)('Prometheus metric source (real Prometheus + simulator)', () => {
  let sim: RunningSimulator;
  let prom: ChildProcess | undefined;
  let promLog = '';
  let dir: string;
  let baseUrl: string;
  let client: PrometheusClient;
  let source: PrometheusMetricSource;
  let proxy: Server | undefined;

  beforeAll(async () => {
    sim = await startSimulator({ clusters: ['dev'] });
    const target = new URL(sim.clusters[0].metricsUrl);
    dir = await mkdtemp(join(tmpdir(), 'fleetops-prom-'));
    const config = [
      'global:',
      `  scrape_interval: ${SCRAPE_SECONDS}s`,
      `  scrape_timeout: ${SCRAPE_SECONDS}s`,
      'scrape_configs:',
      '  - job_name: sim',
      `    metrics_path: ${target.pathname}`,
      '    static_configs:',
      `      - targets: ['${target.host}']`,
      '        labels:',
      '          cluster: dev',
      '',
    ].join('\n');
    await writeFile(join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    prom = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prom.stdout?.on('data', (d) => (promLog = (promLog + d).slice(-4000)));
    prom.stderr?.on('data', (d) => (promLog = (promLog + d).slice(-4000)));
    await waitFor(async () => prom?.exitCode === null && (await fetch(`${baseUrl}/-/ready`)).ok, `Prometheus ready (log: ${promLog})`, 20_000, 200);
    client = new PrometheusClient({ baseUrl, timeoutMs: 5_000 });
    source = new PrometheusMetricSource({
      client,
      cluster: 'dev',
      rateWindow: WINDOW,
      scrapeIntervalSeconds: SCRAPE_SECONDS,
      extraMatchers: { cluster: 'dev' },
    });
    // First samples: every golden signal of every service measurable.
    await waitFor(
      async () => {
        const r = await source.currentSignals({ namespace: 'shop' });
        return r.length === 4 && r.every((s) => Object.values(s.features).every((v) => v !== null));
      },
      'first samples in Prometheus',
      25_000,
      500,
    );
  }, 60_000);

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.once('exit', r));
      prom.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (prom.exitCode === null) prom.kill('SIGKILL');
    }
    await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
    await sim?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('currentSignals returns plausible golden signals for all four services', async () => {
    const t0 = performance.now();
    const signals = await source.currentSignals({ namespace: 'shop' });
    const ms = performance.now() - t0;
    console.log(`[prometheus integration] currentSignals({namespace:'shop'}) took ${ms.toFixed(1)} ms`);
    expect(signals.map((s) => s.service)).toEqual(SERVICES);
    for (const s of signals) {
      expect(s).toMatchObject({ cluster: 'dev', namespace: 'shop', source: 'prometheus' });
      expect(Date.parse(s.at)).toBeGreaterThan(Date.now() - 60_000);
      const f = s.features;
      expect(f.cpu_usage).toBeGreaterThan(0);
      expect(f.cpu_usage).toBeLessThan(8);
      expect(f.memory_usage).toBeGreaterThan(16 * 1024 ** 2);
      expect(f.request_rate).toBeGreaterThan(0);
      expect(f.error_rate).toBeGreaterThanOrEqual(0);
      expect(f.error_rate).toBeLessThan(0.1);
      expect(f.latency_p95).toBeGreaterThan(0);
      expect(f.latency_p95).toBeLessThan(5);
    }
    // frontend carries the most traffic in the simulator.
    const rate = Object.fromEntries(signals.map((s) => [s.service, s.features.request_rate!]));
    expect(rate.frontend).toBeGreaterThan(rate['payment-service']);
  });

  it('narrows to the requested services and keeps unknown ones with nulls', async () => {
    const signals = await source.currentSignals({ namespace: 'shop', services: ['payment-service', 'no-such-service'] });
    expect(signals.map((s) => s.service)).toEqual(['no-such-service', 'payment-service']);
    expect(signals[0].features).toEqual({ cpu_usage: null, memory_usage: null, error_rate: null, latency_p95: null, request_rate: null });
    expect(signals[1].features.cpu_usage).toBeGreaterThan(0);
  });

  it('finds nothing for another cluster label (multi-cluster matcher)', async () => {
    const other = new PrometheusMetricSource({
      client,
      cluster: 'prod',
      rateWindow: WINDOW,
      scrapeIntervalSeconds: SCRAPE_SECONDS,
      extraMatchers: 'cluster="prod"',
    });
    expect(await other.currentSignals({ namespace: 'shop' })).toEqual([]);
  });

  it('agrees with the metrics.k8s.io fallback on cpu and memory (same pods)', async () => {
    const info = sim.clusters[0];
    const fallback = new MetricsApiSource({
      cluster: 'dev',
      podMetrics: async (ns) => {
        const r = await kreq(info, 'GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`);
        return r.body.items.map((i: any) => ({
          name: i.metadata.name,
          namespace: i.metadata.namespace,
          containers: i.containers.map((c: any) => ({ name: c.name, cpu: c.usage.cpu, memory: c.usage.memory })),
        }));
      },
    });
    const [fb, pr] = await Promise.all([fallback.currentSignals({ namespace: 'shop' }), source.currentSignals({ namespace: 'shop' })]);
    expect(fb.map((s) => s.service)).toEqual(SERVICES);
    for (const s of fb) {
      const p = pr.find((x) => x.service === s.service)!;
      expect(s.source).toBe('metrics-api');
      expect(s.features.error_rate).toBeNull();
      expect(s.features.memory_usage! / p.features.memory_usage!).toBeGreaterThan(0.7);
      expect(s.features.memory_usage! / p.features.memory_usage!).toBeLessThan(1.3);
      expect(s.features.cpu_usage).toBeGreaterThan(0);
    }
  });

  it("sees payment-service's error rate rise after an error-burst fault", async () => {
    const info = sim.clusters[0];
    const fault = await kreq(info, 'POST', '/sim/v1/faults', { type: 'error-burst', namespace: 'shop', deployment: 'payment-service' });
    expect(fault.status).toBe(201);
    const t0 = Date.now();
    const seen = await waitFor(
      async () => {
        const r = await source.currentSignals({ namespace: 'shop' });
        const pay = r.find((s) => s.service === 'payment-service')!.features.error_rate ?? 0;
        const rate = (service: string) => r.find((s) => s.service === service)?.features.error_rate ?? 1;
        // Its callers see some of it (order-service directly, frontend through it); user-service none.
        const callers = ['order-service', 'frontend'].map(rate);
        return pay > 0.2 && rate('user-service') < 0.05 && callers.every((c) => c < pay) ? r : undefined;
      },
      'payment-service error_rate to rise',
      25_000,
      1_000,
    );
    console.log(`[prometheus integration] error-burst visible after ${Date.now() - t0} ms`);
    expect(seen.find((s) => s.service === 'payment-service')!.features.error_rate).toBeGreaterThan(0.2);
    await kreq(info, 'DELETE', `/sim/v1/faults/${fault.body.id}`);
  });

  it('rangeSignals returns ascending points per service and signal', async () => {
    // Prometheus may have scraped for only a few seconds when the earlier tests finish quickly:
    // wait until every series has a few points (the assertions below then check their shape).
    let start = new Date();
    let end = new Date();
    const complete = (found: Awaited<ReturnType<typeof source.rangeSignals>>) =>
      SERVICES.every((svc) =>
        (['cpu_usage', 'memory_usage', 'error_rate', 'latency_p95', 'request_rate'] as const).every(
          (signal) => (found.find((x) => x.service === svc && x.signal === signal)?.points.length ?? 0) >= 3,
        ),
      );
    const series = await waitFor(
      async () => {
        end = new Date();
        start = new Date(end.getTime() - 20_000);
        const found = await source.rangeSignals({ namespace: 'shop' }, { start, end, stepSeconds: 1 });
        return complete(found) ? found : undefined;
      },
      'three points of every series',
      30_000,
      1_000,
    );
    for (const svc of SERVICES) {
      for (const signal of ['cpu_usage', 'memory_usage', 'error_rate', 'latency_p95', 'request_rate'] as const) {
        const s = series.find((x) => x.service === svc && x.signal === signal);
        expect(s, `${svc} ${signal}`).toBeDefined();
        expect(s!.points.length).toBeGreaterThanOrEqual(3);
        const ts = s!.points.map((p) => p.ts);
        expect([...ts].sort((a, b) => a - b)).toEqual(ts);
        expect(ts[0]).toBeGreaterThanOrEqual(start.getTime() / 1000 - 0.001);
        expect(s!.points.every((p) => Number.isFinite(p.value))).toBe(true);
      }
    }
    // Chunking (tiny chunks) gives the same points as one query.
    const chunked = new PrometheusMetricSource({ client, cluster: 'dev', rateWindow: WINDOW, scrapeIntervalSeconds: SCRAPE_SECONDS, maxPointsPerQuery: 3 });
    const again = await chunked.rangeSignals({ namespace: 'shop', services: ['frontend'] }, { start, end, stepSeconds: 1 });
    const a = again.find((x) => x.signal === 'memory_usage')!.points.map((p) => p.ts);
    const b = series.find((x) => x.service === 'frontend' && x.signal === 'memory_usage')!.points.map((p) => p.ts);
    expect(a).toEqual(b);
  });

  it('bad PromQL gives PrometheusQueryError naming the query', async () => {
    const err = await client.query('sum(rate(http_requests_total[5m]').catch((e) => e);
    expect(err).toBeInstanceOf(PrometheusQueryError);
    expect(err).not.toBeInstanceOf(UpstreamError);
    expect(err.code).toBe('PROMQL_BAD_DATA');
    expect(err.query).toBe('sum(rate(http_requests_total[5m]');
    expect(err.message).toContain('sum(rate(http_requests_total[5m]');
  });

  it('parses scalars and NaN from the real server', async () => {
    const r = await client.query('scalar(vector(0) / 0)');
    expect(r.data.resultType).toBe('scalar');
    if (r.data.resultType === 'scalar') expect(r.data.result.value).toBeNaN();
  });

  it('an unreachable Prometheus gives UpstreamError; a silent one times out', { timeout: 15_000 }, async () => {
    const dead = new PrometheusClient({
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      auth: { type: 'bearer', token: 'tok-should-not-leak' },
      timeoutMs: 2_000,
    });
    const err = await dead.query('up').catch((e) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.code).toBe('UPSTREAM_UNREACHABLE');
    expect(err.message).not.toContain('tok-should-not-leak');
    const sockets = new Set<Socket>();
    const silent = createNetServer((sock) => void sockets.add(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const slow = new PrometheusClient({ baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 300 });
      const e2 = await slow.query('up').catch((e) => e);
      expect(e2).toBeInstanceOf(UpstreamError);
      expect(e2.code).toBe('UPSTREAM_TIMEOUT');
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('works behind a path prefix with a tenant header and bearer token (Mimir-style)', async () => {
    proxy = await startTenantProxy(Number(new URL(baseUrl).port));
    const front = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mimir/prometheus/`;
    const tenantClient = new PrometheusClient({ baseUrl: front, tenantId: TENANT, auth: { type: 'bearer', token: PROXY_TOKEN } });
    const viaProxy = new PrometheusMetricSource({ client: tenantClient, cluster: 'dev', rateWindow: WINDOW, scrapeIntervalSeconds: SCRAPE_SECONDS });
    const r = await viaProxy.currentSignals({ namespace: 'shop' });
    expect(r.map((s) => s.service)).toEqual(SERVICES);
    const noTenant = new PrometheusClient({ baseUrl: front, auth: { type: 'bearer', token: PROXY_TOKEN } });
    const err = await noTenant.query('up').catch((e) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(err.message).not.toContain(PROXY_TOKEN);
  });
});
