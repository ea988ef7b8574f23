// Prometheus text at metricsUrl: parses, has the documented families, counters are monotonic, scale-out lowers per-pod cpu.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatedClusterInfo } from '../../../sim/index.ts';
import { kreq, parsePrometheus, pick, scrape, sum, waitFor, type Sample } from './helpers.ts';

let sim: RunningSimulator;
let info: SimulatedClusterInfo;

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['m1', 'm2'], seed: 11, tickMs: 250 });
  info = sim.clusters[0];
});
afterAll(async () => {
  await sim?.stop();
});

const cpuRate = async (app: string, ms: number): Promise<Map<string, number>> => {
  const a = await scrape(info);
  await new Promise((r) => setTimeout(r, ms));
  const b = await scrape(info);
  const out = new Map<string, number>();
  for (const s of pick(b, 'container_cpu_usage_seconds_total', { namespace: 'shop', container: app })) {
    const prev = pick(a, 'container_cpu_usage_seconds_total', { pod: s.labels.pod })[0];
    if (prev) out.set(s.labels.pod, (s.value - prev.value) / (ms / 1000));
  }
  return out;
};

describe('metrics endpoint', () => {
  it('serves parseable Prometheus text with the documented families and types', async () => {
    const res = await fetch(info.metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const { samples, types } = parsePrometheus(await res.text());
    expect(types.get('container_cpu_usage_seconds_total')).toBe('counter');
    expect(types.get('container_memory_working_set_bytes')).toBe('gauge');
    expect(types.get('http_requests_total')).toBe('counter');
    expect(types.get('http_request_duration_seconds')).toBe('histogram');
    for (const name of [
      'kube_pod_status_ready',
      'kube_node_status_condition',
      'kube_deployment_status_replicas_available',
      'kube_pod_container_status_restarts_total',
    ]) {
      expect(pick(samples, name).length, name).toBeGreaterThan(0);
    }
    const cpu = pick(samples, 'container_cpu_usage_seconds_total', { namespace: 'shop' });
    expect(cpu).toHaveLength(8);
    expect(Object.keys(cpu[0].labels).sort()).toEqual(['container', 'namespace', 'pod']);
    const mem = pick(samples, 'container_memory_working_set_bytes', { namespace: 'shop' });
    expect(mem.every((m) => m.value > 50 * 1024 ** 2 && m.value < 512 * 1024 ** 2)).toBe(true);
    const statuses = new Set(pick(samples, 'http_requests_total', { service: 'frontend' }).map((s) => s.labels.status));
    expect([...statuses]).toEqual(expect.arrayContaining(['200', '500']));
    const buckets = pick(samples, 'http_request_duration_seconds_bucket', { service: 'frontend' });
    expect(buckets.at(-1)?.labels.le).toBe('+Inf');
    for (let i = 1; i < buckets.length; i++) expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value);
    expect(pick(samples, 'http_request_duration_seconds_count', { service: 'frontend' })[0].value).toBeCloseTo(buckets.at(-1)!.value, 6);
    expect(pick(samples, 'kube_deployment_status_replicas_available', { deployment: 'frontend' })[0].value).toBe(2);
    expect(pick(samples, 'kube_node_status_condition', { condition: 'Ready', status: 'true' }).map((s) => s.value)).toEqual([1, 1, 1]);
  });

  it('counters increase monotonically over time', async () => {
    const snaps: Sample[][] = [];
    for (let i = 0; i < 3; i++) {
      snaps.push(await scrape(info));
      await new Promise((r) => setTimeout(r, 400));
    }
    for (const name of ['http_requests_total', 'container_cpu_usage_seconds_total', 'http_request_duration_seconds_count']) {
      for (const s of pick(snaps[2], name)) {
        const key = JSON.stringify(s.labels);
        const v0 = pick(snaps[0], name).find((x) => JSON.stringify(x.labels) === key)?.value;
        const v1 = pick(snaps[1], name).find((x) => JSON.stringify(x.labels) === key)?.value;
        if (v0 === undefined || v1 === undefined) continue;
        expect(v1).toBeGreaterThanOrEqual(v0);
        expect(s.value).toBeGreaterThanOrEqual(v1);
      }
    }
    const total = (s: Sample[]) => sum(pick(s, 'http_requests_total', { service: 'frontend' }));
    expect(total(snaps[2])).toBeGreaterThan(total(snaps[0]));
  });

  it('scaling out lowers per-pod cpu while total load stays', async () => {
    const before = await cpuRate('frontend', 1200);
    expect(before.size).toBe(2);
    const r = await kreq(
      info,
      'PATCH',
      '/apis/apps/v1/namespaces/shop/deployments/frontend/scale',
      { spec: { replicas: 5 } },
      { contentType: 'application/merge-patch+json' },
    );
    expect(r.status).toBe(200);
    await waitFor(async () => pick(await scrape(info), 'kube_deployment_status_replicas_available', { deployment: 'frontend' })[0]?.value === 5, '5 available');
    const after = await cpuRate('frontend', 1200);
    expect(after.size).toBe(5);
    const avg = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0) / m.size;
    expect(avg(after)).toBeLessThan(avg(before) * 0.7);
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    expect(total(after)).toBeGreaterThan(total(before) * 0.8);
  });

  it('each cluster has its own metrics endpoint', async () => {
    expect(sim.clusters[1].metricsUrl).not.toBe(info.metricsUrl);
    const other = pick(await scrape(sim.clusters[1]), 'kube_deployment_status_replicas_available', { deployment: 'frontend' });
    expect(other[0].value).toBe(2);
  });
});
