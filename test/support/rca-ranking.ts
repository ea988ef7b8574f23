import type { GraphEdge } from '../../functions/core/rca/evidence.ts';
import type { SeriesInput } from '../../functions/core/rca/metric-evidence.ts';

/**
 * Golden signals of two callees failing alike: user-service and order-service (both called by frontend) start failing
 * together at `onset`, 45 s before `at`, and frontend 15 s later. Only a change on one of them tells them apart.
 */
export function twoCalleesFailingAlike(): { at: Date; onset: number; series: SeriesInput[]; edges: GraphEdge[] } {
  const at = new Date('2026-12-01T12:00:00Z');
  const t0 = at.getTime() / 1000 - 15 * 60;
  const onset = at.getTime() / 1000 - 45;
  const series = (service: string, signal: 'error_rate' | 'request_rate', before: number, after: number, jumpAt = Infinity) => ({
    service,
    signal,
    points: Array.from({ length: 60 }, (_, i) => ({ ts: t0 + i * 15, value: (t0 + i * 15 >= jumpAt ? after : before) * (1 + 0.03 * Math.sin(i * 1.7)) })),
  });
  return {
    at,
    onset,
    series: [
      series('user-service', 'error_rate', 0.003, 0.3, onset),
      series('order-service', 'error_rate', 0.003, 0.3, onset),
      series('frontend', 'error_rate', 0.003, 0.15, onset + 15),
      ...['user-service', 'order-service', 'frontend'].map((s) => series(s, 'request_rate', 20, 20)),
    ],
    edges: [
      { from: 'frontend', to: 'user-service' },
      { from: 'frontend', to: 'order-service' },
    ],
  };
}
