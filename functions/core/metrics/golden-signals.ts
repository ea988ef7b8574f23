/**
 * All PromQL fleetops sends lives here: pure builders for the five golden signals.
 *
 * Signals and units:
 *  - cpu_usage     cores: sum of rate(container_cpu_usage_seconds_total) over the service's pods
 *                  (cAdvisor; the pod-level `container=""` and pause `container="POD"` series are excluded).
 *  - memory_usage  bytes: sum of container_memory_working_set_bytes over the service's pods.
 *  - error_rate    fraction 0..1: rate of status=~"5.." requests / rate of all requests. 0 when the service
 *                  has request series but no 5xx (or no traffic); no result when it has no request series at all.
 *  - latency_p95   seconds: histogram_quantile(0.95) over the request-duration histogram's buckets summed by le.
 *                  NaN (no traffic in the window) means "unknown".
 *  - request_rate  requests per second over the rate window.
 *
 * The rate window must cover at least 4 scrape intervals, otherwise rate() keeps returning nothing or noise.
 * Multi-tenant backends (Thanos, AMP, Mimir) hold many clusters: `extraMatchers` (e.g. { cluster: 'prod' })
 * is added to every selector.
 */
import { ValidationError } from '../errors.ts';
import type { SignalName } from './types.ts';

export interface SignalLabelNames {
  namespace: string;
  /** Label carrying the pod name on cAdvisor series (`pod`; `pod_name` on old kubelets). */
  pod: string;
  /** Container label on cAdvisor series; '' turns the container filter off. */
  container: string;
  /** Label carrying the service name on request metrics. */
  service: string;
  /** HTTP status code label on the request counter. */
  status: string;
}

export interface SignalMetricNames {
  cpu: string;
  memory: string;
  requests: string;
  /** Histogram base name; `_bucket` is appended. */
  duration: string;
}

export interface SignalQueryOptions {
  /** PromQL duration for rate(); default '5m'. */
  rateWindow?: string;
  /** The scrape interval of the backend (default 15): the window must be ≥ 4× this. */
  scrapeIntervalSeconds?: number;
  /**
   * Added to every selector. A record means equality matchers ({ cluster: 'prod' }); a string is raw
   * PromQL matchers (`cluster="prod",env=~"p.*"`), validated so it cannot break out of the selector.
   */
  extraMatchers?: Record<string, string> | string;
  labels?: Partial<SignalLabelNames>;
  metrics?: Partial<SignalMetricNames>;
  /** Latency quantile; default 0.95. */
  quantile?: number;
  /** Regex (anchored by Prometheus) selecting a service's pods; default `<service>-.*`. */
  podRegex?: (service: string) => string;
}

export const DEFAULT_LABELS: SignalLabelNames = { namespace: 'namespace', pod: 'pod', container: 'container', service: 'service', status: 'status' };
export const DEFAULT_METRICS: SignalMetricNames = {
  cpu: 'container_cpu_usage_seconds_total',
  memory: 'container_memory_working_set_bytes',
  requests: 'http_requests_total',
  duration: 'http_request_duration_seconds',
};
export const DEFAULT_RATE_WINDOW = '5m';
export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 15;

export type SignalQueries = Record<SignalName, string>;

export interface GroupedSignalQuery {
  query: string;
  /** What each result series stands for: a pod (map it to its service) or a service. */
  grouping: 'pod' | 'service';
  /** The label holding the pod or service name in the result. */
  groupLabel: string;
}

export type NamespaceSignalQueries = Record<SignalName, GroupedSignalQuery>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const DURATION_PART = /(\d+)(ms|s|m|h|d|w|y)/g;
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
const RAW_MATCHER = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/gy;

/** Seconds of a PromQL duration such as `5m`, `1h30m`, `90s`. */
export function durationSeconds(d: string): number {
  if (!DURATION.test(d)) throw new ValidationError(`Invalid PromQL duration "${d}" (expected e.g. 30s, 5m, 1h)`);
  let total = 0;
  for (const m of d.matchAll(DURATION_PART)) total += Number(m[1]) * UNIT_SECONDS[m[2]];
  return total;
}

/** A PromQL double-quoted string literal. */
export function promString(v: string): string {
  return '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') + '"';
}

/** Escapes RE2 metacharacters so a literal can sit inside a regex matcher. */
export function regexLiteral(v: string): string {
  return v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function checkName(kind: string, v: string): void {
  if (typeof v !== 'string' || v.length > 253 || !K8S_NAME.test(v)) throw new ValidationError(`Invalid ${kind} name "${String(v).slice(0, 80)}"`);
}

function parseExtraMatchers(extra: SignalQueryOptions['extraMatchers']): string[] {
  if (extra === undefined) return [];
  if (typeof extra !== 'string') {
    return Object.entries(extra).map(([k, v]) => {
      if (!LABEL_NAME.test(k)) throw new ValidationError(`Invalid label name "${k}" in extra matchers`);
      return `${k}=${promString(String(v))}`;
    });
  }
  const s = extra.trim();
  if (!s) return [];
  const out: string[] = [];
  RAW_MATCHER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (RAW_MATCHER.lastIndex < s.length && (m = RAW_MATCHER.exec(s))) {
    out.push(`${m[1]}${m[2]}"${m[3]}"`);
    if (m[4] === '') break;
  }
  if (RAW_MATCHER.lastIndex !== s.length || !out.length) {
    throw new ValidationError(`Invalid extra label matchers "${s.slice(0, 120)}" (expected e.g. cluster="prod")`);
  }
  return out;
}

interface Resolved {
  window: string;
  extra: string[];
  l: SignalLabelNames;
  n: SignalMetricNames;
  q: number;
  podRegex: (service: string) => string;
}

function resolve(opts: SignalQueryOptions = {}): Resolved {
  const window = opts.rateWindow ?? DEFAULT_RATE_WINDOW;
  const scrape = opts.scrapeIntervalSeconds ?? DEFAULT_SCRAPE_INTERVAL_SECONDS;
  if (!(scrape > 0)) throw new ValidationError(`scrapeIntervalSeconds must be positive`);
  if (durationSeconds(window) < 4 * scrape) {
    throw new ValidationError(`Rate window ${window} is shorter than 4 scrape intervals (${4 * scrape}s)`);
  }
  const l = { ...DEFAULT_LABELS, ...opts.labels };
  for (const [k, v] of Object.entries(l))
    if (!(k === 'container' && v === '') && !LABEL_NAME.test(v)) throw new ValidationError(`Invalid label name "${v}" for ${k}`);
  const n = { ...DEFAULT_METRICS, ...opts.metrics };
  for (const v of Object.values(n)) if (!METRIC_NAME.test(v)) throw new ValidationError(`Invalid metric name "${v}"`);
  const q = opts.quantile ?? 0.95;
  if (!(q > 0 && q < 1)) throw new ValidationError('quantile must be between 0 and 1');
  return { window, extra: parseExtraMatchers(opts.extraMatchers), l, n, q, podRegex: opts.podRegex ?? ((s) => `${regexLiteral(s)}-.*`) };
}

const selector = (metric: string, matchers: string[]): string => `${metric}{${matchers.join(',')}}`;

function containerMatchers(r: Resolved): string[] {
  return r.l.container ? [`${r.l.container}!=""`, `${r.l.container}!="POD"`] : [];
}

/** The five queries as PromQL expressions, each yielding at most one sample: the per-service building block. */
export function serviceSignalQueries(namespace: string, service: string, opts: SignalQueryOptions = {}): SignalQueries {
  checkName('namespace', namespace);
  checkName('service', service);
  const r = resolve(opts);
  const ns = `${r.l.namespace}=${promString(namespace)}`;
  const pods = [ns, `${r.l.pod}=~${promString(r.podRegex(service))}`, ...containerMatchers(r), ...r.extra];
  const http = [ns, `${r.l.service}=${promString(service)}`, ...r.extra];
  const all = `sum(rate(${selector(r.n.requests, http)}[${r.window}]))`;
  const errors = `sum(rate(${selector(r.n.requests, [...http, `${r.l.status}=~"5.."`])}[${r.window}]))`;
  return {
    cpu_usage: `sum(rate(${selector(r.n.cpu, pods)}[${r.window}]))`,
    memory_usage: `sum(${selector(r.n.memory, pods)})`,
    error_rate: `(${errors} or (0 * ${all})) / clamp_min(${all}, 1e-9)`,
    latency_p95: `histogram_quantile(${r.q}, sum by (le) (rate(${selector(`${r.n.duration}_bucket`, http)}[${r.window}])))`,
    request_rate: all,
  };
}

/**
 * One query per signal for a whole namespace (what the pull uses: 5 HTTP calls however many services).
 * cpu/memory come back `by (pod)` (map pods to services with serviceOfPod); the request metrics `by (service)`.
 * With `services`, the selectors are narrowed to them.
 */
export function namespaceSignalQueries(namespace: string, opts: SignalQueryOptions & { services?: string[] } = {}): NamespaceSignalQueries {
  checkName('namespace', namespace);
  for (const s of opts.services ?? []) checkName('service', s);
  const r = resolve(opts);
  const ns = `${r.l.namespace}=${promString(namespace)}`;
  const svcs = opts.services?.length ? opts.services : undefined;
  const podSel = svcs ? [`${r.l.pod}=~${promString(svcs.map((s) => `(?:${r.podRegex(s)})`).join('|'))}`] : [];
  const svcSel = svcs ? [`${r.l.service}=~${promString(svcs.map(regexLiteral).join('|'))}`] : [];
  const pods = [ns, ...podSel, ...containerMatchers(r), ...r.extra];
  const http = [ns, ...svcSel, ...r.extra];
  const by = `by (${r.l.service})`;
  const all = `sum ${by} (rate(${selector(r.n.requests, http)}[${r.window}]))`;
  const errors = `sum ${by} (rate(${selector(r.n.requests, [...http, `${r.l.status}=~"5.."`])}[${r.window}]))`;
  const pod = (query: string): GroupedSignalQuery => ({ query, grouping: 'pod', groupLabel: r.l.pod });
  const svc = (query: string): GroupedSignalQuery => ({ query, grouping: 'service', groupLabel: r.l.service });
  return {
    cpu_usage: pod(`sum by (${r.l.pod}) (rate(${selector(r.n.cpu, pods)}[${r.window}]))`),
    memory_usage: pod(`sum by (${r.l.pod}) (${selector(r.n.memory, pods)})`),
    error_rate: svc(`(${errors} or (0 * ${all})) / clamp_min(${all}, 1e-9)`),
    latency_p95: svc(`histogram_quantile(${r.q}, sum by (${r.l.service}, le) (rate(${selector(`${r.n.duration}_bucket`, http)}[${r.window}])))`),
    request_rate: svc(all),
  };
}
