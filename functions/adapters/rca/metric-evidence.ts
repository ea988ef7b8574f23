/**
 * RCA evidence from metrics: golden signals with their baseline (Prometheus history when the
 * cluster has one, live values otherwise), the anomaly records around the incident, and the
 * dependency graph (Istio's standard mesh metrics, plus configured dependencies).
 */
import type { MetricSource } from '../../core/metrics/types.ts';
import type { AnomalyRecord } from '../../core/pull/records.ts';
import type { AnomalyEvidence, GraphEdge, GraphEvidence, MetricEvidence, MetricRankingEvidence, RcaTarget } from '../../core/rca/evidence.ts';
import { metricRanking } from '../../core/rca/metric-ranking.ts';
import { seriesEvidence } from '../../core/rca/metric-evidence.ts';
import type { PrometheusClient } from '../prometheus/prometheus-client.ts';

const HISTORY_SECONDS = 15 * 60;

/** The golden signals as evidence and, with the graph, ranked by the offline ranker's core. */
export async function collectSignals(
  source: MetricSource,
  target: RcaTarget,
  now: Date,
  edges: GraphEdge[] = [],
): Promise<{ metrics: MetricEvidence[]; metricRanking?: MetricRankingEvidence }> {
  const at = new Date(Math.min(Date.parse(target.at), now.getTime()));
  const ranges = await source
    .rangeSignals({ namespace: target.namespace }, { start: now.getTime() - HISTORY_SECONDS * 1000, end: now.getTime(), stepSeconds: 5 })
    .catch(() => []);
  const ranking = metricRanking(ranges, edges, target, at);
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
  return { metrics, ...(ranking ? { metricRanking: ranking } : {}) };
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
  const vector = (r: { data: unknown }) => ((r.data as { result?: { metric: Record<string, string>; value: [number, string] }[] }).result ?? []);
  const errorsOf = new Map(vector(errors).map((s) => [`${s.metric.source_workload}>${s.metric.destination_workload}`, Number(s.value[1])] as const));
  return vector(all)
    .filter((s) => s.metric.source_workload && s.metric.destination_workload && s.metric.source_workload !== 'unknown')
    .map((s) => {
      const total = Number(s.value[1]);
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
