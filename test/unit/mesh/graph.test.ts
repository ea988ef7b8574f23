import { describe, expect, it } from 'vitest';
import { downstreamOf, graphFromMeshRows, meshEdgesQuery, mergeGraphs, upstreamOf } from '../../../functions/core/mesh/graph.ts';
import { findCorrelatedIncident, DEFAULT_GROUPING_CONFIG } from '../../../functions/core/alerts/grouping.ts';
import type { Incident } from '../../../functions/core/alerts/types.ts';

const SHOP = { frontend: ['order-service', 'user-service'], 'order-service': ['payment-service'] };
const row = (from: string, to: string, value = 1, fromNs = 'shop') => ({
  metric: { source_workload: from, source_workload_namespace: fromNs, destination_workload: to, destination_workload_namespace: 'shop' },
  value,
});

describe('mesh dependency graph', () => {
  it('builds the PromQL edge query with escaped matchers and a checked window', () => {
    const q = meshEdgesQuery({ window: '10m', namespaces: ['shop', 'pay'], matchers: { cluster: 'dev"x' } });
    expect(q).toBe(
      'sum by (source_workload, source_workload_namespace, destination_workload, destination_workload_namespace) (rate(istio_requests_total{reporter="source",destination_workload_namespace=~"shop|pay",cluster="dev\\"x"}[10m])) > 0',
    );
    expect(() => meshEdgesQuery({ window: '10m]) or vector(1', namespaces: ['shop'] })).toThrow(/window/);
    expect(() => meshEdgesQuery({ window: '5m', namespaces: ['bad"ns'] })).toThrow(/namespace/);
  });

  it('turns query rows into caller → callees, leaving out the ingress, unknown peers, other namespaces and idle edges', () => {
    const g = graphFromMeshRows(
      [
        row('frontend', 'user-service'),
        row('frontend', 'order-service'),
        row('order-service', 'payment-service'),
        row('istio-ingressgateway', 'frontend', 5, 'istio-system'),
        row('unknown', 'frontend'),
        row('order-service', 'ledger', 0),
      ],
      ['shop'],
    );
    expect(g).toEqual(SHOP);
  });

  it('reachability down and up the graph; merge of sources', () => {
    expect([...downstreamOf('frontend', SHOP)].sort()).toEqual(['order-service', 'payment-service', 'user-service']);
    expect([...upstreamOf('payment-service', SHOP)].sort()).toEqual(['frontend', 'order-service']);
    expect(mergeGraphs([{ a: ['b'] }, { a: ['c', 'b'], c: ['d'] }])).toEqual({ a: ['b', 'c'], c: ['d'] });
  });
});

describe('propagation-aware correlation', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const incident = (service: string, services = [service]): Incident => ({
    id: `i-${service}`,
    cluster: 'dev',
    namespace: 'shop',
    service,
    services,
    type: 'AnomalyDetected',
    severity: 'high',
    status: 'open',
    alertCount: 1,
    firstSeen: now.toISOString(),
    lastSeen: now.toISOString(),
  });
  const config = { ...DEFAULT_GROUPING_CONFIG, dependencies: SHOP };
  const find = (service: string, open: Incident[]) =>
    findCorrelatedIncident({ cluster: 'dev', service, type: 'AnomalyDetected', message: 'x' }, open, now, config)?.id;

  it('a caller two hops up joins the failing dependency incident', () => {
    expect(find('frontend', [incident('payment-service')])).toBe('i-payment-service');
    expect(find('order-service', [incident('payment-service')])).toBe('i-payment-service');
  });
  it('a dependency failing after its callers joins their incident', () => {
    expect(find('payment-service', [incident('frontend')])).toBe('i-frontend');
  });
  it('siblings do not join each other, nor does anything on another cluster', () => {
    expect(find('user-service', [incident('payment-service')])).toBeUndefined();
    expect(
      findCorrelatedIncident({ cluster: 'prod', service: 'frontend', type: 'x', message: 'x' }, [incident('payment-service')], now, config),
    ).toBeUndefined();
  });
  it('prefers the dependency over the caller when both are open', () => {
    expect(find('order-service', [incident('frontend'), incident('payment-service')])).toBe('i-payment-service');
  });
});

describe('propagation-aware correlation across joined incidents', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const config = { ...DEFAULT_GROUPING_CONFIG, dependencies: SHOP };
  it("a caller that joined a dependency's incident does not pull its other callees into it", () => {
    const joined: Incident = {
      id: 'i-pay',
      cluster: 'dev',
      namespace: 'shop',
      service: 'payment-service',
      services: ['payment-service', 'order-service', 'frontend'],
      type: 'x',
      severity: 'high',
      status: 'open',
      alertCount: 3,
      firstSeen: now.toISOString(),
      lastSeen: now.toISOString(),
    };
    expect(findCorrelatedIncident({ cluster: 'dev', service: 'user-service', type: 'x', message: 'x' }, [joined], now, config)).toBeUndefined();
  });
});
