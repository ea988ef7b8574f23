// Each fault type shows its documented symptom through the Kubernetes API or the metrics, and DELETE recovers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatedClusterInfo } from '../../../sim/index.ts';
import { kreq, parseCpu, parseMem, pick, quantileFromDelta, scrape, sum, waitFor, type Sample } from './helpers.ts';

let sim: RunningSimulator;
let info: SimulatedClusterInfo;

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['faults'], seed: 3, tickMs: 250 });
  info = sim.clusters[0];
});
afterAll(async () => {
  await sim?.stop();
});

const pods = async (app: string): Promise<any[]> => (await kreq(info, 'GET', `/api/v1/namespaces/shop/pods?labelSelector=app%3D${app}`)).body.items;
const events = async (ns = 'shop'): Promise<any[]> => (await kreq(info, 'GET', `/api/v1/namespaces/${ns}/events`)).body.items;
const inject = async (type: string, deployment: string, extra: object = {}): Promise<string> => {
  const r = await kreq(info, 'POST', '/sim/v1/faults', { type, namespace: 'shop', deployment, ...extra });
  expect(r.status).toBe(201);
  expect(r.body.id).toMatch(/\S+/);
  return r.body.id;
};
const clear = async (id: string): Promise<void> => {
  const r = await kreq(info, 'DELETE', `/sim/v1/faults/${id}`);
  expect([200, 204]).toContain(r.status);
};
const healthy = (app: string, n = 2) =>
  waitFor(
    async () => {
      const ps = await pods(app);
      return (
        ps.length === n && ps.every((p) => p.status.phase === 'Running' && p.status.containerStatuses?.every((c: any) => c.ready && c.state.running)) && ps
      );
    },
    `${app} healthy again`,
    20_000,
  );
const ready = (p: any) => p.status.conditions?.find((c: any) => c.type === 'Ready')?.status;
const podCpu = async (app: string): Promise<number[]> =>
  (await kreq(info, 'GET', `/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?labelSelector=app%3D${app}`)).body.items.map((m: any) =>
    parseCpu(m.containers[0].usage.cpu),
  );
const window = async (ms: number): Promise<[Sample[], Sample[]]> => {
  const a = await scrape(info);
  await new Promise((r) => setTimeout(r, ms));
  return [a, await scrape(info)];
};
const errorRatio = ([a, b]: [Sample[], Sample[]], service: string): number => {
  const d = (status: string) => sum(pick(b, 'http_requests_total', { service, status })) - sum(pick(a, 'http_requests_total', { service, status }));
  const total = ['200', '404', '500', '503'].reduce((x, s) => x + d(s), 0);
  return (d('500') + d('503')) / total;
};

describe('fault injection', () => {
  it('rejects unknown types (400) and missing deployments (404) with Status-like JSON', async () => {
    const bad = await kreq(info, 'POST', '/sim/v1/faults', { type: 'meteor-strike', namespace: 'shop', deployment: 'frontend' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    const missing = await kreq(info, 'POST', '/sim/v1/faults', { type: 'crash-loop', namespace: 'shop', deployment: 'ghost' });
    expect(missing.status).toBe(404);
    expect(missing.body.reason).toBe('NotFound');
    const noAuth = await kreq(info, 'POST', '/sim/v1/faults', { type: 'crash-loop', namespace: 'shop', deployment: 'frontend' }, { token: 'x' });
    expect(noAuth.status).toBe(401);
    expect((await kreq(info, 'DELETE', '/sim/v1/faults/nope')).status).toBe(404);
  });

  it('crash-loop: CrashLoopBackOff, exit code 1, rising restarts, not ready, BackOff events; recovers', async () => {
    const id = await inject('crash-loop', 'order-service');
    const ps = await waitFor(async () => {
      const ps = await pods('order-service');
      return ps.every((p) => p.status.containerStatuses[0].restartCount >= 2) && ps;
    }, 'restarts rising');
    for (const p of ps) {
      const cs = p.status.containerStatuses[0];
      expect(cs.state.waiting.reason).toBe('CrashLoopBackOff');
      expect(cs.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
      expect(cs.ready).toBe(false);
      expect(ready(p)).toBe('False');
    }
    const ev = (await events()).filter((e) => e.reason === 'BackOff' && e.involvedObject.name === ps[0].metadata.name);
    expect(ev[0]?.message).toContain('Back-off restarting failed container');
    expect(ev[0]?.type).toBe('Warning');
    const dep = await kreq(info, 'GET', '/apis/apps/v1/namespaces/shop/deployments/order-service');
    expect(dep.body.status.availableReplicas ?? 0).toBe(0);
    // no ready endpoints -> 503s in the metrics
    expect(errorRatio(await window(800), 'order-service')).toBeGreaterThan(0.9);
    await clear(id);
    await healthy('order-service');
  });

  it('oom-killed: OOMKilled exit 137, restarts, OOMKilling node events and BackOff; recovers', async () => {
    const id = await inject('oom-killed', 'payment-service');
    const ps = await waitFor(async () => {
      const ps = await pods('payment-service');
      return ps.every((p) => p.status.containerStatuses[0].lastState?.terminated?.reason === 'OOMKilled') && ps;
    }, 'OOMKilled');
    for (const p of ps) {
      const cs = p.status.containerStatuses[0];
      expect(cs.lastState.terminated.exitCode).toBe(137);
      expect(cs.restartCount).toBeGreaterThanOrEqual(1);
    }
    const nodeEvents = (await kreq(info, 'GET', '/api/v1/events?fieldSelector=reason%3DOOMKilling')).body.items;
    expect(nodeEvents.length).toBeGreaterThan(0);
    expect(nodeEvents[0].involvedObject.kind).toBe('Node');
    expect(nodeEvents[0].message).toContain('Memory cgroup out of memory');
    expect((await events()).some((e) => e.reason === 'BackOff' && e.involvedObject.name === ps[0].metadata.name)).toBe(true);
    const restarts = pick(await scrape(info), 'kube_pod_container_status_restarts_total', { pod: ps[0].metadata.name });
    expect(restarts[0].value).toBeGreaterThanOrEqual(1);
    await clear(id);
    await healthy('payment-service');
  });

  it('memory-leak: memory grows, then OOMKilled restarts; recovers', async () => {
    const mem = async () =>
      (await kreq(info, 'GET', '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?labelSelector=app%3Duser-service')).body.items.map((m: any) =>
        parseMem(m.containers[0].usage.memory),
      );
    const m0 = await mem();
    const id = await inject('memory-leak', 'user-service', { rateMiBPerSecond: 60 });
    // Poll rather than sleep: the controller tick can lag on a loaded machine.
    const m1 = await waitFor(
      async () => {
        const m = await mem();
        return Math.min(...m) > Math.max(...m0) + 40 * 1024 ** 2 && m;
      },
      'memory growth',
      10_000,
    );
    expect(Math.min(...m1)).toBeGreaterThan(Math.max(...m0) + 40 * 1024 ** 2);
    const ps = await waitFor(
      async () => {
        const ps = await pods('user-service');
        return ps.every((p) => p.status.containerStatuses[0].lastState?.terminated?.reason === 'OOMKilled') && ps;
      },
      'leak OOMKill',
      20_000,
    );
    expect(ps[0].status.containerStatuses[0].restartCount).toBeGreaterThanOrEqual(1);
    await clear(id);
    await healthy('user-service');
    const m2 = await mem();
    expect(Math.max(...m2)).toBeLessThan(400 * 1024 ** 2);
  });

  it('image-pull-backoff: new pod ErrImagePull/ImagePullBackOff with Failed + BackOff events, old pods keep running; recovers', async () => {
    const id = await inject('image-pull-backoff', 'frontend');
    const bad = await waitFor(
      async () => {
        const ps = await pods('frontend');
        return ps.find((p) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');
      },
      'ImagePullBackOff',
      15_000,
    );
    expect(bad.spec.containers[0].image).toMatch(/nonexistent/);
    expect(bad.status.phase).toBe('Pending');
    const ps = await pods('frontend');
    const good = ps.filter((p) => ready(p) === 'True');
    expect(good).toHaveLength(2);
    const ev = (await events()).filter((e) => e.involvedObject.name === bad.metadata.name);
    expect(ev.some((e) => e.reason === 'Failed' && /ErrImagePull|Failed to pull image/.test(e.message))).toBe(true);
    expect(ev.some((e) => e.reason === 'BackOff' && e.message.includes('Back-off pulling image'))).toBe(true);
    await clear(id);
    const after = await healthy('frontend');
    expect(after.every((p: any) => p.spec.containers[0].image === 'ghcr.io/fleetops-sim/frontend:1.4.2')).toBe(true);
  });

  it('pending-unschedulable: new pod Pending, PodScheduled False Unschedulable, FailedScheduling; recovers', async () => {
    const id = await inject('pending-unschedulable', 'frontend');
    const p = await waitFor(async () => (await pods('frontend')).find((p) => p.status.phase === 'Pending' && !p.spec.nodeName), 'pending pod');
    const cond = p.status.conditions.find((c: any) => c.type === 'PodScheduled');
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    expect(cond.message).toContain('0/3 nodes are available: 3 Insufficient cpu.');
    const ev = (await events()).find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === p.metadata.name);
    expect(ev?.message).toContain('0/3 nodes are available: 3 Insufficient cpu.');
    expect((await pods('frontend')).filter((x) => ready(x) === 'True')).toHaveLength(2);
    await clear(id);
    await healthy('frontend');
  });

  it('missing-configmap: CreateContainerConfigError with a Failed event naming the configmap; recovers', async () => {
    const id = await inject('missing-configmap', 'user-service');
    const p = await waitFor(
      async () => (await pods('user-service')).find((p) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError'),
      'config error',
    );
    expect(p.status.containerStatuses[0].state.waiting.message).toMatch(/configmap ".+" not found/);
    const ev = (await events()).find((e) => e.reason === 'Failed' && e.involvedObject.name === p.metadata.name);
    expect(ev?.message).toMatch(/^Error: configmap ".+" not found$/);
    await clear(id);
    await healthy('user-service');
  });

  it('node-not-ready: the node goes Unknown with NodeNotReady, its pods not ready; recovers', async () => {
    const id = await inject('node-not-ready', 'payment-service');
    const fault = (await kreq(info, 'GET', `/sim/v1/faults/${id}`)).body;
    const nodeName = fault.node;
    const node = (await kreq(info, 'GET', `/api/v1/nodes/${nodeName}`)).body;
    expect(node.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('Unknown');
    expect(node.spec.taints.some((t: any) => t.key === 'node.kubernetes.io/unreachable')).toBe(true);
    const nodeEv = (await events('default')).find((e) => e.reason === 'NodeNotReady' && e.involvedObject.name === nodeName);
    expect(nodeEv).toBeTruthy();
    const on = (await pods('payment-service')).filter((p) => p.spec.nodeName === nodeName);
    expect(on.length).toBeGreaterThan(0);
    for (const p of on) expect(ready(p)).toBe('False');
    const cond = pick(await scrape(info), 'kube_node_status_condition', { node: nodeName, condition: 'Ready', status: 'unknown' });
    expect(cond[0].value).toBe(1);
    await clear(id);
    const back = (await kreq(info, 'GET', `/api/v1/nodes/${nodeName}`)).body;
    expect(back.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
    await healthy('payment-service');
  });

  it('cpu-spike: per-pod cpu near the limit and latency up somewhat; recovers', async () => {
    const base = await window(1000);
    const p50base = quantileFromDelta(base[0], base[1], 'order-service', 0.5);
    const before = await podCpu('order-service');
    const id = await inject('cpu-spike', 'order-service');
    const during = await podCpu('order-service');
    for (const c of during) expect(c).toBeGreaterThan(0.4); // limit is 500m
    expect(Math.min(...during)).toBeGreaterThan(Math.max(...before) * 2);
    const w = await window(1000);
    const p50 = quantileFromDelta(w[0], w[1], 'order-service', 0.5);
    expect(p50).toBeGreaterThan(p50base * 1.5);
    await clear(id);
    for (const c of await podCpu('order-service')) expect(c).toBeLessThan(0.3);
  });

  it('error-burst: 5xx ratio of http_requests_total rises to 30-50%; recovers', async () => {
    expect(errorRatio(await window(800), 'user-service')).toBeLessThan(0.05);
    const id = await inject('error-burst', 'user-service');
    const r = errorRatio(await window(1200), 'user-service');
    expect(r).toBeGreaterThan(0.25);
    expect(r).toBeLessThan(0.6);
    await clear(id);
    expect(errorRatio(await window(800), 'user-service')).toBeLessThan(0.05);
  });

  it('latency-spike: p95 latency way up in the histogram; recovers', async () => {
    const base = await window(800);
    const p95base = quantileFromDelta(base[0], base[1], 'payment-service', 0.95);
    const id = await inject('latency-spike', 'payment-service');
    const w = await window(1200);
    const p95 = quantileFromDelta(w[0], w[1], 'payment-service', 0.95);
    expect(p95).toBeGreaterThan(p95base * 5);
    expect(p95).toBeGreaterThan(1);
    await clear(id);
    const after = await window(800);
    expect(quantileFromDelta(after[0], after[1], 'payment-service', 0.95)).toBeLessThan(p95base * 2);
  });
});
