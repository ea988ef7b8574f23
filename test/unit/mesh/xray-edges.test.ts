// Edge evidence from X-Ray's service graph: node names → workloads, faults and mean latency per edge, the best baseline slice.
import { describe, expect, it } from 'vitest';
import { explains, symptomOf } from '../../../functions/core/alerts/explain.ts';
import type { MeshEvidence, MeshEvidenceStore } from '../../../functions/core/mesh/evidence.ts';
import type { DependencyGraph, DependencyGraphStore } from '../../../functions/core/mesh/graph.ts';
import {
  edgesFromServiceGraphs,
  graphFromServiceGraphs,
  refreshXRayEvidence,
  workloadOfNode,
  xrayWindows,
  type XRayEdge,
  type XRayService,
  type XRayServiceGraph,
} from '../../../functions/core/mesh/xray-edges.ts';

/** An edge as GetServiceGraph reports it: 4xx in ErrorStatistics, 5xx in FaultStatistics, TotalResponseTime in seconds. */
const edge = (ref: number, s: { ok: number; errors?: number; faults?: number; meanSeconds: number }): XRayEdge => {
  const errors = s.errors ?? 0;
  const faults = s.faults ?? 0;
  const total = s.ok + errors + faults;
  return {
    ReferenceId: ref,
    SummaryStatistics: {
      OkCount: s.ok,
      ErrorStatistics: { ThrottleCount: 0, OtherCount: errors, TotalCount: errors } as { TotalCount: number },
      FaultStatistics: { OtherCount: faults, TotalCount: faults } as { TotalCount: number },
      TotalCount: total,
      TotalResponseTime: Number((total * s.meanSeconds).toFixed(6)),
    },
  };
};

const svc = (ref: number, name: string, type: string, edges: XRayEdge[] = []): XRayService => ({ ReferenceId: ref, Name: name, Type: type, Edges: edges });

const T0 = Date.parse('2025-06-02T10:00:00Z');

/**
 * The shop as X-Ray draws it over 2 minutes: the client node, the instrumented services (EKS containers), a callee
 * seen only from its callers' subsegments (remote, by its Kubernetes DNS name), a DynamoDB table, an unknown host.
 */
function shop(o: { payFaults?: number; payMeanSeconds?: number; start?: number; seconds?: number } = {}): XRayServiceGraph {
  const start = o.start ?? T0;
  const payFaults = o.payFaults ?? 0;
  return {
    StartTime: new Date(start),
    EndTime: new Date(start + (o.seconds ?? 120) * 1000),
    Services: [
      svc(0, 'shop.example.com', 'client', [edge(1, { ok: 600, errors: 12, meanSeconds: 0.08 })]),
      svc(1, 'frontend', 'AWS::EKS::Container', [
        edge(2, { ok: 300, meanSeconds: 0.012 }),
        edge(3, { ok: 240 - payFaults, faults: payFaults, meanSeconds: 0.05 }),
        edge(7, { ok: 5, meanSeconds: 0.2 }),
      ]),
      svc(2, 'user-service', 'AWS::EKS::Container'),
      svc(3, 'order-service', 'AWS::EKS::Container', [
        edge(4, { ok: 240 - payFaults, errors: 3, faults: payFaults, meanSeconds: o.payMeanSeconds ?? 0.03 }),
        edge(5, { ok: 480, meanSeconds: 0.004 }),
        edge(3, { ok: 10, meanSeconds: 0.001 }),
      ]),
      svc(4, 'payment-service.shop.svc.cluster.local', 'remote'),
      svc(5, 'orders', 'AWS::DynamoDB::Table'),
      svc(7, 'Unknown', 'remote'),
    ],
  };
}

describe('X-Ray edge evidence', () => {
  it('maps X-Ray nodes to workloads: not the client, unknown hosts or AWS resources; a Kubernetes DNS name is its service', () => {
    expect(workloadOfNode({ Name: 'frontend', Type: 'AWS::EKS::Container' })).toBe('frontend');
    expect(workloadOfNode({ Name: 'payment-service.shop.svc.cluster.local', Type: 'remote' })).toBe('payment-service');
    expect(workloadOfNode({ Name: 'payment-service.shop.svc:8080', Type: 'remote' })).toBe('payment-service');
    expect(workloadOfNode({ Name: 'shop.example.com', Type: 'client' })).toBeUndefined();
    expect(workloadOfNode({ Name: 'unknown', Type: 'remote' })).toBeUndefined();
    expect(workloadOfNode({ Name: 'orders', Type: 'AWS::DynamoDB::Table' })).toBeUndefined();
    expect(workloadOfNode({ Name: 'Order Service', Type: 'AWS::EC2::Instance' })).toBeUndefined();
    // An explicit mapping wins, even for an AWS resource; it must still name a workload.
    expect(workloadOfNode({ Name: 'Order Service', Type: 'AWS::EC2::Instance' }, { names: { 'Order Service': 'order-service' } })).toBe('order-service');
    expect(workloadOfNode({ Name: 'orders', Type: 'AWS::DynamoDB::Table' }, { names: { orders: 'orders-db' } })).toBe('orders-db');
    expect(workloadOfNode({ Name: 'frontend', Type: 'AWS::EKS::Container' }, { names: { frontend: 'bad name' } })).toBeUndefined();
    expect(workloadOfNode({ Name: 'toString', Type: 'AWS::EKS::Container' }, { names: {} })).toBe('toString');
  });

  it('summarises edges between workloads: 5xx faults only, mean milliseconds per call, sampled calls per second', () => {
    const edges = edgesFromServiceGraphs({ current: shop({ payFaults: 60 }), baseline: [], windowSeconds: 999 });
    expect(edges).toEqual([
      { from: 'frontend', to: 'order-service', rps: 2, errorRatio: 0.25, latencyMs: 50 },
      { from: 'frontend', to: 'user-service', rps: 2.5, errorRatio: 0, latencyMs: 12 },
      // 3 4xx of 243 calls are the caller's own mistakes, not the callee failing.
      { from: 'order-service', to: 'payment-service', rps: 2.025, errorRatio: 0.2469, latencyMs: 30 },
    ]);
  });

  it('sums nodes that map to one workload, and uses the asked window when the answer names none', () => {
    const graph: XRayServiceGraph = {
      Services: [
        svc(1, 'OrderService', 'AWS::EC2::Instance', [edge(3, { ok: 90, faults: 10, meanSeconds: 0.1 })]),
        svc(2, 'order-service', 'AWS::EKS::Container', [edge(3, { ok: 100, meanSeconds: 0.05 })]),
        svc(3, 'payment-service', 'AWS::EKS::Container'),
      ],
    };
    const [only, ...rest] = edgesFromServiceGraphs({ current: graph, baseline: [], windowSeconds: 100, names: { OrderService: 'order-service' } });
    expect(rest).toEqual([]);
    expect(only).toEqual({ from: 'order-service', to: 'payment-service', rps: 2, errorRatio: 0.05, latencyMs: 75 });
    expect(() => edgesFromServiceGraphs({ current: graph, baseline: [], windowSeconds: 0 })).toThrow(/positive length/);
  });

  it('takes the best baseline slice with enough calls, so a fault that began in the baseline does not become its own baseline', () => {
    const faulted = shop({ payFaults: 120, payMeanSeconds: 0.4 });
    const clean = shop({ start: T0 - 1200_000, seconds: 600 });
    const halfFaulted = shop({ start: T0 - 600_000, seconds: 600, payFaults: 60, payMeanSeconds: 0.2 });
    const pay = (baseline: XRayServiceGraph[]) =>
      edgesFromServiceGraphs({ current: faulted, baseline, windowSeconds: 120 }).find((e) => e.to === 'payment-service');
    expect(pay([clean, halfFaulted])).toMatchObject({ errorRatio: 0.4938, baselineErrorRatio: 0, latencyMs: 400, baselineLatencyMs: 30 });
    // A slice with a handful of sampled calls says little: with no steady slice, the slices are pooled.
    const quiet = (faults: number, ok: number, seconds: number): XRayServiceGraph => ({
      Services: [svc(3, 'order-service', 'AWS::EKS::Container', [edge(4, { ok, faults, meanSeconds: seconds })]), svc(4, 'payment-service', 'remote')],
    });
    expect(pay([quiet(0, 2, 0.001), halfFaulted])).toMatchObject({ baselineErrorRatio: 0.2469, baselineLatencyMs: 200 });
    expect(pay([quiet(0, 2, 0.02), quiet(1, 3, 0.04)])).toMatchObject({ baselineErrorRatio: 0.1667, baselineLatencyMs: 33.33 });
    // No calls on the edge in the baseline window: no baseline (no latency signal; errors against zero).
    const noBaseline = pay([]);
    expect(noBaseline).not.toHaveProperty('baselineErrorRatio');
    expect(noBaseline).not.toHaveProperty('baselineLatencyMs');
  });

  it('explains a caller’s errors by a failing callee two hops down, and not a latency rise that came with them', () => {
    const baseline = [shop({ start: T0 - 1800_000, seconds: 600 }), shop({ start: T0 - 1200_000, seconds: 600 }), shop({ start: T0 - 600_000, seconds: 600 })];
    const evidence = edgesFromServiceGraphs({ current: shop({ payFaults: 80 }), baseline, windowSeconds: 120 });
    const targets = new Set(['payment-service']);
    const errors = symptomOf({ type: 'AnomalyDetected', signals: ['error_rate'], message: '' });
    const slow = symptomOf({ type: 'AnomalyDetected', signals: ['latency_p95'], message: '' });
    expect(explains('frontend', errors, targets, evidence)).toBe('explained');
    expect(explains('order-service', errors, targets, evidence)).toBe('explained');
    expect(explains('frontend', slow, targets, evidence)).toBe('unexplained');
    // The same symptom against a healthy window: not explained by the callee.
    const healthy = edgesFromServiceGraphs({ current: shop(), baseline, windowSeconds: 120 });
    expect(explains('frontend', errors, targets, healthy)).toBe('unexplained');
  });

  it('caps the evidence at 2000 edges and the graph per caller', () => {
    const services: XRayService[] = [svc(0, 'caller-0', 'AWS::EKS::Container', [])];
    for (let i = 1; i <= 2100; i++) {
      services.push(svc(i, `callee-${String(i).padStart(4, '0')}`, 'AWS::EKS::Container'));
      services[0].Edges!.push(edge(i, { ok: 10, meanSeconds: 0.01 }));
    }
    const graph: XRayServiceGraph = { Services: services };
    expect(edgesFromServiceGraphs({ current: graph, baseline: [], windowSeconds: 60 })).toHaveLength(2000);
    expect(graphFromServiceGraphs([graph])['caller-0']).toHaveLength(200);
  });

  it('reads the short window ending before now, and the baseline in slices just before it', () => {
    const now = new Date('2025-06-02T10:30:00Z');
    const { current, baseline } = xrayWindows(now);
    expect(current).toEqual({ start: new Date('2025-06-02T10:27:30Z'), end: new Date('2025-06-02T10:29:30Z') });
    expect(baseline.map((w) => [w.start.toISOString(), w.end.toISOString()])).toEqual([
      ['2025-06-02T09:57:30.000Z', '2025-06-02T10:07:30.000Z'],
      ['2025-06-02T10:07:30.000Z', '2025-06-02T10:17:30.000Z'],
      ['2025-06-02T10:17:30.000Z', '2025-06-02T10:27:30.000Z'],
    ]);
    expect(() => xrayWindows(now, { baselineSlices: 0 })).toThrow(/invalid/);
  });

  it('stores the evidence stamped with the end of its window, and the call graph when asked', async () => {
    const stored: [string, MeshEvidence][] = [];
    const graphs: [string, string, DependencyGraph][] = [];
    const store: MeshEvidenceStore = { put: async (c, e) => void stored.push([c, e]), get: async () => undefined };
    const graphStore: DependencyGraphStore = { put: async (c, s, g) => void graphs.push([c, s, g]), get: async () => undefined };
    const asked: string[] = [];
    const now = new Date('2025-06-02T10:30:00Z');
    const read = async (w: { start: Date; end: Date }) => {
      asked.push(`${w.start.toISOString()}/${w.end.toISOString()}`);
      return w.end.getTime() === now.getTime() - 30_000 ? shop({ payFaults: 80, start: w.start.getTime() }) : shop({ start: w.start.getTime(), seconds: 600 });
    };
    const evidence = await refreshXRayEvidence({ cluster: 'prod', read, store, graphs: graphStore, now });
    expect(asked).toHaveLength(4);
    expect(asked[0]).toBe('2025-06-02T10:27:30.000Z/2025-06-02T10:29:30.000Z');
    expect(evidence.at).toBe('2025-06-02T10:29:30.000Z');
    expect(stored).toEqual([['prod', evidence]]);
    expect(evidence.edges.find((e) => e.to === 'payment-service')).toMatchObject({ errorRatio: 0.3292, baselineErrorRatio: 0 });
    expect(graphs).toEqual([['prod', 'mesh', { frontend: ['order-service', 'user-service'], 'order-service': ['payment-service'] }]]);

    // A window without calls between workloads stores nothing (the last evidence ages out instead).
    stored.length = 0;
    const empty = await refreshXRayEvidence({ cluster: 'prod', read: async () => ({ Services: [] }), store, now });
    expect(empty.edges).toEqual([]);
    expect(stored).toEqual([]);
  });
});
