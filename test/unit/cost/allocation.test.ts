import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocate, capacityTypeOf, splitNodePrice, workloadOfPod } from '../../../functions/core/cost/allocation.ts';
import { NodePricer, parsePriceOverrides } from '../../../functions/core/cost/prices.ts';
import { SnapshotPriceSource } from '../../../functions/adapters/aws/pricing/snapshot-prices.ts';
import type { CostNode, CostPod, NodePrice, PodUsage } from '../../../functions/core/cost/types.ts';

const node = (name: string, labels: Record<string, string> = {}, cpu = '4', memory = '16Gi'): CostNode => ({
  metadata: { name, labels: { 'node.kubernetes.io/instance-type': 'm5.xlarge', 'topology.kubernetes.io/region': 'us-east-1', ...labels } },
  status: { capacity: { cpu, memory } },
});
const pod = (name: string, nodeName: string, req: { cpu?: string; memory?: string }, lim: { cpu?: string; memory?: string } = {}, ns = 'shop'): CostPod => ({
  metadata: { name, namespace: ns },
  spec: { nodeName, containers: [{ name: 'app', resources: { requests: req as Record<string, string>, limits: lim as Record<string, string> } }] },
  status: { phase: 'Running' },
});
const use = (name: string, cpu: number, memory: number, ns = 'shop'): PodUsage => ({ namespace: ns, name, containers: [{ name: 'app', cpu, memory }] });
const price = (hourly: number): NodePrice => ({ hourly, source: 'snapshot' });
const at = new Date('2026-12-06T12:00:00Z');
const MI = 1024 ** 2;

describe('OpenCost allocation', () => {
  it('splits a node price by the default CPU:RAM ratio, and the split adds back up to the price', () => {
    const r = splitNodePrice(0.192, 4, 16);
    expect(r.cpuCoreHour * 4 + r.memoryGiBHour * 16).toBeCloseTo(0.192, 10);
    expect(r.cpuCoreHour / r.memoryGiBHour).toBeCloseTo(0.031611 / 0.004237, 6);
  });

  it('charges max(request, usage) per resource and reports the rest as idle', () => {
    const out = allocate({
      cluster: 'a',
      nodes: [node('n1')],
      pods: [pod('web-7d9f8c6b5d-bcdfg', 'n1', { cpu: '1', memory: '1Gi' }), pod('api-7d9f8c6b5d-fghjk', 'n1', { cpu: '100m', memory: '128Mi' })],
      usage: [use('web-7d9f8c6b5d-bcdfg', 0.2, 512 * MI), use('api-7d9f8c6b5d-fghjk', 2, 4096 * MI)],
      prices: [price(0.192)],
      intervalSeconds: 3600,
      now: at,
    });
    const rates = splitNodePrice(0.192, 4, 16);
    const web = out.items.find((i) => i.service === 'web')!;
    const api = out.items.find((i) => i.service === 'api')!;
    // web: request wins on both; api: usage wins on both.
    expect(web.cost).toBeCloseTo(1 * rates.cpuCoreHour + 1 * rates.memoryGiBHour, 10);
    expect(api.cost).toBeCloseTo(2 * rates.cpuCoreHour + 4 * rates.memoryGiBHour, 10);
    expect(out.total).toBeCloseTo(0.192, 10);
    expect(out.idle).toBeCloseTo(0.192 - web.cost - api.cost, 10);
  });

  it('never lets idle go negative: an over-committed node charges at most its price', () => {
    const out = allocate({
      cluster: 'a',
      nodes: [node('n1', {}, '1', '1Gi')],
      pods: [pod('a-7d9f8c6b5d-bcdfg', 'n1', { cpu: '1', memory: '1Gi' }), pod('b-7d9f8c6b5d-bcdfg', 'n1', { cpu: '1', memory: '1Gi' })],
      usage: [],
      prices: [price(1)],
      intervalSeconds: 3600,
      now: at,
    });
    expect(out.idle).toBeCloseTo(0, 10);
    expect(out.items.reduce((s, i) => s + i.cost, 0)).toBeCloseTo(1, 10);
  });

  it('services + idle = total for any cluster (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ cpu: fc.integer({ min: 1, max: 64 }), memGi: fc.integer({ min: 1, max: 256 }), hourly: fc.double({ min: 0.01, max: 5, noNaN: true }) }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.array(
          fc.record({
            node: fc.nat(),
            reqM: fc.integer({ min: 0, max: 8000 }),
            reqMi: fc.integer({ min: 0, max: 32000 }),
            useM: fc.integer({ min: 0, max: 8000 }),
            useMi: fc.integer({ min: 0, max: 32000 }),
          }),
          { maxLength: 40 },
        ),
        (nodes, pods) => {
          const out = allocate({
            cluster: 'c',
            nodes: nodes.map((n, i) => node(`n${i}`, {}, String(n.cpu), `${n.memGi}Gi`)),
            pods: pods.map((p, i) => pod(`w${i}-7d9f8c6b5d-bcdfg`, `n${p.node % nodes.length}`, { cpu: `${p.reqM}m`, memory: `${p.reqMi}Mi` })),
            usage: pods.map((p, i) => use(`w${i}-7d9f8c6b5d-bcdfg`, p.useM / 1000, p.useMi * MI)),
            prices: nodes.map((n) => price(n.hourly)),
            intervalSeconds: 60,
            now: at,
          });
          const charged = out.items.reduce((s, i) => s + i.cost, 0);
          expect(out.idle).toBeGreaterThanOrEqual(0);
          expect(charged + out.idle).toBeCloseTo(out.total, 9);
        },
      ),
    );
  });

  it("doubling a deployment's replicas doubles its cost", () => {
    const run = (replicas: number) =>
      allocate({
        cluster: 'a',
        nodes: [node('n1'), node('n2')],
        pods: Array.from({ length: replicas }, (_, i) => pod(`web-7d9f8c6b5d-${'bcdfg'[i]}bcdf`, i % 2 ? 'n2' : 'n1', { cpu: '250m', memory: '256Mi' })),
        usage: Array.from({ length: replicas }, (_, i) => use(`web-7d9f8c6b5d-${'bcdfg'[i]}bcdf`, 0.1, 200 * MI)),
        prices: [price(0.192), price(0.192)],
        intervalSeconds: 600,
        now: at,
      }).items.find((i) => i.service === 'web')!.cost;
    expect(run(4) / run(2)).toBeCloseTo(2, 6);
  });

  it('skips pods that hold nothing (no node, finished)', () => {
    const done = { ...pod('job-bcdfg', 'n1', { cpu: '4', memory: '16Gi' }), status: { phase: 'Succeeded' } };
    const pending = pod('p-7d9f8c6b5d-bcdfg', '', { cpu: '4' });
    const out = allocate({ cluster: 'a', nodes: [node('n1')], pods: [done, pending], usage: [], prices: [price(1)], intervalSeconds: 3600, now: at });
    expect(out.items).toEqual([]);
    expect(out.idle).toBeCloseTo(1, 10);
  });

  it('names workloads by controller: Deployment pods by name, StatefulSets and DaemonSets by owner', () => {
    expect(
      workloadOfPod({ metadata: { name: 'web-7d9f8c6b5d-bcdfg', ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7d9f8c6b5d', controller: true }] } }),
    ).toBe('web');
    expect(workloadOfPod({ metadata: { name: 'db-0', ownerReferences: [{ kind: 'StatefulSet', name: 'db', controller: true }] } })).toBe('db');
  });

  it('flags OOM kills inside the interval and samples at the CPU limit as throttled', () => {
    const p = pod('web-7d9f8c6b5d-bcdfg', 'n1', { cpu: '100m', memory: '128Mi' }, { cpu: '200m', memory: '256Mi' });
    p.status!.containerStatuses = [
      { name: 'app', restartCount: 1, lastState: { terminated: { reason: 'OOMKilled', finishedAt: new Date(at.getTime() - 5000).toISOString() } } },
    ];
    const out = allocate({
      cluster: 'a',
      nodes: [node('n1')],
      pods: [p],
      usage: [use('web-7d9f8c6b5d-bcdfg', 0.199, 100 * MI)],
      prices: [price(1)],
      intervalSeconds: 10,
      now: at,
    });
    expect(out.samples[0]).toMatchObject({ oomKilled: true, throttled: true, measured: true });
  });
});

describe('node prices', () => {
  const q = { cluster: 'a', instanceType: 'm5.xlarge', region: 'us-east-1', capacityType: 'on-demand' as const, cpu: 4, memoryGiB: 16 };

  it('reads the snapshot, prices spot below on-demand, and applies per-cluster overrides', async () => {
    const pricer = new NodePricer(new SnapshotPriceSource(), parsePriceOverrides('{"b":{"instanceTypes":{"m5.xlarge":0.1}},"c":{"discountPct":20}}'));
    expect(await pricer.price(q)).toEqual({ hourly: 0.192, source: 'snapshot' });
    expect((await pricer.price({ ...q, capacityType: 'spot' })).hourly).toBeCloseTo(0.192 * 0.35, 10);
    expect(await pricer.price({ ...q, cluster: 'b' })).toEqual({ hourly: 0.1, source: 'override' });
    expect((await pricer.price({ ...q, cluster: 'c' })).hourly).toBeCloseTo(0.192 * 0.8, 10);
  });

  it('falls back to OpenCost default per-resource prices for an unknown instance type', async () => {
    const p = await new NodePricer(new SnapshotPriceSource()).price({ ...q, instanceType: 'x9.huge' });
    expect(p.source).toBe('default');
    expect(p.hourly).toBeCloseTo(4 * 0.031611 + 16 * 0.004237, 10);
  });

  it('rejects malformed overrides', () => {
    expect(() => parsePriceOverrides('{"a":{"discountPct":150}}')).toThrow(/discountPct/);
    expect(() => parsePriceOverrides('nope')).toThrow(/JSON/);
  });

  it('reads capacity type from Karpenter and EKS labels', () => {
    expect(capacityTypeOf({ 'karpenter.sh/capacity-type': 'spot' })).toBe('spot');
    expect(capacityTypeOf({ 'eks.amazonaws.com/capacityType': 'SPOT' })).toBe('spot');
    expect(capacityTypeOf({ 'eks.amazonaws.com/capacityType': 'ON_DEMAND' })).toBe('on-demand');
  });
});
