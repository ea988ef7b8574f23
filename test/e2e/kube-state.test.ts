/**
 * Kubernetes-state detection end to end: the local stack pulling every 10 s (its own schedule, nobody calls
 * the API to pull), two simulated clusters without Prometheus, six faults at once. Each must open an
 * incident for the faulted service typed by its condition within 90 s, and resolve within 4 minutes of
 * the fault's removal. Healthy services must not open any incident meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedClusterInfo } from '../../sim/index.ts';
import { kreq } from '../integration/sim/helpers.ts';
import { startPullingStack, type PullingStack } from '../support/local-stack.ts';

const PULL_SECONDS = 10;
let stack: PullingStack;
const api: PullingStack['api'] = (method, path, body) => stack.api(method, path, body);

interface Case {
  fault: string;
  cluster: string;
  deployment: string;
  type: string;
  /** The incident's service; nodes are a cluster-level service. */
  service?: (info: SimulatedClusterInfo, fault: { node?: string }) => string;
}
const CASES: Case[] = [
  { fault: 'crash-loop', cluster: 'ks-a', deployment: 'frontend', type: 'KubePodCrashLooping' },
  { fault: 'oom-killed', cluster: 'ks-a', deployment: 'user-service', type: 'KubePodOOMKilled' },
  { fault: 'image-pull-backoff', cluster: 'ks-a', deployment: 'order-service', type: 'KubePodImagePullBackOff' },
  { fault: 'missing-configmap', cluster: 'ks-a', deployment: 'payment-service', type: 'KubePodContainerConfigError' },
  { fault: 'pending-unschedulable', cluster: 'ks-b', deployment: 'frontend', type: 'KubePodUnschedulable' },
  { fault: 'node-not-ready', cluster: 'ks-b', deployment: 'payment-service', type: 'KubeNodeNotReady', service: (_info, f) => `node/${f.node}` },
];

beforeAll(async () => {
  stack = await startPullingStack({ clusters: ['ks-a', 'ks-b'], pullSeconds: PULL_SECONDS, environment: () => 'dev' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('Kubernetes-state detection on the pull schedule', () => {
  it('six faults each open an incident typed by condition within 90 s, and resolve within 4 min of removal', async () => {
    // A healthy stretch first: several pulls, no incident.
    await new Promise((r) => setTimeout(r, 2.5 * PULL_SECONDS * 1000));
    expect((await api('GET', '/v1/incidents?status=open')).body.items).toEqual([]);

    const injected = await Promise.all(
      CASES.map(async (c) => {
        const info = stack.cluster(c.cluster);
        const r = await kreq(info, 'POST', '/sim/v1/faults', { type: c.fault, namespace: 'shop', deployment: c.deployment });
        expect(r.status, r.text).toBe(201);
        return { ...c, info, id: r.body.id as string, service: c.service ? c.service(info, r.body) : c.deployment, at: Date.now() };
      }),
    );

    const opened = new Map<string, { incident: any; seconds: number }>();
    const openDeadline = Date.now() + 90_000;
    while (opened.size < injected.length && Date.now() < openDeadline) {
      const items = (await api('GET', '/v1/incidents?status=open')).body.items as any[];
      for (const c of injected) {
        if (opened.has(c.fault)) continue;
        const hit = items.find((i) => i.cluster === c.cluster && i.service === c.service && (i.types ?? []).includes(c.type));
        if (hit) opened.set(c.fault, { incident: hit, seconds: (Date.now() - c.at) / 1000 });
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const detection = Object.fromEntries(injected.map((c) => [c.fault, opened.get(c.fault)?.seconds ?? null]));
    console.log(JSON.stringify({ measurement: 'kube-state detection, seconds from fault to open incident', pullSeconds: PULL_SECONDS, ...detection }));
    for (const c of injected) {
      const got = opened.get(c.fault);
      expect(got, `${c.fault}: no ${c.type} incident for ${c.cluster}/${c.service} within 90 s`).toBeDefined();
      expect(got!.incident).toMatchObject({ cluster: c.cluster, service: c.service, status: 'open' });
      expect(got!.incident.types).toContain(c.type);
    }
    // Typed by condition, one incident per faulted service: nothing for the healthy services of ks-b.
    const open = (await api('GET', '/v1/incidents?status=open')).body.items as any[];
    const expected = new Set(injected.map((c) => `${c.cluster}/${c.service}`));
    const unexpected = open.filter((i) => !expected.has(`${i.cluster}/${i.service}`));
    expect(unexpected.map((i) => `${i.cluster}/${i.service} ${i.types}`)).toEqual([]);

    for (const c of injected) {
      const r = await kreq(c.info, 'DELETE', `/sim/v1/faults/${c.id}`);
      expect([200, 204]).toContain(r.status);
    }
    const removedAt = Date.now();
    const resolved = new Map<string, number>();
    const resolveDeadline = removedAt + 240_000;
    while (resolved.size < injected.length && Date.now() < resolveDeadline) {
      for (const c of injected) {
        if (resolved.has(c.fault)) continue;
        const incident = (await api('GET', `/v1/incidents/${opened.get(c.fault)!.incident.id}`)).body;
        if (incident.status === 'resolved') resolved.set(c.fault, (Date.now() - removedAt) / 1000);
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    console.log(
      JSON.stringify({
        measurement: 'kube-state resolution, seconds from fault removal to resolved incident',
        pullSeconds: PULL_SECONDS,
        ...Object.fromEntries(injected.map((c) => [c.fault, resolved.get(c.fault) ?? null])),
      }),
    );
    for (const c of injected) {
      if (resolved.has(c.fault)) continue;
      const incident = (await api('GET', `/v1/incidents/${opened.get(c.fault)!.incident.id}`)).body;
      const pods = (await kreq(c.info, 'GET', '/api/v1/namespaces/shop/pods')).body.items.map(
        (p: any) => `${p.metadata.name} ${p.status.phase} ${JSON.stringify(p.status.containerStatuses?.map((s: any) => s.state))}`,
      );
      const anomalies = (await api('GET', `/v1/anomalies?cluster=${c.cluster}&service=${c.service}&limit=60`)).body.items.map(
        (a: any) => `${a.at} ${a.status} ${a.layer ?? ''} ${JSON.stringify(a.features)} ${(a.reasons ?? []).join(' | ')}`,
      );
      console.log(JSON.stringify({ unresolved: c.fault, incident, pods, anomalies }, null, 1));
    }
    for (const c of injected) expect(resolved.get(c.fault), `${c.fault} not resolved within 4 min`).toBeDefined();
  }, 420_000);
});
