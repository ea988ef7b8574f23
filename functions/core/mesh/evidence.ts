/**
 * Per-edge evidence from the service mesh: how the calls of one caller to one callee are doing now, against
 * their own recent past. Istio's standard metrics as the caller's proxy reports them (reporter="source":
 * it also sees the 503s of a callee without ready pods and the 504s of calls it abandoned at its timeout).
 * The alert pipeline reads it to decide whether a caller's symptom is explained by a failing callee.
 */

/** One caller → callee edge, summarised. Ratios in [0, 1], latencies in milliseconds (mean per attempt). */
export interface EdgeHealth {
  from: string;
  to: string;
  /** Attempts/s over the short window. */
  rps: number;
  errorRatio: number;
  baselineErrorRatio?: number;
  latencyMs?: number;
  baselineLatencyMs?: number;
  /**
   * The lowest short-window reading over the last `sustained` span (EdgeQueryOptions): how bad the edge has been
   * all along. A caller that got through that much of it unharmed does not owe a symptom starting now to it.
   */
  sustainedErrorRatio?: number;
  sustainedLatencyMs?: number;
}

/**
 * The span of an edge's sustained reading for a pull every `pullSeconds`: three pulls, at least a minute (a caller's
 * detection notices a failing edge within a pull or two of it; each reading is a rate over its own short window too).
 */
export const sustainedEdgeSecondsFor = (pullSeconds: number): number => Math.max(60, 3 * pullSeconds);

/** The sustained span for a pull every `pullSeconds` as a PromQL range (whole minutes, rounded up). */
export const sustainedEdgeSpan = (pullSeconds: number): string => `${Math.ceil(sustainedEdgeSecondsFor(pullSeconds) / 60)}m`;

/** What one pull saw on a cluster's edges. */
export interface MeshEvidence {
  at: string;
  edges: EdgeHealth[];
}

export interface MeshEvidenceStore {
  put(cluster: string, evidence: MeshEvidence): Promise<void>;
  get(cluster: string): Promise<MeshEvidence | undefined>;
}

/** Thresholds of an abnormal edge: both a ratio over its baseline and an absolute excess (noise on quiet edges). */
export const EDGE_THRESHOLDS = {
  errorExcess: 0.02,
  errorRatio: 2,
  latencyExcessMs: 25,
  latencyRatio: 1.5,
  /** Evidence older than this says nothing (the pull stopped reading it). */
  maxAgeSeconds: 180,
} as const;

export type EdgeSignal = 'errors' | 'latency';

/** Which of the edge's signals are abnormal now: rising, and past the ratio over the baseline too. */
export function abnormalSignals(edge: EdgeHealth, t = EDGE_THRESHOLDS): Set<EdgeSignal> {
  const out = risingSignals(edge, t);
  if (edge.errorRatio < t.errorRatio * (edge.baselineErrorRatio ?? 0)) out.delete('errors');
  if (edge.latencyMs !== undefined && edge.baselineLatencyMs !== undefined && edge.latencyMs < t.latencyRatio * edge.baselineLatencyMs) out.delete('latency');
  return out;
}

/**
 * Which of the edge's abnormal signals have been abnormal throughout its sustained span and are not materially worse
 * now than at their lowest there (by half again and the absolute excess): a failure that settled in before a caller's
 * symptom started, and did not change as it did, is not what started it. Nothing without a sustained reading.
 */
export function settledSignals(edge: EdgeHealth, t = EDGE_THRESHOLDS): Set<EdgeSignal> {
  const out = new Set<EdgeSignal>();
  const now = abnormalSignals(edge, t);
  const steady = (current: number, lowest: number, baseline: number, excess: number) => {
    const [was, is] = [lowest - baseline, current - baseline];
    return !(is >= 1.5 * was && is - was >= excess);
  };
  if (now.has('errors') && edge.sustainedErrorRatio !== undefined) {
    const all = abnormalSignals({ ...edge, errorRatio: edge.sustainedErrorRatio }, t).has('errors');
    if (all && steady(edge.errorRatio, edge.sustainedErrorRatio, edge.baselineErrorRatio ?? 0, t.errorExcess)) out.add('errors');
  }
  if (now.has('latency') && edge.sustainedLatencyMs !== undefined && edge.latencyMs !== undefined && edge.baselineLatencyMs !== undefined) {
    const all = abnormalSignals({ ...edge, latencyMs: edge.sustainedLatencyMs }, t).has('latency');
    if (all && steady(edge.latencyMs, edge.sustainedLatencyMs, edge.baselineLatencyMs, t.latencyExcessMs)) out.add('latency');
  }
  return out;
}

/**
 * Which of the edge's signals are rising: past the absolute excess, whatever the ratio. At a fault's onset the
 * edge's mean over its window lags the caller's p95 (both cross together within a pull or so); an edge not even
 * rising is healthy.
 */
export function risingSignals(edge: EdgeHealth, t = EDGE_THRESHOLDS): Set<EdgeSignal> {
  const out = new Set<EdgeSignal>();
  if (edge.errorRatio - (edge.baselineErrorRatio ?? 0) >= t.errorExcess) out.add('errors');
  if (edge.latencyMs !== undefined && edge.baselineLatencyMs !== undefined && edge.latencyMs - edge.baselineLatencyMs >= t.latencyExcessMs) out.add('latency');
  return out;
}

const LABEL_VALUE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const WINDOW = /^\d{1,4}[smh]$/;

export interface EdgeQueryOptions {
  namespaces: readonly string[];
  /** Short window: "now" (default 1m). */
  window?: string;
  /**
   * How far back the edge's baseline looks (default 30m): the best short-window value in that span (lowest
   * error ratio, lowest mean latency), so an ongoing fault does not become its own baseline. It ends where the
   * short window begins: on a cluster with little history (a fresh Prometheus, a new edge) the only windows would
   * otherwise be the fault's own, and the fault would hide behind itself.
   */
  baselineWindow?: string;
  /**
   * Resolution of the baseline's short windows (default 15s). Fine enough that a cluster with a couple of minutes
   * of history already has a baseline that ends before the short window (with 1m steps aligned to the minute,
   * such a baseline often does not exist yet, and latency cannot be judged).
   */
  baselineStep?: string;
  /**
   * The span of the edge's sustained reading, its lowest short window since (default 3m, for a pull a minute): longer than a caller's
   * detection takes to notice an edge's failure (`sustainedEdgeSecondsFor`), so a symptom that a failing edge causes
   * began within it.
   */
  sustained?: string;
  matchers?: Record<string, string>;
}

type QueryName = 'requests' | 'errors' | 'durationSum' | 'durationCount' | 'baseErrorRatio' | 'baseLatencyMs' | 'sustainedErrorRatio' | 'sustainedLatencyMs';

/**
 * The instant queries one pull runs for edge evidence (per source and destination workload): attempts,
 * 5xx attempts and the duration sum and count over the short window; the baselines as subqueries.
 */
export function edgeEvidenceQueries(options: EdgeQueryOptions): Record<QueryName, string> {
  const window = options.window ?? '1m';
  const base = options.baselineWindow ?? '30m';
  const step = options.baselineStep ?? '15s';
  const sustained = options.sustained ?? sustainedEdgeSpan(60);
  for (const w of [window, base, step, sustained]) if (!WINDOW.test(w)) throw new Error(`invalid rate window ${JSON.stringify(w)}`);
  const namespaces = options.namespaces.filter((n) => LABEL_VALUE.test(n));
  if (!namespaces.length) throw new Error('no valid namespace for the mesh edges');
  const extra = Object.entries(options.matchers ?? {})
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !k.startsWith('__'))
    .map(([k, v]) => `,${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join('');
  const ns = namespaces.map((n) => n.replace(/\./g, '\\\\.')).join('|');
  const sel = (more = '') => `{reporter="source",destination_workload_namespace=~"${ns}"${extra}${more}}`;
  const by = 'sum by (source_workload, source_workload_namespace, destination_workload, destination_workload_namespace)';
  const q = (metric: string, more = '') => `${by} (rate(${metric}${sel(more)}[${window}]))`;
  const requests = q('istio_requests_total');
  const errors = q('istio_requests_total', ',response_code=~"5.."');
  const durationSum = q('istio_request_duration_milliseconds_sum');
  const durationCount = q('istio_request_duration_milliseconds_count');
  // An edge that never failed has no 5xx series: its windows count as 0 % (else a ratio over them has no samples, and a
  // minimum over time would see only the failure's windows).
  const errorRatio = `(${errors} or ${requests} * 0) / ${requests}`;
  // The best short window that ended before the current one began; on a history too short for that (Prometheus
  // needs about 90 s), the best one so far, whose earliest windows still hold the minutes before the fault.
  const baseline = (ratio: string) => `min_over_time((${ratio})[${base}:${step}] offset ${window}) or min_over_time((${ratio})[${base}:${step}])`;
  return {
    requests,
    errors,
    durationSum,
    durationCount,
    baseErrorRatio: baseline(errorRatio),
    baseLatencyMs: baseline(`${durationSum} / ${durationCount}`),
    sustainedErrorRatio: `min_over_time((${errorRatio})[${sustained}:${step}])`,
    sustainedLatencyMs: `min_over_time((${durationSum} / ${durationCount})[${sustained}:${step}])`,
  };
}

export type EdgeRows = { metric: Record<string, string>; value: number }[];

/** The queries' answers → one summary per edge between workloads of the pulled namespaces. */
export function edgesFromRows(rows: Record<QueryName, EdgeRows>, namespaces: readonly string[]): EdgeHealth[] {
  const keyOf = (m: Record<string, string>): string | undefined => {
    const from = m.source_workload;
    const to = m.destination_workload;
    if (!from || !to || from === 'unknown' || to === 'unknown' || from === to) return undefined;
    if (!namespaces.includes(m.source_workload_namespace ?? '') || !namespaces.includes(m.destination_workload_namespace ?? '')) return undefined;
    if (!LABEL_VALUE.test(from) || !LABEL_VALUE.test(to)) return undefined;
    return `${from}\u0000${to}`;
  };
  const index = (r: EdgeRows) => {
    const m = new Map<string, number>();
    for (const row of r) {
      const k = keyOf(row.metric);
      if (k && Number.isFinite(row.value)) m.set(k, (m.get(k) ?? 0) + row.value);
    }
    return m;
  };
  const [req, err, ds, dc, berr, blat, serr, slat] = [
    rows.requests,
    rows.errors,
    rows.durationSum,
    rows.durationCount,
    rows.baseErrorRatio,
    rows.baseLatencyMs,
    rows.sustainedErrorRatio,
    rows.sustainedLatencyMs,
  ].map(index);
  const round = (x: number, d = 4) => Number(x.toFixed(d));
  const edges: EdgeHealth[] = [];
  for (const [k, rps] of req) {
    if (!(rps > 0)) continue;
    const [from, to] = k.split('\u0000');
    const edge: EdgeHealth = { from, to, rps: round(rps), errorRatio: round(Math.min(1, (err.get(k) ?? 0) / rps)) };
    const be = berr.get(k);
    if (be !== undefined) edge.baselineErrorRatio = round(Math.min(1, be));
    const c = dc.get(k);
    if (c && c > 0) edge.latencyMs = round((ds.get(k) ?? 0) / c, 2);
    const bl = blat.get(k);
    if (bl !== undefined) edge.baselineLatencyMs = round(bl, 2);
    const se = serr.get(k);
    if (se !== undefined) edge.sustainedErrorRatio = round(Math.min(1, se));
    const sl = slat.get(k);
    if (sl !== undefined) edge.sustainedLatencyMs = round(sl, 2);
    edges.push(edge);
  }
  return edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)).slice(0, 2000);
}

/** Reads a cluster's edge evidence with `query` and stores it; returns it (empty when the mesh reports no calls). */
export async function refreshMeshEvidence(
  options: {
    cluster: string;
    query: (promql: string) => Promise<EdgeRows>;
    store: MeshEvidenceStore;
    now: Date;
  } & EdgeQueryOptions,
): Promise<MeshEvidence> {
  const queries = edgeEvidenceQueries(options);
  const names = Object.keys(queries) as (keyof typeof queries)[];
  const answers = await Promise.all(names.map((n) => options.query(queries[n])));
  const rows = Object.fromEntries(names.map((n, i) => [n, answers[i]])) as Record<QueryName, EdgeRows>;
  const evidence: MeshEvidence = { at: options.now.toISOString(), edges: edgesFromRows(rows, options.namespaces) };
  if (evidence.edges.length) await options.store.put(options.cluster, evidence);
  return evidence;
}
