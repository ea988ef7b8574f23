/**
 * Edge evidence from AWS X-Ray's service graph (GetServiceGraph), for clusters whose calls are traced with
 * X-Ray instead of (or besides) measured by Istio: the same `EdgeHealth` summaries the alert pipeline reads.
 * X-Ray summarises each caller → callee edge over a time window (calls, 4xx errors, 5xx faults, total
 * response time); a fault is what Istio's 5xx is, so `errorRatio` counts faults only.
 */
import type { EdgeHealth, MeshEvidence, MeshEvidenceStore } from './evidence.ts';
import { normalizeGraph, type DependencyGraph, type DependencyGraphStore } from './graph.ts';

/** The parts of a GetServiceGraph answer this reads, in the API's own field names. */
export interface XRayEdgeStatistics {
  OkCount?: number;
  ErrorStatistics?: { TotalCount?: number };
  FaultStatistics?: { TotalCount?: number };
  TotalCount?: number;
  /** Seconds, summed over the edge's calls. */
  TotalResponseTime?: number;
}

export interface XRayEdge {
  ReferenceId?: number;
  SummaryStatistics?: XRayEdgeStatistics;
}

export interface XRayService {
  ReferenceId?: number;
  Name?: string;
  Type?: string;
  Edges?: XRayEdge[];
}

/** One window's service graph (every page of it). */
export interface XRayServiceGraph {
  StartTime?: Date;
  EndTime?: Date;
  Services?: XRayService[];
}

/** How X-Ray node names become workload names. */
export interface XRayNaming {
  /** X-Ray node name → workload name; unlisted nodes keep their own name (a Kubernetes service DNS name: its first label). */
  names?: Record<string, string>;
}

/** Node types that run code: anything else named `AWS::…` (tables, queues, topics, buckets) is a resource, not a workload. */
const COMPUTE_TYPES = new Set([
  'AWS::EC2::Instance',
  'AWS::ECS::Container',
  'AWS::EKS::Container',
  'AWS::ElasticBeanstalk::Environment',
  'AWS::Lambda',
  'AWS::Lambda::Function',
]);
const WORKLOAD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const KUBE_SERVICE_DNS = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.[a-z0-9-]+\.svc(\.cluster\.local)?\.?(:\d+)?$/;
/** As edgesFromRows: an evidence item stays far below DynamoDB's 400 KB. */
const MAX_EDGES = 2000;

/** The workload an X-Ray node stands for, or undefined for the client, unknown nodes and AWS resources. */
export function workloadOfNode(service: Pick<XRayService, 'Name' | 'Type'>, naming: XRayNaming = {}): string | undefined {
  const name = service.Name;
  if (!name || service.Type === 'client') return undefined;
  const mapped = naming.names && Object.hasOwn(naming.names, name) ? naming.names[name] : undefined;
  if (mapped !== undefined) return WORKLOAD_NAME.test(mapped) ? mapped : undefined;
  if (name.toLowerCase() === 'unknown') return undefined;
  if (service.Type?.startsWith('AWS::') && !COMPUTE_TYPES.has(service.Type)) return undefined;
  const own = KUBE_SERVICE_DNS.exec(name)?.[1] ?? name;
  return WORKLOAD_NAME.test(own) ? own : undefined;
}

interface EdgeCounts {
  calls: number;
  faults: number;
  /** Response time summed over the calls that reported it, and how many did. */
  seconds: number;
  timed: number;
}

const finite = (x: number | undefined): number => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : 0);

/** One graph's edges between workloads, summed per (caller, callee): several nodes may map to one workload. */
function countEdges(graph: XRayServiceGraph, naming: XRayNaming): Map<string, EdgeCounts> {
  const services = graph.Services ?? [];
  const byRef = new Map<number, XRayService>();
  for (const s of services) if (s.ReferenceId !== undefined) byRef.set(s.ReferenceId, s);
  const out = new Map<string, EdgeCounts>();
  for (const caller of services) {
    const from = workloadOfNode(caller, naming);
    if (!from) continue;
    for (const edge of caller.Edges ?? []) {
      const callee = edge.ReferenceId === undefined ? undefined : byRef.get(edge.ReferenceId);
      const to = callee && workloadOfNode(callee, naming);
      if (!to || to === from) continue;
      const s = edge.SummaryStatistics ?? {};
      const faults = finite(s.FaultStatistics?.TotalCount);
      const calls = finite(s.TotalCount) || finite(s.OkCount) + finite(s.ErrorStatistics?.TotalCount) + faults;
      if (!calls) continue;
      const key = `${from}\u0000${to}`;
      const c = out.get(key) ?? { calls: 0, faults: 0, seconds: 0, timed: 0 };
      c.calls += calls;
      c.faults += Math.min(faults, calls);
      if (typeof s.TotalResponseTime === 'number' && Number.isFinite(s.TotalResponseTime) && s.TotalResponseTime >= 0) {
        c.seconds += s.TotalResponseTime;
        c.timed += calls;
      }
      out.set(key, c);
    }
  }
  return out;
}

const round = (x: number, d = 4) => Number(x.toFixed(d));
const errorRatioOf = (c: EdgeCounts) => Math.min(1, c.faults / c.calls);
const latencyMsOf = (c: EdgeCounts) => (c.timed > 0 ? (c.seconds / c.timed) * 1000 : undefined);

export interface XRayEdgeInput extends XRayNaming {
  /** The short window: how the edges are doing now. */
  current: XRayServiceGraph;
  /** The baseline window, whole or in slices: the best slice is the baseline, so an ongoing fault hardly becomes its own. */
  baseline: readonly XRayServiceGraph[];
  /** Length of the short window, when `current` does not say (its StartTime / EndTime win). */
  windowSeconds: number;
  /** A baseline slice with fewer calls on an edge is too noisy to be its best (X-Ray samples); default 5. */
  minBaselineCalls?: number;
}

/**
 * Service graphs → one summary per edge between workloads: `rps` is sampled calls/s (X-Ray records a sample
 * of requests; ratios and means do not depend on the rate), `latencyMs` the mean response time per call.
 * Baseline: per edge, the lowest error ratio and the lowest mean latency among the baseline slices with
 * enough calls, else over all of them pooled; none when the baseline saw no calls on the edge.
 */
export function edgesFromServiceGraphs(input: XRayEdgeInput): EdgeHealth[] {
  const naming: XRayNaming = { ...(input.names ? { names: input.names } : {}) };
  const minCalls = input.minBaselineCalls ?? 5;
  const span = input.current.StartTime && input.current.EndTime ? (input.current.EndTime.getTime() - input.current.StartTime.getTime()) / 1000 : NaN;
  const seconds = span > 0 ? span : input.windowSeconds;
  if (!(seconds > 0)) throw new Error('the short window needs a positive length');
  const now = countEdges(input.current, naming);
  const slices = input.baseline.map((g) => countEdges(g, naming));
  const edges: EdgeHealth[] = [];
  for (const [key, c] of now) {
    const [from, to] = key.split('\u0000');
    const edge: EdgeHealth = { from, to, rps: round(c.calls / seconds), errorRatio: round(errorRatioOf(c)) };
    const latency = latencyMsOf(c);
    if (latency !== undefined) edge.latencyMs = round(latency, 2);
    const seen = slices.map((s) => s.get(key)).filter((s): s is EdgeCounts => s !== undefined);
    if (seen.length) {
      const steady = seen.filter((s) => s.calls >= minCalls);
      const pooled = seen.reduce((a, s) => ({
        calls: a.calls + s.calls,
        faults: a.faults + s.faults,
        seconds: a.seconds + s.seconds,
        timed: a.timed + s.timed,
      }));
      const candidates = steady.length ? steady : [pooled];
      edge.baselineErrorRatio = round(Math.min(...candidates.map(errorRatioOf)));
      const latencies = candidates.map(latencyMsOf).filter((l): l is number => l !== undefined);
      if (latencies.length) edge.baselineLatencyMs = round(Math.min(...latencies), 2);
    }
    edges.push(edge);
  }
  return edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)).slice(0, MAX_EDGES);
}

/** Callers → callees with calls in any of the graphs (the cluster's call graph, as the `mesh` source stores it). */
export function graphFromServiceGraphs(graphs: readonly XRayServiceGraph[], naming: XRayNaming = {}): DependencyGraph {
  const graph: DependencyGraph = {};
  for (const g of graphs) {
    for (const key of countEdges(g, naming).keys()) {
      const [from, to] = key.split('\u0000');
      (graph[from] ??= []).push(to);
    }
  }
  return normalizeGraph(graph);
}

export interface XRayWindowOptions {
  /** The short window, seconds (default 120: X-Ray samples, so a minute of a quiet edge is a handful of calls). */
  windowSeconds?: number;
  /** The baseline: this long before the short window (default 1800) … */
  baselineSeconds?: number;
  /** … in this many slices (default 3; each slice is one GetServiceGraph call). */
  baselineSlices?: number;
  /**
   * The windows end this long before now (default 30): the last seconds of X-Ray's graph are still filling
   * in (the daemon sends segments in batches, a trace completes with its last segment), and evidence that
   * calls them healthy would call a propagated symptom unexplained. The evidence is stamped with that end.
   */
  lagSeconds?: number;
}

export interface TimeWindow {
  start: Date;
  end: Date;
}

/** The short window and the baseline slices (oldest first) for a pull at `now`. */
export function xrayWindows(now: Date, options: XRayWindowOptions = {}): { current: TimeWindow; baseline: TimeWindow[] } {
  const window = options.windowSeconds ?? 120;
  const base = options.baselineSeconds ?? 1800;
  const slices = options.baselineSlices ?? 3;
  const lag = options.lagSeconds ?? 30;
  if (!(window > 0 && base > 0 && lag >= 0 && Number.isInteger(slices) && slices >= 1 && slices <= 12)) throw new Error('invalid X-Ray window options');
  const end = now.getTime() - lag * 1000;
  const current = { start: new Date(end - window * 1000), end: new Date(end) };
  const sliceMs = (base * 1000) / slices;
  const baseline = Array.from({ length: slices }, (_, i) => {
    const start = current.start.getTime() - base * 1000 + i * sliceMs;
    return { start: new Date(start), end: new Date(start + sliceMs) };
  });
  return { current, baseline };
}

/** Reads one window's service graph, every page of it. */
export type ServiceGraphReader = (window: TimeWindow) => Promise<XRayServiceGraph>;

/**
 * Reads a cluster's edges from X-Ray and stores them as its edge evidence (when any edge had calls); with
 * `graphs`, also the call graph seen over all windows as its `mesh` source. The windows are read one after
 * the other: GetServiceGraph is throttled per account, and the batch's clusters already run side by side.
 */
export async function refreshXRayEvidence(
  options: {
    cluster: string;
    read: ServiceGraphReader;
    store: MeshEvidenceStore;
    graphs?: DependencyGraphStore;
    now: Date;
  } & XRayNaming &
    XRayWindowOptions,
): Promise<MeshEvidence> {
  const windows = xrayWindows(options.now, options);
  const current = await options.read(windows.current);
  const baseline: XRayServiceGraph[] = [];
  for (const w of windows.baseline) baseline.push(await options.read(w));
  const naming: XRayNaming = { ...(options.names ? { names: options.names } : {}) };
  const windowSeconds = (windows.current.end.getTime() - windows.current.start.getTime()) / 1000;
  const evidence: MeshEvidence = {
    at: windows.current.end.toISOString(),
    edges: edgesFromServiceGraphs({ current, baseline, windowSeconds, ...naming }),
  };
  if (evidence.edges.length) await options.store.put(options.cluster, evidence);
  if (options.graphs) {
    const graph = graphFromServiceGraphs([current, ...baseline], naming);
    if (Object.keys(graph).length) await options.graphs.put(options.cluster, 'mesh', graph, options.now);
  }
  return evidence;
}
