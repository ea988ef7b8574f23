// The simulator's call-graph model: faults travel up from callees to callers, attenuated; retries add load downstream.
import { describe, expect, it } from 'vitest';
import { propagate, SHOP_CALL_GRAPH, type OwnService } from '../../../sim/mesh.ts';

const healthy = (): OwnService[] => [
  { name: 'frontend', rps: 80, errorRatio: 0.003, medianLatency: 0.02, unavailable: false },
  { name: 'user-service', rps: 45, errorRatio: 0.003, medianLatency: 0.025, unavailable: false },
  { name: 'order-service', rps: 30, errorRatio: 0.003, medianLatency: 0.03, unavailable: false },
  { name: 'payment-service', rps: 18, errorRatio: 0.003, medianLatency: 0.09, unavailable: false },
];
const with_ = (name: string, patch: Partial<OwnService>) => healthy().map((s) => (s.name === name ? { ...s, ...patch } : s));
const svc = (r: ReturnType<typeof propagate>, name: string) => r.services.find((s) => s.name === name)!;
const edge = (r: ReturnType<typeof propagate>, from: string, to: string) => r.edges.find((e) => e.from === from && e.to === to)!;

describe('mesh propagation', () => {
  it('healthy: callee load ≈ its nominal load from the callers, latency adds along the path', () => {
    const r = propagate(healthy());
    expect(r.edges.map((e) => `${e.from}->${e.to}`).sort()).toEqual(SHOP_CALL_GRAPH.map((e) => `${e.from}->${e.to}`).sort());
    expect(svc(r, 'user-service').rps).toBeCloseTo(45, 0);
    expect(svc(r, 'payment-service').rps).toBeCloseTo(18, 0);
    expect(svc(r, 'order-service').medianLatency).toBeCloseTo(0.03 + 0.6 * 0.09, 2);
    expect(svc(r, 'frontend').medianLatency).toBeGreaterThan(svc(r, 'order-service').medianLatency * 0.375);
    for (const s of r.services) expect(s.errorRatio).toBeLessThan(0.02);
  });

  it('error-burst on payment-service: order-service and frontend errors rise, attenuated along the path', () => {
    const r = propagate(with_('payment-service', { errorRatio: 0.4 }));
    const pay = svc(r, 'payment-service').errorRatio;
    const order = svc(r, 'order-service').errorRatio;
    const front = svc(r, 'frontend').errorRatio;
    expect(pay).toBeCloseTo(0.4, 5);
    // one retry: 0.4² = 0.16 of the 60 % of orders that pay
    expect(order).toBeGreaterThan(0.08);
    expect(order).toBeLessThan(pay);
    expect(front).toBeGreaterThan(0.02);
    expect(front).toBeLessThan(order);
    expect(svc(r, 'user-service').errorRatio).toBeCloseTo(0.003, 5);
    // retries: payment-service gets 40 % more attempts from order-service
    expect(edge(r, 'order-service', 'payment-service').rps).toBeCloseTo(30 * 0.6 * 1.4, 1);
    expect(edge(r, 'order-service', 'payment-service').errorRatio).toBeCloseTo(0.4, 5);
  });

  it('latency-spike on payment-service: callers slow down; past the timeout attempts fail as 504', () => {
    const slow = propagate(with_('payment-service', { medianLatency: 1.8 }));
    expect(svc(slow, 'order-service').medianLatency).toBeGreaterThan(1);
    expect(svc(slow, 'frontend').medianLatency).toBeGreaterThan(0.3);
    const e = edge(slow, 'order-service', 'payment-service');
    expect(e.timeoutRatio).toBeGreaterThan(0.05);
    expect(e.timeoutRatio).toBeLessThan(0.3);
    expect(svc(slow, 'order-service').errorRatio).toBeGreaterThan(0.003);
  });

  it('a callee without ready pods fails every call (503) and a fallback halves what the caller shows', () => {
    const r = propagate(with_('user-service', { unavailable: true }));
    const e = edge(r, 'frontend', 'user-service');
    expect(e.unavailable).toBe(true);
    expect(e.errorRatio).toBe(1);
    // 55 % of frontend requests call it, every attempt fails, half are absorbed by the fallback
    expect(svc(r, 'frontend').errorRatio).toBeCloseTo(1 - (1 - 0.003) * (1 - 0.55 * 0.5), 2);
    expect(e.rps).toBeCloseTo(80 * 0.55 * 3, 1);
  });

  it('a caller that is down sends nothing downstream', () => {
    const r = propagate(with_('frontend', { unavailable: true }));
    expect(edge(r, 'frontend', 'order-service').rps).toBe(0);
    expect(svc(r, 'order-service').rps).toBeLessThan(1);
  });
});
