// The simulator's call graph through its metrics endpoint: Istio standard metrics per edge, and faults
// on a callee visible in its callers' own http_requests_total / latency.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatedClusterInfo } from '../../../sim/index.ts';
import { kreq, parsePrometheus, pick, quantileFromDelta, scrape, sum, type Sample } from './helpers.ts';

let sim: RunningSimulator;
let info: SimulatedClusterInfo;

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['mesh'], seed: 5, tickMs: 250 });
  info = sim.clusters[0];
});
afterAll(async () => {
  await sim?.stop();
});

const window = async (ms: number): Promise<[Sample[], Sample[]]> => {
  const a = await scrape(info);
  await new Promise((r) => setTimeout(r, ms));
  return [a, await scrape(info)];
};
const delta = ([a, b]: [Sample[], Sample[]], name: string, labels: Record<string, string>) => sum(pick(b, name, labels)) - sum(pick(a, name, labels));
const errorRatio = (w: [Sample[], Sample[]], service: string): number => {
  const total = delta(w, 'http_requests_total', { service });
  return (delta(w, 'http_requests_total', { service, status: '500' }) + delta(w, 'http_requests_total', { service, status: '503' })) / total;
};
const edgeErrorRatio = (w: [Sample[], Sample[]], from: string, to: string): number => {
  const l = { reporter: 'source', source_workload: from, destination_workload: to };
  const all = delta(w, 'istio_requests_total', l);
  const ok = delta(w, 'istio_requests_total', { ...l, response_code: '200' });
  return (all - ok) / all;
};
const inject = async (type: string, deployment: string): Promise<string> => {
  const r = await kreq(info, 'POST', '/sim/v1/faults', { type, namespace: 'shop', deployment });
  expect(r.status).toBe(201);
  return r.body.id;
};

describe('simulated service mesh', () => {
  it('exports every shop edge as istio_requests_total and istio_request_duration_milliseconds with the standard labels', async () => {
    await new Promise((r) => setTimeout(r, 600));
    const { samples, types } = parsePrometheus(await (await fetch(info.metricsUrl)).text());
    expect(types.get('istio_requests_total')).toBe('counter');
    expect(types.get('istio_request_duration_milliseconds')).toBe('histogram');
    const edges = new Set(
      pick(samples, 'istio_requests_total', { reporter: 'source' }).map((s) => `${s.labels.source_workload}->${s.labels.destination_workload}`),
    );
    expect([...edges].sort()).toEqual([
      'frontend->order-service',
      'frontend->user-service',
      'istio-ingressgateway->frontend',
      'order-service->payment-service',
    ]);
    const s = pick(samples, 'istio_requests_total', {
      reporter: 'destination',
      source_workload: 'order-service',
      destination_workload: 'payment-service',
      response_code: '200',
    })[0];
    expect(s.labels).toMatchObject({
      source_workload_namespace: 'shop',
      destination_workload_namespace: 'shop',
      destination_service: 'payment-service.shop.svc.cluster.local',
      destination_service_name: 'payment-service',
      request_protocol: 'http',
      connection_security_policy: 'mutual_tls',
    });
    expect(s.value).toBeGreaterThan(0);
    const buckets = pick(samples, 'istio_request_duration_milliseconds_bucket', {
      reporter: 'source',
      source_workload: 'frontend',
      destination_workload: 'order-service',
      response_code: '200',
    });
    expect(buckets.at(-1)?.labels.le).toBe('+Inf');
    for (let i = 1; i < buckets.length; i++) expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value);
    const count = pick(samples, 'istio_request_duration_milliseconds_count', {
      reporter: 'source',
      source_workload: 'frontend',
      destination_workload: 'order-service',
      response_code: '200',
    })[0];
    expect(count.value).toBeCloseTo(buckets.at(-1)!.value, 6);
  });

  it('error-burst on payment-service: order-service and then frontend fail more, each less than its callee', async () => {
    const before = await window(800);
    for (const s of ['frontend', 'order-service', 'payment-service']) expect(errorRatio(before, s)).toBeLessThan(0.02);
    const id = await inject('error-burst', 'payment-service');
    const during = await window(1500);
    const pay = errorRatio(during, 'payment-service');
    const order = errorRatio(during, 'order-service');
    const front = errorRatio(during, 'frontend');
    console.log(
      `[mesh] error-burst on payment-service: payment ${(pay * 100).toFixed(1)} %, order-service ${(order * 100).toFixed(1)} %, frontend ${(front * 100).toFixed(1)} %, user-service ${(errorRatio(during, 'user-service') * 100).toFixed(1)} %`,
    );
    expect(pay).toBeGreaterThan(0.25);
    expect(order).toBeGreaterThan(0.06);
    expect(order).toBeLessThan(pay);
    expect(front).toBeGreaterThan(0.015);
    expect(front).toBeLessThan(order);
    expect(errorRatio(during, 'user-service')).toBeLessThan(0.02);
    expect(edgeErrorRatio(during, 'order-service', 'payment-service')).toBeGreaterThan(0.25);
    // retries: more attempts per order reach payment-service than before
    const perOrder = (w: [Sample[], Sample[]]) =>
      delta(w, 'istio_requests_total', { reporter: 'source', source_workload: 'order-service' }) /
      delta(w, 'http_requests_total', { service: 'order-service' });
    expect(perOrder(during)).toBeGreaterThan(perOrder(before) * 1.2);
    await kreq(info, 'DELETE', `/sim/v1/faults/${id}`);
    const after = await window(800);
    expect(errorRatio(after, 'frontend')).toBeLessThan(0.02);
  });

  it('error-burst with scope "caller": the caller sees the calls fail, payment-service itself counts nothing (issue 21)', async () => {
    const r = await kreq(info, 'POST', '/sim/v1/faults', {
      type: 'error-burst',
      namespace: 'shop',
      deployment: 'payment-service',
      ratio: 0.5,
      scope: 'caller',
    });
    expect(r.status).toBe(201);
    const during = await window(1500);
    expect(edgeErrorRatio(during, 'order-service', 'payment-service')).toBeGreaterThan(0.25);
    expect(errorRatio(during, 'order-service')).toBeGreaterThan(0.06);
    expect(errorRatio(during, 'payment-service')).toBeLessThan(0.02);
    const served = (code: string) =>
      delta(during, 'istio_requests_total', { reporter: 'destination', destination_workload: 'payment-service', response_code: code });
    expect(served('500') / Math.max(1, served('200'))).toBeLessThan(0.02);
    await kreq(info, 'DELETE', `/sim/v1/faults/${r.body.id}`);
    expect((await kreq(info, 'POST', '/sim/v1/faults', { type: 'crash-loop', namespace: 'shop', deployment: 'payment-service', scope: 'caller' })).status).toBe(
      400,
    );
  });

  it('latency-spike on payment-service: latency adds up the path, and calls past the timeout show as 504 at the caller', async () => {
    const before = await window(800);
    const base = quantileFromDelta(before[0], before[1], 'order-service', 0.5);
    const id = await inject('latency-spike', 'payment-service');
    const during = await window(1500);
    const order = quantileFromDelta(during[0], during[1], 'order-service', 0.5);
    const front = quantileFromDelta(during[0], during[1], 'frontend', 0.95);
    console.log(
      `[mesh] latency-spike on payment-service: order-service p50 ${(base * 1000).toFixed(0)} → ${(order * 1000).toFixed(0)} ms, frontend p95 ${(front * 1000).toFixed(0)} ms`,
    );
    expect(order).toBeGreaterThan(base * 5);
    expect(front).toBeGreaterThan(0.3);
    expect(
      delta(during, 'istio_requests_total', { reporter: 'source', source_workload: 'order-service', response_code: '504', response_flags: 'UT' }),
    ).toBeGreaterThan(0);
    await kreq(info, 'DELETE', `/sim/v1/faults/${id}`);
  });
});
