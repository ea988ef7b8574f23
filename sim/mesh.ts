// Service mesh model: the `shop` call graph, and how a failing or slow callee shows in its callers.
// Pure functions over per-service numbers; metrics.ts integrates the result into counters.

/** One caller → callee edge and how the caller uses it. */
export interface CallEdge {
  from: string;
  to: string;
  /** Probability that one request of the caller calls the callee (≤ 1). */
  callsPerRequest: number;
  /** Extra attempts after a failed one (Istio retry policy / client retries). */
  retries: number;
  /** The caller gives up after this long: a 504 for the caller, counted as a failed attempt. */
  timeoutSeconds: number;
  /** Share of failed calls the caller survives by degrading (cached or default answer). */
  fallback: number;
}

// frontend reads the user profile (idempotent GET, retried twice, page renders without it half the time);
// places orders (a POST: not retried, no fallback); order-service charges payments once more on failure
// (idempotency key), with no fallback. Shares chosen so callee traffic ≈ the callees' nominal load.
export const SHOP_CALL_GRAPH: readonly CallEdge[] = [
  { from: 'frontend', to: 'user-service', callsPerRequest: 0.55, retries: 2, timeoutSeconds: 2, fallback: 0.5 },
  { from: 'frontend', to: 'order-service', callsPerRequest: 0.375, retries: 0, timeoutSeconds: 5, fallback: 0 },
  { from: 'order-service', to: 'payment-service', callsPerRequest: 0.6, retries: 1, timeoutSeconds: 3, fallback: 0 },
];

/** Where outside traffic enters the mesh (the `source_workload` of requests to the roots). */
export const INGRESS = { workload: 'istio-ingressgateway', namespace: 'istio-system' } as const;

/** A service on its own, before propagation: its faults, its nominal load and its own processing time. */
export interface OwnService {
  name: string;
  /** Nominal requests/s (diurnal model); for callees the callers' flows replace most of it. */
  rps: number;
  errorRatio: number;
  /** Median time spent in this service itself, seconds. */
  medianLatency: number;
  unavailable: boolean;
}

export interface MeshService extends OwnService {
  /** Requests/s arriving at the service, retries included. */
  rps: number;
}

export interface MeshEdge {
  from: string;
  to: string;
  /** Attempts/s on the edge, retries included. */
  rps: number;
  /** Share of attempts the callee answers with a 5xx (503 when it has no ready pod). */
  errorRatio: number;
  /** Share of attempts the caller abandons at its timeout (504 seen by the caller). */
  timeoutRatio: number;
  /** Median duration of one attempt as the callee serves it, seconds. */
  medianLatency: number;
  timeoutSeconds: number;
  unavailable: boolean;
}

export const LATENCY_SIGMA = 0.45;

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
export const lognormCdf = (x: number, median: number, sigma = LATENCY_SIGMA): number =>
  x <= 0 ? 0 : median <= 0 ? 1 : 0.5 * (1 + erf((Math.log(x) - Math.log(median)) / (sigma * Math.SQRT2)));

/** Callers before callees; services of a cycle (none in shop) keep their input order. */
function topological(names: string[], edges: readonly CallEdge[]): string[] {
  const indegree = new Map(names.map((n) => [n, 0]));
  for (const e of edges) indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  const order: string[] = [];
  const queue = names.filter((n) => indegree.get(n) === 0);
  while (queue.length) {
    const n = queue.shift()!;
    order.push(n);
    for (const e of edges.filter((x) => x.from === n)) {
      indegree.set(e.to, indegree.get(e.to)! - 1);
      if (indegree.get(e.to) === 0) queue.push(e.to);
    }
  }
  return [...order, ...names.filter((n) => !order.includes(n))];
}

/**
 * Effective per-service numbers and per-edge flows. Bottom-up: a callee's failures (5xx or timeouts)
 * survive the caller's retries with probability f^(1+retries), hit only the share of requests that
 * call it, and are partly absorbed by fallbacks; its latency adds to the caller's, capped by the
 * timeout, once per attempt. Top-down: callee load is the callers' flows (retries amplify it) plus
 * whatever of its nominal load no caller in the graph accounts for.
 */
export function propagate(own: OwnService[], graph: readonly CallEdge[] = SHOP_CALL_GRAPH): { services: MeshService[]; edges: MeshEdge[] } {
  const byName = new Map(own.map((s) => [s.name, s]));
  const edges = graph.filter((e) => byName.has(e.from) && byName.has(e.to));
  const order = topological(
    own.map((s) => s.name),
    edges,
  );
  const eff = new Map<string, MeshService>(own.map((s) => [s.name, { ...s }]));
  const perAttempt = new Map<CallEdge, { error: number; timeout: number; fail: number; attempts: number; median: number }>();

  for (const name of [...order].reverse()) {
    const s = eff.get(name)!;
    if (s.unavailable) continue;
    let survive = 1 - s.errorRatio;
    let latency = s.medianLatency;
    for (const e of edges.filter((x) => x.from === name)) {
      const callee = eff.get(e.to)!;
      const error = callee.unavailable ? 1 : callee.errorRatio;
      const timeout = callee.unavailable ? 0 : (1 - error) * (1 - lognormCdf(e.timeoutSeconds, callee.medianLatency));
      const fail = Math.min(1, error + timeout);
      const attempts = Array.from({ length: e.retries + 1 }, (_, k) => fail ** k).reduce((a, b) => a + b, 0);
      const median = callee.unavailable ? 0.001 : callee.medianLatency;
      perAttempt.set(e, { error, timeout, fail, attempts, median });
      survive *= 1 - e.callsPerRequest * fail ** (1 + e.retries) * (1 - e.fallback);
      latency += e.callsPerRequest * attempts * Math.min(median, e.timeoutSeconds);
    }
    s.errorRatio = Math.min(1, Math.max(0, 1 - survive));
    s.medianLatency = latency;
  }

  const meshEdges: MeshEdge[] = [];
  for (const name of order) {
    const callers = edges.filter((x) => x.to === name);
    if (!callers.length) continue;
    const s = eff.get(name)!;
    let flow = 0;
    for (const e of callers) {
      const caller = eff.get(e.from)!;
      const a = perAttempt.get(e) ?? { error: 0, timeout: 0, fail: 0, attempts: 1, median: s.medianLatency };
      const callerRps = caller.unavailable ? 0 : caller.rps;
      const rps = callerRps * e.callsPerRequest * a.attempts;
      flow += rps;
      meshEdges.push({
        from: e.from,
        to: e.to,
        rps,
        errorRatio: a.error,
        timeoutRatio: a.timeout,
        medianLatency: a.median,
        timeoutSeconds: e.timeoutSeconds,
        unavailable: s.unavailable,
      });
    }
    const nominalCallerShare = callers.reduce((n, e) => n + byName.get(e.from)!.rps * e.callsPerRequest, 0);
    s.rps = Math.max(0.01, flow + Math.max(0, s.rps - nominalCallerShare));
  }
  return { services: own.map((s) => eff.get(s.name)!), edges: meshEdges };
}
