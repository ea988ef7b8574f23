/**
 * Whether a failing callee explains a caller's symptom. Topology says who *could* be the cause; the mesh's
 * per-edge evidence says whether the caller's errors or latency actually come from its calls to that callee
 * (Kiali's red edge). A caller's own failure (a Kubernetes condition, its own CPU or memory) is never
 * explained by a callee.
 */
import { abnormalSignals, risingSignals, settledSignals, type EdgeHealth, type EdgeSignal } from '../mesh/evidence.ts';
import type { NormalizedAlert } from './types.ts';

/** Alert types that name a workload's own failure (kube-state conditions), not a symptom that may come from a dependency. */
export const OWN_FAILURE = /^Kube/;

/** Sources whose alerts the pull raised from the same golden signals the mesh edges measure: their joins need edge evidence. */
export const EVIDENCE_SOURCES = new Set(['anomaly', 'kube-state']);

/** What a symptom is made of: request signals a callee can cause, or the workload's own condition. */
export interface SymptomSignals {
  /** A failure of the workload itself: never explained by a callee. */
  own: boolean;
  /** Request signals (undefined: unknown, either may be explained). */
  request?: Set<EdgeSignal>;
  /** The workload's own error ratio and request rate when measured: how large a share its callees must account for. */
  observed?: NormalizedAlert['observed'];
  /**
   * Request signals that began with this alert (new to its service): an edge failing as it is now since before then
   * (`settledSignals`) did not start them. Unknown onset (undefined): no edge is ruled out by time.
   */
  onset?: ReadonlySet<EdgeSignal>;
}

/**
 * How much of a caller's error ratio its callees must account for. Each failed caller request holds at least one
 * failed call, so the callees' excess failed attempts per caller request bound what they can explain. The bound is
 * loosened because the pull measures the caller over a shorter window than the edges' (at a fault's onset the edge
 * windows hold only part of it): errors beyond `factor` times the bound plus `margin` are the caller's own.
 */
export const ERROR_SHARE = { factor: 3, margin: 0.03 } as const;

/**
 * How slow a caller may be and still owe it to its callees. Its calls' mean time per request (each callee's mean
 * attempt latency times the attempts it makes per request) bounds what they add; the caller's p95 is compared with
 * it, so the factor covers a tail over the mean (a lognormal with a p95 twice its mean, and room for heavier tails),
 * and the margin the caller's own work: a p95 beyond that is the caller's own.
 */
export const LATENCY_SHARE = { factor: 4, marginMs: 250 } as const;

/**
 * What a workload's own Kubernetes failure can show as in its detection signals: pods that crash or are killed
 * fail and slow requests; an image that cannot be pulled stalls the rollout while the old pods keep serving
 * (a rolling update never takes them down first). Kinds not listed: unknown, anything.
 */
const KUBE_FAILURE_SHOWS_AS: Record<string, readonly string[]> = {
  KubePodCrashLooping: ['error_rate', 'latency', 'restarts'],
  KubePodOOMKilled: ['error_rate', 'latency', 'memory_usage', 'restarts'],
  KubePodImagePullBackOff: [],
};

/**
 * Signals that build up to a Kubernetes failure of the same workload before it happens: memory grows until the
 * kernel kills the pod (a leak can take minutes to reach the limit). However late such a failure comes, it is the
 * fault that signal was about.
 */
const KUBE_FAILURE_PRECURSORS: Record<string, readonly string[]> = {
  KubePodOOMKilled: ['memory_usage'],
};

/**
 * Kubernetes failures of a container that runs: it is killed for its memory, or keeps exiting, and backs off (one can
 * turn into the other). An image that cannot be pulled never runs a container, and nothing a running one does stops
 * its image from being pulled: the two are never one failure of the same pods.
 */
const RUNNING_CONTAINER_FAILURES = new Set(['KubePodCrashLooping', 'KubePodOOMKilled']);
const NEVER_RAN = 'KubePodImagePullBackOff';

/** Whether Kubernetes failures of kinds `a` and `b` of one workload cannot be one fault. */
export function kubeFailuresExclusive(a: string, b: string): boolean {
  return (a === NEVER_RAN && RUNNING_CONTAINER_FAILURES.has(b)) || (b === NEVER_RAN && RUNNING_CONTAINER_FAILURES.has(a));
}

/** Whether one of these detection signals of its service builds up to a Kubernetes failure of `type`. */
export function kubeFailureFollows(type: string, signals: readonly string[]): boolean {
  return (KUBE_FAILURE_PRECURSORS[type] ?? []).some((s) => signals.includes(s));
}

/** Whether a Kubernetes failure of `type` can account for every one of these detection signals of its own service. */
export function kubeFailureCanShowAs(type: string, signals: readonly string[]): boolean {
  const shows = KUBE_FAILURE_SHOWS_AS[type];
  if (!shows) return true;
  return signals.every((signal) => shows.some((s) => signal === s || (s === 'latency' && signal.startsWith('latency'))));
}

/** Detection signal names (as in the anomaly reasons) → what they say. */
export function signalsFromReasons(reasons: readonly string[] | undefined): string[] {
  const found = new Set<string>();
  for (const r of reasons ?? []) {
    const m = /^\s*(?:[a-z]+:\s*)?(error_rate|latency_p\d+|latency|cpu_usage|memory_usage|request_rate|restarts)\b/.exec(r);
    if (m) found.add(m[1]);
  }
  return [...found].sort();
}

/** Detection signal names anywhere in a text (an anomaly incident's title names the signals it opened on). */
export function signalsIn(text: string): string[] {
  return [...new Set(text.match(/\b(error_rate|latency_p\d+|cpu_usage|memory_usage)\b/g) ?? [])].sort();
}

/** The request signal a detection signal measures (errors or latency), if any. */
export function requestSignal(signal: string): EdgeSignal | undefined {
  return signal === 'error_rate' ? 'errors' : signal.startsWith('latency') ? 'latency' : undefined;
}

/** An alert as grouping weighs it: `onset` is the pipeline's own reading of which request signals began with it. */
export type SymptomAlert = Pick<NormalizedAlert, 'type' | 'signals' | 'message' | 'observed'> & { onset?: ReadonlySet<EdgeSignal> };

export function symptomOf(alert: SymptomAlert): SymptomSignals {
  if (OWN_FAILURE.test(alert.type)) return { own: true };
  const observed = alert.observed ? { observed: alert.observed } : {};
  if (alert.signals?.length) {
    const request = new Set<EdgeSignal>();
    let own = false;
    for (const s of alert.signals) {
      const r = requestSignal(s);
      if (r) request.add(r);
      else if (s === 'cpu_usage' || s === 'memory_usage' || s === 'restarts') own = true;
    }
    // A resource signal beside request signals: the workload is doing something itself (a CPU spike slows it).
    return { own, ...(request.size ? { request } : {}), ...observed, ...(alert.onset ? { onset: alert.onset } : {}) };
  }
  const text = `${alert.type} ${alert.message}`;
  const request = new Set<EdgeSignal>();
  if (/error|5xx|availability|fail/i.test(text)) request.add('errors');
  if (/latency|slow|duration|timeout/i.test(text)) request.add('latency');
  return { own: false, ...(request.size ? { request } : {}), ...observed };
}

export type Explanation = 'explained' | 'unexplained' | 'unknown';

/**
 * Whether `caller`'s symptom comes from calls into `targets` (the services of a callee's incident): a path
 * from the caller to one of them over edges that are abnormal now, the first hop in the symptom's own signal
 * (errors explain errors; latency explains latency), later hops in either. `unknown` without evidence. A first hop
 * into a callee of `coOnset` (anomalous in the same pull as the symptom) needs only to be rising; one that was already
 * failing as it is now before the symptom's onset explains none of the signals that began then.
 */
export function explains(
  caller: string,
  symptom: SymptomSignals,
  targets: ReadonlySet<string>,
  evidence: readonly EdgeHealth[] | undefined,
  coOnset: ReadonlySet<string> = new Set(),
): Explanation {
  if (symptom.own) return 'unexplained';
  if (!evidence) return 'unknown';
  const bad = new Map<string, { to: string; signals: Set<EdgeSignal> }[]>();
  for (const e of evidence) {
    // A callee the same pull found anomalous, whose edge is rising, is failing now: its detection is the noise guard.
    const signals = e.from === caller && coOnset.has(e.to) ? risingSignals(e) : abnormalSignals(e);
    if (e.from === caller && symptom.onset) for (const s of settledSignals(e)) if (symptom.onset.has(s)) signals.delete(s);
    if (signals.size) (bad.get(e.from) ?? bad.set(e.from, []).get(e.from)!).push({ to: e.to, signals });
  }
  const reaches = (first: string[]): boolean => {
    const seen = new Set<string>([caller]);
    let frontier = first;
    while (frontier.length) {
      const next: string[] = [];
      for (const s of frontier) {
        if (seen.has(s)) continue;
        seen.add(s);
        if (targets.has(s)) return true;
        next.push(...(bad.get(s) ?? []).map((e) => e.to));
      }
      frontier = next;
    }
    return false;
  };
  const out = bad.get(caller) ?? [];
  // Every request signal of the symptom needs its own explanation: errors from a failing callee do not
  // explain a latency rise that came with them (a fault of the caller's own starting meanwhile).
  const wanted = symptom.request ? [...symptom.request] : undefined;
  if (!wanted) return reaches(out.map((e) => e.to)) ? 'explained' : 'unexplained';
  const explaining = new Map(wanted.map((signal) => [signal, out.filter((e) => e.signals.has(signal) && reaches([e.to]))]));
  if ([...explaining.values()].some((edges) => edges.length === 0)) return 'unexplained';
  const errorCallees = explaining.get('errors');
  if (errorCallees && errorsBeyondCallees(caller, symptom, evidence, new Set(errorCallees.map((e) => e.to)))) return 'unexplained';
  if (explaining.has('latency') && latencyBeyondCallees(caller, symptom, evidence)) return 'unexplained';
  return 'explained';
}

/** Whether the caller is far slower than all its calls together can make it (a slowdown of its own). */
function latencyBeyondCallees(caller: string, symptom: SymptomSignals, evidence: readonly EdgeHealth[]): boolean {
  const p95 = symptom.observed?.latencyP95Seconds;
  const rps = symptom.observed?.requestsPerSecond;
  if (p95 === undefined || !rps) return false;
  let perRequestMs = 0;
  for (const e of evidence) if (e.from === caller && e.latencyMs !== undefined) perRequestMs += (e.rps / rps) * e.latencyMs;
  return p95 * 1000 > LATENCY_SHARE.factor * perRequestMs + LATENCY_SHARE.marginMs;
}

/** Whether the caller fails far more often than its failing calls into `callees` can account for (a fault of its own). */
function errorsBeyondCallees(caller: string, symptom: SymptomSignals, evidence: readonly EdgeHealth[], callees: ReadonlySet<string>): boolean {
  const errorRatio = symptom.observed?.errorRatio;
  const rps = symptom.observed?.requestsPerSecond;
  if (errorRatio === undefined || !rps) return false;
  let explainable = 0;
  for (const e of evidence) {
    if (e.from !== caller || !callees.has(e.to)) continue;
    explainable += (e.rps / rps) * Math.max(0, e.errorRatio - (e.baselineErrorRatio ?? 0));
  }
  return errorRatio > ERROR_SHARE.factor * explainable + ERROR_SHARE.margin;
}
