/**
 * RCA evidence from metrics: golden signals with their baseline (Prometheus history when the
 * cluster has one, live values otherwise), the anomaly records around the incident, and the
 * dependency graph (Istio's standard mesh metrics, plus configured dependencies).
 */
import type { MetricSource } from '../../core/metrics/types.ts';
import type { AnomalyRecord } from '../../core/pull/records.ts';
import type {
  AnomalyEvidence,
  EdgeMetricEvidence,
  GraphEdge,
  GraphEvidence,
  MetricEvidence,
  MetricRankingEvidence,
  RcaTarget,
} from '../../core/rca/evidence.ts';
import { metricRanking, type EdgeSeriesInput } from '../../core/rca/metric-ranking.ts';
import type { Change } from '../../core/rca/rank.ts';
import { seriesEvidence } from '../../core/rca/metric-evidence.ts';
import type { PrometheusClient } from '../prometheus/prometheus-client.ts';

const HISTORY_SECONDS = 15 * 60;

/** The golden signals as evidence and, with the graph, ranked by the offline ranker's core. */
export async function collectSignals(
  source: MetricSource,
  target: RcaTarget,
  now: Date,
  edges: GraphEdge[] = [],
  context: { changes?: Change[]; edgeSeries?: EdgeSeriesInput[] } = {},
): Promise<{ metrics: MetricEvidence[]; metricRanking?: MetricRankingEvidence; edgeMetrics?: EdgeMetricEvidence[] }> {
  const at = new Date(Math.min(Date.parse(target.at), now.getTime()));
  const ranges = await source
    .rangeSignals({ namespace: target.namespace }, { start: now.getTime() - HISTORY_SECONDS * 1000, end: now.getTime(), stepSeconds: 5 })
    .catch(() => []);
  const ranking = metricRanking(ranges, edges, target, at, context);
  const metrics: MetricEvidence[] = [];
  for (const r of ranges) {
    const e = seriesEvidence({ service: r.service, signal: r.signal, points: r.points }, at);
    if (e) metrics.push(e);
  }
  if (!metrics.length) {
    for (const s of await source.currentSignals({ namespace: target.namespace })) {
      for (const [signal, value] of Object.entries(s.features)) {
        if (value === null) continue;
        metrics.push({ id: `metric:${s.service}/${signal}`, service: s.service, signal: signal as MetricEvidence['signal'], current: value, source: s.source });
      }
    }
  }
  const edgeMetrics: EdgeMetricEvidence[] = [];
  for (const e of context.edgeSeries ?? []) {
    if (e.metric === 'requests') continue;
    const s = seriesEvidence({ service: e.to, signal: 'error_rate', points: e.points }, at);
    // current: the latest point (a failure that ended a minute ago is history, not a cause)
    if (s)
      edgeMetrics.push({
        id: `edge:${e.from}>${e.to}/${e.metric}`,
        from: e.from,
        to: e.to,
        metric: e.metric,
        current: e.points[e.points.length - 1]?.value ?? null,
        ...(s.baseline !== undefined ? { baseline: s.baseline } : {}),
        ...(s.changedAt ? { changedAt: s.changedAt } : {}),
      });
  }
  return { metrics, ...(ranking ? { metricRanking: ranking } : {}), ...(edgeMetrics.length ? { edgeMetrics: edgeMetrics.slice(0, 100) } : {}) };
}

/** Anomaly records from 30 minutes before the symptoms to 5 minutes after. */
export function anomalyEvidence(records: AnomalyRecord[], target: RcaTarget): AnomalyEvidence[] {
  const at = Date.parse(target.at);
  return records
    .filter((r) => r.namespace === target.namespace && r.status === 'anomaly')
    .filter((r) => {
      const t = Date.parse(r.at);
      return t >= at - 30 * 60_000 && t <= at + 5 * 60_000;
    })
    .slice(0, 20)
    .map((r, i) => ({ id: `anomaly:${r.service}/${i + 1}`, service: r.service, at: r.at, score: r.score, severity: r.severity, features: { ...r.features } }));
}

const LABEL_VALUE = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Per-edge series as the caller's proxy sees them (Istio `reporter="source"`): `requests` (/s), `errors` (share
 * of 5xx, timeouts included) and `latency.p99` (ms), over the last `seconds` at `stepSeconds`. A callee whose
 * calls fail at its callers shows here even when its own metrics are flat.
 */
export async function meshEdgeSeries(
  client: PrometheusClient,
  namespace: string,
  matchers: Record<string, string> = {},
  now = new Date(),
  seconds = HISTORY_SECONDS,
  stepSeconds = 15,
  rateWindow = '1m',
): Promise<EdgeSeriesInput[]> {
  if (!/^\d+[smh]$/.test(rateWindow)) rateWindow = '1m';
  if (!LABEL_VALUE.test(namespace)) return [];
  const extra = Object.entries(matchers)
    .filter(([k, v]) => /^[a-zA-Z_]\w*$/.test(k) && LABEL_VALUE.test(v))
    .map(([k, v]) => `,${k}="${v}"`)
    .join('');
  const sel = `reporter="source",destination_workload_namespace="${namespace}"${extra}`;
  const by = 'source_workload, destination_workload';
  const range = { start: now.getTime() - seconds * 1000, end: now.getTime(), stepSeconds };
  const queries: [string, string][] = [
    ['requests', `sum by (${by}) (rate(istio_requests_total{${sel}}[${rateWindow}]))`],
    [
      'errors',
      `sum by (${by}) (rate(istio_requests_total{${sel},response_code=~"5.."}[${rateWindow}])) / sum by (${by}) (rate(istio_requests_total{${sel}}[${rateWindow}]))`,
    ],
    ['latency.p99', `histogram_quantile(0.99, sum by (le, ${by}) (rate(istio_request_duration_milliseconds_bucket{${sel}}[${rateWindow}])))`],
  ];
  const out: EdgeSeriesInput[] = [];
  const results = await Promise.all(queries.map(([, q]) => client.queryRange(q, range)));
  results.forEach((r, i) => {
    if (r.data.resultType !== 'matrix') return;
    for (const m of r.data.result) {
      const from = m.metric.source_workload;
      const to = m.metric.destination_workload;
      if (!from || !to || from === 'unknown' || from === to) continue;
      const points = m.points.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.ts));
      if (points.length) out.push({ from, to, metric: queries[i][0], points });
    }
  });
  return out;
}

/** Caller → callee edges from `istio_requests_total`, with each edge's 5xx ratio. */
export async function meshEdges(client: PrometheusClient, namespace: string, matchers: Record<string, string> = {}): Promise<GraphEdge[]> {
  if (!LABEL_VALUE.test(namespace)) return [];
  const extra = Object.entries(matchers)
    .filter(([k, v]) => /^[a-zA-Z_]\w*$/.test(k) && LABEL_VALUE.test(v))
    .map(([k, v]) => `,${k}="${v}"`)
    .join('');
  const selector = `destination_workload_namespace="${namespace}"${extra}`;
  const [all, errors] = await Promise.all([
    client.query(`sum by (source_workload, destination_workload) (increase(istio_requests_total{${selector}}[5m]))`),
    client.query(`sum by (source_workload, destination_workload) (increase(istio_requests_total{${selector},response_code=~"5.."}[5m]))`),
  ]);
  // the client parses samples: `value` is a number (an older [ts, "v"] pair is read too)
  const vector = (r: { data: unknown }) => (r.data as { result?: { metric: Record<string, string>; value: number | [number, string] }[] }).result ?? [];
  const num = (v: number | [number, string]): number => (Array.isArray(v) ? Number(v[1]) : v);
  const errorsOf = new Map(vector(errors).map((s) => [`${s.metric.source_workload}>${s.metric.destination_workload}`, num(s.value)] as const));
  return vector(all)
    .filter((s) => s.metric.source_workload && s.metric.destination_workload && s.metric.source_workload !== 'unknown')
    .map((s) => {
      const total = num(s.value);
      const bad = errorsOf.get(`${s.metric.source_workload}>${s.metric.destination_workload}`) ?? 0;
      return { from: s.metric.source_workload, to: s.metric.destination_workload, ...(total > 0 ? { errorRate: bad / total } : {}) };
    });
}

export function graphEvidence(parts: { source: string; edges: GraphEdge[] }[]): GraphEvidence | undefined {
  const edges = new Map<string, GraphEdge>();
  const sources: string[] = [];
  for (const part of parts) {
    if (!part.edges.length) continue;
    sources.push(part.source);
    for (const e of part.edges) {
      const key = `${e.from}>${e.to}`;
      edges.set(key, { ...edges.get(key), ...e });
    }
  }
  return edges.size ? { id: 'graph:dependencies', edges: [...edges.values()], sources } : undefined;
}

/** `{"frontend":["user-service"]}` → edges. */
export function configuredEdges(dependencies: Record<string, string[]> | undefined): GraphEdge[] {
  return Object.entries(dependencies ?? {}).flatMap(([from, tos]) => tos.map((to) => ({ from, to })));
}
