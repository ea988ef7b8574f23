import { describe, expect, it } from 'vitest';
import { PrometheusMetricSource, type PrometheusQueryApi } from '../../../functions/adapters/prometheus/prometheus-metric-source.ts';
import { MetricsApiSource } from '../../../functions/adapters/prometheus/metrics-api-source.ts';
import { createMetricSource, type MetricSourceDeps } from '../../../functions/adapters/prometheus/metric-source-factory.ts';
import type { PromData, PromResponse } from '../../../functions/adapters/prometheus/prometheus-client.ts';
import { ValidationError } from '../../../functions/core/errors.ts';

const AT = new Date('2024-05-01T10:00:00Z');
const T = AT.getTime() / 1000;

type Answer = (query: string) => PromData;

function fakeClient(answer: Answer, calls: { kind: string; query: string; range?: unknown }[] = []): PrometheusQueryApi {
  return {
    async query(query: string) {
      calls.push({ kind: 'query', query });
      return { data: answer(query), warnings: [] } as PromResponse;
    },
    async queryRange(query: string, range: unknown) {
      calls.push({ kind: 'range', query, range });
      return { data: answer(query), warnings: [] } as PromResponse;
    },
  } as PrometheusQueryApi;
}

const vec = (samples: [Record<string, string>, number][]): PromData => ({
  resultType: 'vector',
  result: samples.map(([metric, value]) => ({ metric, ts: T, value })),
});

/** Answers by which metric the query reads. */
function instant(query: string): PromData {
  if (query.includes('container_cpu_usage_seconds_total'))
    return vec([
      [{ pod: 'frontend-7d4f8b9c6d-x2k9p' }, 0.25],
      [{ pod: 'frontend-7d4f8b9c6d-b5n7q' }, 0.5],
      [{ pod: 'payment-service-5c8d7b9f4-qz7wd' }, 0.1],
      [{ pod: 'lonely' }, 9],
    ]);
  if (query.includes('container_memory_working_set_bytes'))
    return vec([
      [{ pod: 'frontend-7d4f8b9c6d-x2k9p' }, 100],
      [{ pod: 'frontend-7d4f8b9c6d-b5n7q' }, 200],
    ]);
  if (query.startsWith('histogram_quantile'))
    return vec([
      [{ service: 'frontend' }, 0.12],
      [{ service: 'payment-service' }, NaN],
    ]);
  if (query.includes('status=~"5.."'))
    return vec([
      [{ service: 'frontend' }, 0],
      [{ service: 'payment-service' }, 0.4],
    ]);
  return vec([
    [{ service: 'frontend' }, 80],
    [{ service: 'payment-service' }, 0],
  ]);
}

describe('PrometheusMetricSource.currentSignals', () => {
  it('sends one query per signal for the whole namespace, at one evaluation time', async () => {
    const calls: { kind: string; query: string }[] = [];
    const src = new PrometheusMetricSource({ client: fakeClient(instant, calls), cluster: 'dev', now: () => AT });
    await src.currentSignals({ namespace: 'shop' });
    expect(calls).toHaveLength(5);
    expect(calls.every((c) => c.kind === 'query' && c.query.includes('namespace="shop"'))).toBe(true);
  });

  it('joins per service: pods summed, NaN and missing series are null, not 0', async () => {
    const src = new PrometheusMetricSource({ client: fakeClient(instant), cluster: 'dev', now: () => AT });
    const r = await src.currentSignals({ namespace: 'shop' });
    expect(r.map((s) => s.service)).toEqual(['frontend', 'payment-service']); // 'lonely' follows no naming convention
    const [fe, pay] = r;
    expect(fe).toEqual({
      cluster: 'dev',
      namespace: 'shop',
      service: 'frontend',
      at: '2024-05-01T10:00:00.000Z',
      source: 'prometheus',
      features: { cpu_usage: 0.75, memory_usage: 300, error_rate: 0, latency_p95: 0.12, request_rate: 80 },
    });
    expect(pay.features).toEqual({ cpu_usage: 0.1, memory_usage: null, error_rate: 0.4, latency_p95: null, request_rate: 0 });
  });

  it('with services: lists each requested service, uses the pod map', async () => {
    const src = new PrometheusMetricSource({ client: fakeClient(instant), cluster: 'dev', now: () => AT, podToService: { lonely: 'frontend' } });
    const r = await src.currentSignals({ namespace: 'shop', services: ['frontend', 'ghost'] });
    expect(r.map((s) => s.service)).toEqual(['frontend', 'ghost']);
    expect(r[0].features.cpu_usage).toBeCloseTo(9.75);
    expect(r[1].features).toEqual({ cpu_usage: null, memory_usage: null, error_rate: null, latency_p95: null, request_rate: null });
  });

  it('propagates client errors and validates options up front', async () => {
    const failing: PrometheusQueryApi = {
      query: async () => {
        throw new Error('down');
      },
      queryRange: async () => {
        throw new Error('down');
      },
    } as unknown as PrometheusQueryApi;
    await expect(new PrometheusMetricSource({ client: failing, cluster: 'dev' }).currentSignals({ namespace: 'shop' })).rejects.toThrow('down');
    expect(() => new PrometheusMetricSource({ client: failing, cluster: 'dev', rateWindow: '20s' })).toThrow(ValidationError);
    await expect(new PrometheusMetricSource({ client: failing, cluster: 'dev' }).currentSignals({ namespace: 'Bad Ns' })).rejects.toThrow(ValidationError);
  });
});

describe('PrometheusMetricSource.rangeSignals', () => {
  const matrix = (query: string): PromData => {
    const pts = (vals: number[], t0 = 1000) => vals.map((value, i) => ({ ts: t0 + i * 60, value }));
    if (query.includes('container_cpu_usage_seconds_total'))
      return {
        resultType: 'matrix',
        result: [
          { metric: { pod: 'frontend-7d4f8b9c6d-x2k9p' }, points: pts([1, 1, 1]) },
          { metric: { pod: 'frontend-7d4f8b9c6d-b5n7q' }, points: pts([2, 2], 1060) },
        ],
      };
    if (query.startsWith('histogram_quantile')) return { resultType: 'matrix', result: [{ metric: { service: 'frontend' }, points: pts([0.1, NaN, 0.3]) }] };
    return { resultType: 'matrix', result: [] };
  };

  it('sums pods per timestamp and drops NaN points', async () => {
    const src = new PrometheusMetricSource({ client: fakeClient(matrix), cluster: 'dev' });
    const r = await src.rangeSignals({ namespace: 'shop' }, { start: 1_000_000, end: 1_120_000, stepSeconds: 60 });
    expect(r).toEqual([
      {
        service: 'frontend',
        signal: 'cpu_usage',
        points: [
          { ts: 1000, value: 1 },
          { ts: 1060, value: 3 },
          { ts: 1120, value: 3 },
        ],
      },
      {
        service: 'frontend',
        signal: 'latency_p95',
        points: [
          { ts: 1000, value: 0.1 },
          { ts: 1120, value: 0.3 },
        ],
      },
    ]);
  });

  it('splits long ranges into chunks within the points limit', async () => {
    const calls: { kind: string; query: string; range?: any }[] = [];
    const src = new PrometheusMetricSource({ client: fakeClient(matrix, calls), cluster: 'dev', maxPointsPerQuery: 100 });
    const start = Date.UTC(2024, 0, 1);
    const end = start + 250 * 60_000; // 251 points at 60 s
    await src.rangeSignals({ namespace: 'shop' }, { start: new Date(start), end: new Date(end).toISOString(), stepSeconds: 60 });
    const ranges = calls.filter((c) => c.query.startsWith('sum by (service) (rate(')).map((c) => c.range);
    expect(ranges).toHaveLength(3);
    expect(ranges[0].start).toBe(start);
    for (const r of ranges) expect((r.end - r.start) / 60_000 + 1).toBeLessThanOrEqual(100);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i].start).toBe(ranges[i - 1].end + 60_000);
    expect(ranges.at(-1).end).toBe(end);
  });

  it('rejects bad ranges', async () => {
    const src = new PrometheusMetricSource({ client: fakeClient(matrix), cluster: 'dev' });
    await expect(src.rangeSignals({ namespace: 'shop' }, { start: 2000, end: 1000, stepSeconds: 60 })).rejects.toThrow(ValidationError);
    await expect(src.rangeSignals({ namespace: 'shop' }, { start: 1000, end: 2000, stepSeconds: 0 })).rejects.toThrow(ValidationError);
    await expect(src.rangeSignals({ namespace: 'shop' }, { start: 'yesterday', end: 2000, stepSeconds: 60 })).rejects.toThrow(ValidationError);
  });
});

describe('MetricsApiSource', () => {
  const pods = [
    {
      name: 'frontend-7d4f8b9c6d-x2k9p',
      namespace: 'shop',
      containers: [
        { name: 'app', cpu: '250m', memory: '200Mi' },
        { name: 'proxy', cpu: '123456n', memory: '10Mi' },
      ],
    },
    { name: 'frontend-7d4f8b9c6d-b5n7q', namespace: 'shop', containers: [{ name: 'app', cpu: '1', memory: '1Gi' }] },
    { name: 'payment-service-5c8d7b9f4-qz7wd', namespace: 'shop', containers: [{ name: 'app', cpu: 'garbage', memory: '100Ki' }] },
    { name: 'db-0', namespace: 'shop', containers: [{ name: 'pg', cpu: '500m', memory: '1e3' }] },
    { name: 'nameless', namespace: 'shop', containers: [{ name: 'x', cpu: '1', memory: '1' }] },
  ];
  const src = (extra: Record<string, unknown> = {}) => new MetricsApiSource({ cluster: 'edge', podMetrics: async () => pods, now: () => AT, ...extra });

  it('sums cpu (cores) and memory (bytes) per service; request signals null', async () => {
    const r = await src().currentSignals({ namespace: 'shop' });
    expect(r.map((s) => s.service)).toEqual(['db', 'frontend', 'payment-service']);
    const fe = r.find((s) => s.service === 'frontend')!;
    expect(fe).toMatchObject({ cluster: 'edge', namespace: 'shop', source: 'metrics-api', at: AT.toISOString() });
    expect(fe.features.cpu_usage).toBeCloseTo(1.250123456, 9);
    expect(fe.features.memory_usage).toBe(210 * 1024 ** 2 + 1024 ** 3);
    expect(fe.features.error_rate).toBeNull();
    expect(fe.features.latency_p95).toBeNull();
    expect(fe.features.request_rate).toBeNull();
    const pay = r.find((s) => s.service === 'payment-service')!;
    expect(pay.features.cpu_usage).toBeNull(); // unparseable → unknown, not 0
    expect(pay.features.memory_usage).toBe(102400);
    expect(r.find((s) => s.service === 'db')!.features.memory_usage).toBe(1000);
  });

  it('honours requested services and an explicit pod map', async () => {
    const r = await src({ podToService: { nameless: 'frontend' } }).currentSignals({ namespace: 'shop', services: ['frontend', 'ghost'] });
    expect(r.map((s) => s.service)).toEqual(['frontend', 'ghost']);
    expect(r[0].features.cpu_usage).toBeCloseTo(2.250123456, 9);
    expect(r[1].features.cpu_usage).toBeNull();
  });

  it('has no history', async () => {
    expect(await src().rangeSignals()).toEqual([]);
  });
});

describe('createMetricSource (the production factory, functions/wiring/metric-sources.ts)', () => {
  const podMetrics = async () => [];
  const empty = '{"status":"success","data":{"resultType":"vector","result":[]}}';
  const recording = () => {
    const seen: { url: string; headers: Record<string, string>; body: string }[] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      seen.push({ url, headers: init.headers as Record<string, string>, body: String(init.body) });
      return new Response(empty);
    }) as unknown as typeof fetch;
    return { seen, fetchImpl };
  };
  const deps = (extra: Partial<MetricSourceDeps> = {}): MetricSourceDeps => ({
    bearerToken: async () => undefined,
    awsCredentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }),
    podMetrics,
    ...extra,
  });

  it('falls back to metrics.k8s.io without Prometheus', async () => {
    expect(await createMetricSource({ name: 'a' }, deps())).toBeInstanceOf(MetricsApiSource);
    expect(await createMetricSource({ name: 'a', prometheus: { url: 'http://p:9090', auth: 'none' } }, deps())).toBeInstanceOf(PrometheusMetricSource);
  });

  it('sends the Mimir tenant as X-Scope-OrgID, the rate window and the matchers', async () => {
    const { seen, fetchImpl } = recording();
    const src = await createMetricSource(
      {
        name: 'prod',
        prometheus: { url: 'https://mimir.example/prometheus', auth: 'none', tenantId: 'team-a', rateWindow: '2m', matchers: { cluster: 'prod' } },
      },
      deps({ fetch: fetchImpl }),
    );
    await src.currentSignals({ namespace: 'shop' });
    expect(seen.length).toBeGreaterThan(0);
    for (const request of seen) expect(request.headers['x-scope-orgid']).toBe('team-a');
    const queries = seen.map((r) => new URLSearchParams(r.body).get('query') ?? '');
    expect(queries.some((q) => q.includes('[2m]'))).toBe(true);
    expect(queries.every((q) => q.includes('cluster="prod"'))).toBe(true);
  });

  it('refuses bearer auth without a stored token, and sends the token when there is one', async () => {
    const prometheus = { url: 'https://prom.example', auth: 'bearer' as const };
    await expect(createMetricSource({ name: 'a', prometheus }, deps())).rejects.toThrow(ValidationError);
    await expect(createMetricSource({ name: 'a', prometheus }, deps({ bearerToken: async () => '' }))).rejects.toThrow(/no token/);
    const { seen, fetchImpl } = recording();
    const src = await createMetricSource({ name: 'a', prometheus }, deps({ bearerToken: async () => 'tok-123', fetch: fetchImpl }));
    await src.currentSignals({ namespace: 'shop' });
    expect(seen[0].headers.authorization).toBe('Bearer tok-123');
  });

  it('signs SigV4 for the region of the workspace host, and refuses anything else', async () => {
    const { seen, fetchImpl } = recording();
    const url = 'https://aps-workspaces.us-west-2.amazonaws.com/workspaces/ws-1';
    const src = await createMetricSource({ name: 'prod', prometheus: { url, auth: 'sigv4' } }, deps({ fetch: fetchImpl }));
    await src.currentSignals({ namespace: 'shop' });
    expect(seen[0].url.startsWith(url)).toBe(true);
    expect(seen[0].headers.authorization).toContain('/us-west-2/aps/aws4_request');
    await expect(createMetricSource({ name: 'a', prometheus: { url, auth: 'sigv4', region: 'eu-west-1' } }, deps())).rejects.toThrow(/does not match/);
    await expect(createMetricSource({ name: 'a', prometheus: { url: 'https://prom.example', auth: 'sigv4' } }, deps())).rejects.toThrow(ValidationError);
    await expect(createMetricSource({ name: 'a', prometheus: { url: 'https://evil.example#.amazonaws.com', auth: 'sigv4' } }, deps())).rejects.toThrow(
      ValidationError,
    );
  });
});
