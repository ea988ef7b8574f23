import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { headroom, healthScore01, healthScore100, readyFraction } from '../../../functions/core/fleet/health.ts';
import { fleetOverview, weightedErrorRate } from '../../../functions/core/fleet/overview.ts';
import type { ClusterHealthInput } from '../../../functions/core/fleet/overview.ts';
import { compareServiceAcrossClusters } from '../../../functions/core/fleet/compare.ts';
import type { GoldenSignals } from '../../../functions/core/metrics/types.ts';

const cluster = (over: Partial<ClusterHealthInput> & { clusterId: string }): ClusterHealthInput => ({
  name: over.clusterId,
  environment: 'prod',
  readyNodes: 3,
  totalNodes: 3,
  cpuUtilisation: 0.2,
  memoryUtilisation: 0.5,
  errorRate: 0.001,
  requestRate: 100,
  ...over,
});
const now = new Date('2026-11-27T12:00:00.000Z');

describe('health score', () => {
  it('is readyFraction × cpu headroom × memory headroom', () => {
    expect(healthScore01({ readyNodes: 3, totalNodes: 4, cpuUtilisation: 0.2, memoryUtilisation: 0.5 })).toBeCloseTo(0.75 * 0.8 * 0.5, 12);
    expect(healthScore100({ readyNodes: 3, totalNodes: 4, cpuUtilisation: 0.2, memoryUtilisation: 0.5 })).toBe(30);
    expect(healthScore100({ readyNodes: 5, totalNodes: 5, cpuUtilisation: 0, memoryUtilisation: 0 })).toBe(100);
  });

  it('clamps headroom to [0, 1] and treats unknown utilisation as no penalty', () => {
    expect(headroom(1.3)).toBe(0);
    expect(headroom(-0.2)).toBe(1);
    expect(headroom(null)).toBe(1);
    expect(headroom(Number.NaN)).toBe(1);
  });

  it('scores 0 without nodes', () => {
    expect(readyFraction(0, 0)).toBe(0);
    expect(healthScore01({ readyNodes: 0, totalNodes: 0, cpuUtilisation: 0, memoryUtilisation: 0 })).toBe(0);
  });

  it('always lies in [0, 1]', () => {
    fc.assert(
      fc.property(fc.nat(50), fc.nat(50), fc.double({ min: -2, max: 3, noNaN: true }), fc.double({ min: -2, max: 3, noNaN: true }), (r, t, cpu, mem) => {
        const s = healthScore01({ readyNodes: r, totalNodes: t, cpuUtilisation: cpu, memoryUtilisation: mem });
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('fleet overview', () => {
  it('has the contract shape', () => {
    const o = fleetOverview([cluster({ clusterId: 'a' }), cluster({ clusterId: 'b', name: 'B', environment: 'dev' })], { now });
    expect(o.generatedAt).toBe('2026-11-27T12:00:00.000Z');
    expect(o.fleet).toEqual({ clusters: 2, avgErrorRate: 0.001, avgHealthScore: 40 });
    expect(o.clusters[1]).toEqual({
      clusterId: 'b',
      name: 'B',
      environment: 'dev',
      healthScore: 40,
      readyNodes: 3,
      totalNodes: 3,
      cpuUtilisation: 0.2,
      memoryUtilisation: 0.5,
      errorRate: 0.001,
      errorRateVsFleet: 1,
      flagged: false,
      reasons: [],
    });
  });

  it('compares with the request-weighted average of the other clusters and flags at ≥ 2×', () => {
    const o = fleetOverview(
      [
        cluster({ clusterId: 'bad', errorRate: 0.05, requestRate: 100 }),
        cluster({ clusterId: 'b', errorRate: 0.01, requestRate: 300 }),
        cluster({ clusterId: 'c', errorRate: 0.02, requestRate: 100 }),
      ],
      { now },
    );
    const [bad, b, c] = o.clusters;
    // others of "bad": (0.01·300 + 0.02·100) / 400 = 0.0125 → 4×
    expect(bad.errorRateVsFleet).toBe(4);
    expect(bad.flagged).toBe(true);
    expect(bad.reasons.join()).toMatch(/error rate 5% is 4× the rest of the fleet \(1\.25%\)/);
    expect(b.flagged).toBe(false);
    // others of "c": (0.05·100 + 0.01·300) / 400 = 0.02 → 1×
    expect(c.errorRateVsFleet).toBe(1);
    expect(o.fleet.avgErrorRate).toBeCloseTo((0.05 * 100 + 0.01 * 300 + 0.02 * 100) / 500, 9);
  });

  it('flags exactly at the 2× boundary but not just below it', () => {
    const at = fleetOverview([cluster({ clusterId: 'a', errorRate: 0.02 }), cluster({ clusterId: 'b', errorRate: 0.01 })], { now });
    expect(at.clusters[0].flagged).toBe(true);
    const below = fleetOverview([cluster({ clusterId: 'a', errorRate: 0.0199 }), cluster({ clusterId: 'b', errorRate: 0.01 })], { now });
    expect(below.clusters[0].flagged).toBe(false);
  });

  it('does not flag tiny error rates even at a large ratio (absolute floor)', () => {
    const o = fleetOverview([cluster({ clusterId: 'a', errorRate: 0.0001 }), cluster({ clusterId: 'b', errorRate: 0.00005 })], { now });
    expect(o.clusters[0].errorRateVsFleet).toBe(2);
    expect(o.clusters[0].flagged).toBe(false);
  });

  it('flags an erroring cluster when the others have no errors (ratio undefined → null)', () => {
    const o = fleetOverview(
      [cluster({ clusterId: 'a', errorRate: 0.03 }), cluster({ clusterId: 'b', errorRate: 0 }), cluster({ clusterId: 'c', errorRate: 0 })],
      { now },
    );
    expect(o.clusters[0].errorRateVsFleet).toBeNull();
    expect(o.clusters[0].flagged).toBe(true);
    expect(o.clusters[0].reasons).toContain('error rate 3% while the rest of the fleet has none');
    expect(o.clusters[1].errorRateVsFleet).toBe(0);
  });

  it('flags not-ready nodes and hot CPU / memory, reports unknowns without flagging', () => {
    const o = fleetOverview(
      [
        cluster({ clusterId: 'nodes', readyNodes: 2, totalNodes: 3 }),
        cluster({ clusterId: 'hot', cpuUtilisation: 0.95 }),
        cluster({ clusterId: 'empty', readyNodes: 0, totalNodes: 0 }),
        cluster({ clusterId: 'blind', cpuUtilisation: null, memoryUtilisation: null, errorRate: null, requestRate: null }),
      ],
      { now },
    );
    expect(o.clusters[0]).toMatchObject({ flagged: true, reasons: ['2/3 nodes ready'] });
    expect(o.clusters[0].healthScore).toBeCloseTo((2 / 3) * 0.8 * 0.5 * 100, 1);
    expect(o.clusters[1]).toMatchObject({ flagged: true, reasons: ['CPU utilisation 95% ≥ 90%'] });
    expect(o.clusters[2]).toMatchObject({ flagged: true, healthScore: 0, reasons: ['no nodes reported'] });
    expect(o.clusters[3]).toMatchObject({ flagged: false, healthScore: 100, errorRate: null, errorRateVsFleet: null });
    expect(o.clusters[3].reasons).toEqual(['CPU utilisation unknown', 'memory utilisation unknown', 'error rate unknown']);
  });

  it('a single cluster has no fleet to compare with', () => {
    const o = fleetOverview([cluster({ clusterId: 'solo', errorRate: 0.5 })], { now });
    expect(o.clusters[0].errorRateVsFleet).toBeNull();
    expect(o.clusters[0].flagged).toBe(false);
    expect(o.fleet.avgErrorRate).toBe(0.5);
  });

  it('an empty fleet yields nulls, not NaN', () => {
    expect(fleetOverview([], { now }).fleet).toEqual({ clusters: 0, avgErrorRate: null, avgHealthScore: null });
  });

  it('weights equally when no cluster reports a request rate', () => {
    expect(
      weightedErrorRate([
        { errorRate: 0.1, requestRate: null },
        { errorRate: 0.3, requestRate: null },
      ]),
    ).toBeCloseTo(0.2, 12);
    expect(
      weightedErrorRate([
        { errorRate: 0.1, requestRate: 0 },
        { errorRate: 0.3, requestRate: 10 },
      ]),
    ).toBeCloseTo(0.3, 12);
    expect(weightedErrorRate([{ errorRate: null, requestRate: 10 }])).toBeNull();
  });
});

describe('cross-cluster comparison', () => {
  const sig = (over: Partial<GoldenSignals>): GoldenSignals => ({
    cpu_usage: 0.5,
    memory_usage: 256 * 1024 ** 2,
    error_rate: 0.001,
    latency_p95: 0.2,
    request_rate: 50,
    ...over,
  });

  it('flags a latency outlier among 4 clusters by robust z (classic z could not exceed 1.5)', () => {
    const r = compareServiceAcrossClusters('checkout', [
      { clusterId: 'a', signals: sig({ latency_p95: 0.2 }) },
      { clusterId: 'b', signals: sig({ latency_p95: 0.22 }) },
      { clusterId: 'c', signals: sig({ latency_p95: 0.21 }) },
      { clusterId: 'd', signals: sig({ latency_p95: 1.5 }) },
    ]);
    const lat = r.signals.find((s) => s.signal === 'latency_p95')!;
    expect(lat.method).toBe('robust-z');
    expect(lat.values.find((v) => v.clusterId === 'd')!.z!).toBeGreaterThan(2);
    expect(r.outliers).toEqual([{ clusterId: 'd', signal: 'latency_p95', value: 1.5, z: expect.any(Number), ratio: null, direction: 'high' }]);
  });

  it('does not flag small spreads among ≥ 3 clusters', () => {
    const r = compareServiceAcrossClusters('checkout', [
      { clusterId: 'a', signals: sig({ cpu_usage: 0.5 }) },
      { clusterId: 'b', signals: sig({ cpu_usage: 0.52 }) },
      { clusterId: 'c', signals: sig({ cpu_usage: 0.55 }) },
    ]);
    expect(r.outliers).toEqual([]);
  });

  it('flags a low outlier too (traffic loss), with direction', () => {
    const r = compareServiceAcrossClusters('checkout', [
      { clusterId: 'a', signals: sig({ request_rate: 50 }) },
      { clusterId: 'b', signals: sig({ request_rate: 52 }) },
      { clusterId: 'c', signals: sig({ request_rate: 49 }) },
      { clusterId: 'd', signals: sig({ request_rate: 2 }) },
    ]);
    expect(r.outliers).toMatchObject([{ clusterId: 'd', signal: 'request_rate', direction: 'low' }]);
  });

  it('uses the ratio with 2 clusters, flagging the larger at ≥ 2×', () => {
    const r = compareServiceAcrossClusters('checkout', [
      { clusterId: 'dev', signals: sig({ error_rate: 0.01 }) },
      { clusterId: 'prod', signals: sig({ error_rate: 0.04 }) },
    ]);
    const err = r.signals.find((s) => s.signal === 'error_rate')!;
    expect(err.method).toBe('ratio');
    expect(err.values).toMatchObject([
      { clusterId: 'dev', ratio: 0.25, outlier: false },
      { clusterId: 'prod', ratio: 4, outlier: true, direction: 'high' },
    ]);
    expect(r.outliers.map((o) => `${o.clusterId}:${o.signal}`)).toEqual(['prod:error_rate']);
  });

  it('respects the absolute floor for tiny values and skips nulls', () => {
    const r = compareServiceAcrossClusters('checkout', [
      { clusterId: 'dev', signals: sig({ error_rate: 0.0001, latency_p95: null }) },
      { clusterId: 'prod', signals: sig({ error_rate: 0.0004, latency_p95: 0.3 }) },
    ]);
    expect(r.outliers).toEqual([]);
    expect(r.signals.find((s) => s.signal === 'latency_p95')).toMatchObject({ method: 'none', values: [{ clusterId: 'prod', outlier: false }] });
  });

  it('flags a non-zero value against a zero (ratio undefined)', () => {
    const r = compareServiceAcrossClusters('x', [
      { clusterId: 'a', signals: sig({ error_rate: 0 }) },
      { clusterId: 'b', signals: sig({ error_rate: 0.02 }) },
    ]);
    expect(r.outliers).toMatchObject([{ clusterId: 'b', signal: 'error_rate', ratio: null }]);
  });
});
