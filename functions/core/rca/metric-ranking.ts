/**
 * The offline ranker's core (`rank.ts`, what `fleetops rank` runs) on an RCA's golden-signal series, the mesh's
 * per-edge series (as the callers see their calls) and the change timeline (rollouts): robust per-series
 * evidence, traffic weighting, graph position, time precedence and changes give each service a probability,
 * which the report's ranking adds to its findings' evidence.
 */
import type { GraphEdge, MetricRankingEvidence } from './evidence.ts';
import type { SeriesInput } from './metric-evidence.ts';
import { analyzeSeries, type Change } from './rank.ts';

/** One caller -> callee series as the caller sees its calls (`requests`, `errors`, `latency.p99`). */
export interface EdgeSeriesInput {
  from: string;
  to: string;
  metric: string;
  points: { ts: number; value: number }[];
}

export const METRIC_RANKING_ID = 'ranking:metrics';
/** Symptoms are seen about one pull after they start: the incident window begins this long before `at`. */
const DETECTION_LAG_SECONDS = 60;
const MAX_NODES = 5;

export function metricRanking(
  series: SeriesInput[],
  edges: GraphEdge[],
  target: { service: string },
  at: Date,
  context: { changes?: Change[]; edgeSeries?: EdgeSeriesInput[] } = {},
): MetricRankingEvidence | undefined {
  const usable = series.filter((s) => s.points.length >= 4);
  if (!usable.length) return undefined;
  const split = Math.floor(at.getTime() / 1000) - DETECTION_LAG_SECONDS;
  const { ranking } = analyzeSeries({
    edges: edges.map(({ from, to }) => ({ from, to })),
    series: usable.map((s) => ({ node: s.service, metric: s.signal, ts: s.points.map((p) => p.ts), value: s.points.map((p) => p.value) })),
    split,
    target: target.service,
    changes: context.changes,
    edgeSeries: (context.edgeSeries ?? [])
      .filter((s) => s.points.length >= 4)
      .map((s) => ({ from: s.from, to: s.to, metric: s.metric, ts: s.points.map((p) => p.ts), value: s.points.map((p) => p.value) })),
  });
  if (!ranking.length) return undefined;
  return { id: METRIC_RANKING_ID, split, nodes: ranking.slice(0, MAX_NODES).map((r) => ({ node: r.node, score: r.score })) };
}
