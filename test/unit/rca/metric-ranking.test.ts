import { describe, expect, it } from 'vitest';
import { analyze } from '../../../functions/core/rca/analyzers/index.ts';
import { metricRanking } from '../../../functions/core/rca/metric-ranking.ts';
import { buildReport } from '../../../functions/core/rca/report.ts';
import type { SeriesInput } from '../../../functions/core/rca/metric-evidence.ts';
import { evidence } from '../../support/rca-evidence.ts';

const AT = new Date('2026-12-01T12:00:00Z');
const t0 = AT.getTime() / 1000 - 15 * 60;
const edges = [
  { from: 'frontend', to: 'user-service' },
  { from: 'frontend', to: 'order-service' },
  { from: 'order-service', to: 'payment-service' },
];

/** 15 minutes at 15-s steps; from `jumpAt` (epoch s) on the value is `after`. */
function series(service: string, signal: SeriesInput['signal'], before: number, after: number, jumpAt = Infinity): SeriesInput {
  const points = Array.from({ length: 60 }, (_, i) => {
    const ts = t0 + i * 15;
    const wiggle = 1 + 0.03 * Math.sin(i * 1.7 + service.length);
    return { ts, value: (ts >= jumpAt ? after : before) * wiggle };
  });
  return { service, signal, points };
}

describe("the RCA runs fleetops rank's core on its golden signals", () => {
  it('ranks the failing dependency first when its callers show the same errors a moment later', () => {
    const onset = AT.getTime() / 1000 - 45;
    const ranking = metricRanking(
      [
        series('payment-service', 'error_rate', 0.003, 0.4, onset),
        series('order-service', 'error_rate', 0.003, 0.25, onset + 15),
        series('frontend', 'error_rate', 0.003, 0.12, onset + 15),
        series('user-service', 'error_rate', 0.003, 0.003),
        ...['payment-service', 'order-service', 'frontend', 'user-service'].map((s) => series(s, 'request_rate', 20, 20)),
      ],
      edges,
      { service: 'frontend' },
      AT,
    );
    expect(ranking?.id).toBe('ranking:metrics');
    expect(ranking?.nodes[0].node).toBe('payment-service');
    // A healthy sibling of the caller scores far below the failing path.
    expect(ranking?.nodes.find((n) => n.node === 'user-service')?.score ?? 0).toBeLessThan(0.3);
  });

  it('says nothing when no series moved, or there are too few points', () => {
    expect(
      metricRanking(
        ['frontend', 'order-service'].map((s) => series(s, 'latency_p95', 0.05, 0.05)),
        edges,
        { service: 'frontend' },
        AT,
      ),
    ).toBeUndefined();
    expect(metricRanking([{ service: 'frontend', signal: 'cpu_usage', points: [{ ts: t0, value: 1 }] }], edges, { service: 'frontend' }, AT)).toBeUndefined();
  });

  it("breaks a tie between two findings of equal strength in the ranking's favour, and cites it", () => {
    const build = (top: string, other: string) => {
      const e = evidence('frontend');
      e.graph = { id: 'graph:dependencies', sources: ['istio'], edges };
      for (const s of ['user-service', 'payment-service'])
        e.metrics.push({ id: `metric:${s}/error_rate`, service: s, signal: 'error_rate', current: 0.3, baseline: 0.003, source: 'prometheus' });
      e.metricRanking = {
        id: 'ranking:metrics',
        split: 0,
        nodes: [
          { node: top, score: 1 },
          { node: other, score: 0.4 },
        ],
      };
      return buildReport(e, analyze(e)).rootCauses[0];
    };
    expect(build('user-service', 'payment-service')).toMatchObject({
      resource: 'deployment/user-service',
      evidence: expect.arrayContaining(['ranking:metrics']),
    });
    expect(build('payment-service', 'user-service')).toMatchObject({
      resource: 'deployment/payment-service',
      evidence: expect.arrayContaining(['ranking:metrics']),
    });
  });
});
