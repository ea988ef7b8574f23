import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { apiClient, type Api } from '../support/local-stack.ts';
import { prometheusAvailable, startPrometheus, type LocalPrometheus } from '../../local/prometheus.ts';
import { startSimulator, type RunningSimulator, type SimulatedClusterInfo } from '../../sim/index.ts';
import { kreq } from '../integration/sim/helpers.ts';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.ts';

/**
 * Issue 21 on the local stack and the simulator: evidence has a time and changes are evidence.
 * (a) Faults one after another on the same deployments, each removed before the next: every RCA names the
 *     active fault first, not the one before it (whose traces, such as `lastState: OOMKilled`, linger).
 * (b) Two rollouts at once, one healthy and one to an image that does not exist: the faulty one is blamed.
 * (c) A callee whose calls fail only as its caller sees them (error-burst with scope "caller": its own metrics and
 *     logs stay clean, the mesh's client-side view shows the failures): the callee is blamed, not the caller.
 */
const withPrometheus = prometheusAvailable();
// seq2 keeps the crash-loop sequence apart from the previous test's rollback of payment-service (see the report of
// issue 21: on one cluster, that fresh rollback and the caller-side failures during order-service's crash loop
// still come first)
const CLUSTERS = ['seq', 'seq2', 'roll', 'edge'];

let cloud: LocalCloud;
let sim: RunningSimulator;
let prometheus: LocalPrometheus | undefined;
const ids: Record<string, string> = {};
const info = (name: string): SimulatedClusterInfo => sim.clusters.find((c) => c.name === name)!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const api: Api = (method, path, body) => apiClient(cloud)(method, path, body);

async function rca(cluster: string, service: string) {
  const started = await api('POST', '/v1/rca', { clusterId: ids[cluster], namespace: 'shop', service });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const execution = await cloud.workflows.wait(`arn:aws:states:local:000000000000:execution:fleetops-rca:${started.body.id}`);
  expect(execution?.status, execution?.error).toBe('SUCCEEDED');
  const got = await api('GET', `/v1/rca/${started.body.id}`);
  expect(got.body.status).toBe('SUCCEEDED');
  return got.body.report as {
    rootCauses: { category: string; resource: string; description: string; confidence: number }[];
    timeline: { at: string; event: string }[];
  };
}

async function inject(cluster: string, type: string, deployment: string, params: Record<string, unknown> = {}): Promise<string> {
  const r = await kreq(info(cluster), 'POST', '/sim/v1/faults', { type, namespace: 'shop', deployment, ...params });
  expect(r.status, r.text).toBe(201);
  return JSON.parse(r.text).id;
}

async function remove(cluster: string, id: string): Promise<void> {
  expect((await kreq(info(cluster), 'DELETE', `/sim/v1/faults/${id}`)).status).toBe(200);
}

/** Until every replica of the deployment is updated, ready and available again. */
async function healthy(cluster: string, deployment: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const r = await kreq(info(cluster), 'GET', `/apis/apps/v1/namespaces/shop/deployments/${deployment}`);
    const d = JSON.parse(r.text);
    const want = d.spec?.replicas ?? 1;
    const pods = JSON.parse((await kreq(info(cluster), 'GET', '/api/v1/namespaces/shop/pods')).text).items.filter((p: any) =>
      p.metadata.name.startsWith(`${deployment}-`),
    );
    const allReady = pods.length === want && pods.every((p: any) => (p.status?.containerStatuses ?? []).every((c: any) => c.ready && c.state?.running));
    if (d.status?.readyReplicas === want && d.status?.updatedReplicas === want && allReady) return;
    await sleep(500);
  }
  throw new Error(`${deployment} did not become healthy`);
}

const summary = (r: Awaited<ReturnType<typeof rca>>) =>
  r.rootCauses.map((c) => `${c.category} ${c.resource} ${c.confidence}: ${c.description.slice(0, 240)}`).join(' | ');

beforeAll(async () => {
  cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    schedules: false,
    dataDir: mkdtempSync(join(tmpdir(), 'fleetops-rca-seq-')),
    env: { FLEETOPS_RCA_CACHE_TTL_SECONDS: '0' },
  });
  sim = await startSimulator({ clusters: CLUSTERS, tickMs: 1000 });
  if (withPrometheus)
    prometheus = await startPrometheus({ targets: sim.clusters.map((c) => ({ cluster: c.name, metricsUrl: c.metricsUrl })), scrapeSeconds: 2 });
  for (const c of sim.clusters) {
    const body: Record<string, unknown> = { name: c.name, environment: 'test', kubeconfig: await leastPrivilegeKubeconfig(c), namespaces: ['shop'] };
    if (prometheus) body.prometheus = { url: prometheus.url, rateWindow: '10s', matchers: { cluster: c.name } };
    let response = await api('POST', '/v1/clusters', body);
    for (let attempt = 0; attempt < 3 && response.status === 502; attempt++) response = await api('POST', '/v1/clusters', body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    ids[c.name] = response.body.id;
  }
  if (prometheus) await sleep(35_000);
}, 400_000);

afterAll(async () => {
  await cloud?.stop();
  await prometheus?.stop();
  await sim?.stop();
});

describe('RCA names the active fault, not the one before it', () => {
  it('oom-killed, removed, then pending-unschedulable on payment-service', { timeout: 300_000 }, async () => {
    const oom = await inject('seq', 'oom-killed', 'payment-service');
    await sleep(14_000);
    const first = await rca('seq', 'payment-service');
    expect(first.rootCauses[0]?.category, summary(first)).toBe('OOMKilled');
    await remove('seq', oom);
    await healthy('seq', 'payment-service');
    await sleep(5_000);
    const pending = await inject('seq', 'pending-unschedulable', 'payment-service');
    await sleep(14_000);
    const second = await rca('seq', 'payment-service');
    console.log(
      JSON.stringify({
        measurement: 'rca after a removed oom-kill',
        rootCauses: summary(second),
        history: second.timeline.filter((t) => /history/.test(t.event)).length,
      }),
    );
    expect(second.rootCauses[0]?.category, summary(second)).toBe('FailedScheduling');
    expect(
      second.rootCauses.map((c) => c.category),
      summary(second),
    ).not.toContain('OOMKilled');
    await remove('seq', pending);
    await healthy('seq', 'payment-service');
  });

  it('crash-loop, removed, then a latency spike on order-service', { timeout: 300_000 }, async () => {
    const crash = await inject('seq2', 'crash-loop', 'order-service');
    await sleep(14_000);
    const first = await rca('seq2', 'order-service');
    expect(first.rootCauses[0]?.category, summary(first)).toBe('CrashLoopBackOff');
    await remove('seq2', crash);
    await healthy('seq2', 'order-service');
    await sleep(5_000);
    const spike = await inject('seq2', 'latency-spike', 'order-service');
    await sleep(withPrometheus ? 25_000 : 14_000);
    const second = await rca('seq2', 'order-service');
    console.log(JSON.stringify({ measurement: 'rca after a removed crash loop', rootCauses: summary(second) }));
    expect(
      second.rootCauses.map((c) => c.category),
      summary(second),
    ).not.toContain('CrashLoopBackOff');
    if (withPrometheus) expect(second.rootCauses[0]?.category, summary(second)).toBe('LatencyRegression');
    await remove('seq2', spike);
  });
});

describe('changes as evidence', () => {
  it('two rollouts at once, one healthy and one to a nonexistent image: the faulty one is blamed', { timeout: 200_000 }, async () => {
    const patch = (deployment: string, image: string) =>
      kreq(
        info('roll'),
        'PATCH',
        `/apis/apps/v1/namespaces/shop/deployments/${deployment}`,
        { spec: { template: { spec: { containers: [{ name: deployment, image }] } } } },
        { contentType: 'application/strategic-merge-patch+json' },
      );
    const dep = JSON.parse((await kreq(info('roll'), 'GET', '/apis/apps/v1/namespaces/shop/deployments/user-service')).text);
    const container = dep.spec.template.spec.containers[0].name as string;
    expect(container).toBe('user-service');
    expect((await patch('user-service', 'ghcr.io/fleetops-sim/user-service:1.4.3')).status).toBe(200);
    expect((await patch('payment-service', 'ghcr.io/fleetops-sim/payment-service:1.4.3-nonexistent')).status).toBe(200);
    await sleep(14_000);
    for (const target of withPrometheus ? ['frontend', 'payment-service'] : ['payment-service']) {
      const report = await rca('roll', target);
      console.log(JSON.stringify({ measurement: 'rca of two rollouts', target, rootCauses: summary(report) }));
      expect(report.rootCauses[0]?.resource, summary(report)).toBe('deployment/payment-service');
      expect(report.timeline.some((t) => /rollout of payment-service/.test(t.event))).toBe(true);
    }
  });
});

describe('edges as evidence', () => {
  it.skipIf(!withPrometheus)('a callee failing only at its caller is blamed, not the caller', { timeout: 200_000 }, async () => {
    const fault = await inject('edge', 'error-burst', 'payment-service', { ratio: 0.6, scope: 'caller' });
    await sleep(30_000);
    const report = await rca('edge', 'order-service');
    const q = async (promql: string) =>
      ((await (await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(promql)}`)).json()) as any).data.result.map((r: any) => [
        r.metric.source_workload,
        r.metric.destination_workload,
        r.metric.service,
        r.value[1],
      ]);
    console.log(
      JSON.stringify({
        edgeErrors: await q(
          'sum by (source_workload, destination_workload) (rate(istio_requests_total{reporter="source",response_code=~"5..",cluster="edge"}[1m]))',
        ),
        services: await q('sum by (service) (rate(http_requests_total{cluster="edge",status=~"5.."}[1m]))'),
      }),
    );
    console.log(JSON.stringify({ measurement: 'rca of a callee failing at its caller', rootCauses: summary(report) }));
    expect(report.rootCauses[0]?.resource, summary(report)).toBe('deployment/payment-service');
    expect(report.rootCauses[0]?.category, summary(report)).toBe('CallFailures');
    await remove('edge', fault);
  });
});
