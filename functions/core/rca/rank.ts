/**
 * Offline root-cause ranking over a service call graph and per-service metrics (pure, no I/O).
 *
 * Method (three steps, every number is explainable):
 *
 * 1. Metric anomaly. For each (node, metric) series the samples are split at `split` into a normal window
 *    (ts < split) and an incident window (ts >= split); NaN / non-finite values are dropped. The anomaly is a
 *    robust effect size: the shift of the incident median from the normal median, and the shift of the incident
 *    tail quantile (p75 for "rising is bad", p25 for "falling is bad") from the same quantile of the normal
 *    window (weighted 0.7), in units of the normal scale
 *        scale = max(1.4826 * MAD (or 1.2533 * mean |x - median| when the MAD is 0), floor),
 *    floor = 1e-3 for series living in [0,1] (ratios: availability, cpu fraction, error rate) and
 *    1% of |normal median| (at least 1e-9) otherwise, so constant series do not explode; above 10 the effect
 *    grows logarithmically (10 * (1 + ln(z / 10))) and is capped at `zCap` (100). The direction comes from the metric name: availability / success / uptime / hit-rate / free / idle
 *    falling is bad, latency / duration / error / cpu / memory / saturation rising is bad; shifts in the good direction
 *    count 0; unknown names (e.g. `requests`) count the absolute shift. A series with no normal or no incident
 *    sample has anomaly 0. Node anomaly a(n) = max over its metrics.
 *
 * 2. Candidates. The target and every node reachable from it along caller -> callee edges (its dependencies;
 *    cycles are fine, BFS). When the target is not in the graph, every node seen in the graph or the metrics is a
 *    candidate. If no candidate reaches a(n) >= `threshold` (robust z 3), the result is [] (nothing abnormal).
 *
 * 3. Score. An anomaly originates at the root cause and propagates upward to callers, so a root cause is an
 *    abnormal node whose callees are not (comparably) abnormal. With s(z) = 1 - exp(-max(0, z - 1.5) / 2)
 *    (a soft "is abnormal" in [0,1)):
 *        explained(n) = max over callees c of  s(a(c)) * min(1, a(c) / (rho * a(n)))
 *    (for a callee on the same cycle as n, i.e. in the same strongly connected component, anomalies flow both
 *    ways, so the weight is a ramp from 0 at a(c) = 0.7 a(n) to 1 at a(c) >= a(n) instead)
 *        support(n)   = mean over callers p of s(a(p))             (any caller, also outside the candidate set)
 *        score(n)     = s(a(n)) * (1 - u * explained(n)) * (1 + w * support(n)) * (1 + k * corr(n))
 *    with u = 0.9, rho = 0.5, w = 0.5, k = 0.1. corr(n) is the largest |Pearson r| between any metric of n and
 *    the target's `targetMetric`, on timestamps present in both series, normal and incident windows together (the
 *    step at the split is what makes a dependency track the target; 0 without a target metric): a small
 *    tie-breaker. Scores are divided by the largest one (so the top node has score 1) and rounded to 6 digits;
 *    candidates with s(a(n)) = 0 are left out. Order: score desc, then node name.
 */

import { isSymptomMetric, isTrafficMetric, metricDirection, metricFamily, normalMedian, onsetTime, quantileSorted, seriesEffect } from './rank-evidence.ts';
import type { Direction, Effect } from './rank-evidence.ts';

export interface Edge {
  from: string;
  to: string;
}

export interface Sample {
  ts: number;
  node: string;
  metric: string;
  value: number;
}

/** One (node, metric) series; `ts` and `value` have the same length, any order. */
export interface Series {
  node: string;
  metric: string;
  ts: ArrayLike<number>;
  value: ArrayLike<number>;
}

export interface RankInput {
  edges: Edge[];
  samples: Sample[];
  split: number;
  target: string;
  targetMetric?: string;
}

export interface RankSeriesInput {
  edges: Edge[];
  series: Series[];
  split: number;
  target: string;
  targetMetric?: string;
}

export interface RankOptions {
  /** Robust z (after traffic weighting) some candidate must reach for anything to be reported (default 4). */
  threshold?: number;
  /** Cap on a metric's robust z (default 100). */
  zCap?: number;
  /** Scale floor relative to |normal median| for unbounded series (default 0.05). */
  relFloor?: number;
  /** Absolute scale floor for series inside [0,1] (default 1e-3). */
  fractionFloor?: number;
  /** Relative median shift below which a metric's evidence is scaled down (default 0.1). */
  minRelChange?: number;
  /** Absolute shift below which a [0,1] metric's evidence is scaled down (default 0.005). */
  minFractionChange?: number;
  /** A node whose normal traffic is below this share of the busiest node's is down-weighted (default 0.01). */
  minTrafficShare?: number;
  /** z below which a metric is treated as noise in the evidence sum (default 1.5). */
  noiseZ?: number;
  /** Weight of the 2nd, 3rd, ... metric family in a node's evidence (1 = sum, 0 = max; default 0.5). */
  familyDecay?: number;
  /** Weight of request-count metrics as evidence (they change on callers too; default 0.5). */
  trafficEvidence?: number;
  /** u: how much a more abnormal callee explains a node away (default 0.5). */
  calleePenalty?: number;
  /** Kept for compatibility; unused since the evidence-based scoring. */
  explainRatio?: number;
  /** w: support from callers that show symptoms (latency, errors, availability) (default 0.5). */
  callerWeight?: number;
  /** p: bonus for the node(s) that deviated first after the split (default 0.2). */
  precedenceWeight?: number;
  /** k: weight of the correlation with the target metric (default 0.1). */
  correlationWeight?: number;
  /** Evidence at which the top score reaches 1; weaker incidents get lower scores (default 2.5). */
  confidentEvidence?: number;
}

export interface RankedNode {
  node: string;
  score: number;
}


export interface NodeDetail {
  node: string;
  /** a(n): max robust z over the node's metrics. */
  anomaly: number;
  /** Metric that gave a(n) ('' when the node has no metrics). */
  topMetric: string;
  candidate: boolean;
  explained: number;
  support: number;
  correlation: number;
  /** Unnormalised score (0 for non-candidates). */
  rawScore: number;
  /** E(n): combined evidence over metric families, traffic-weighted. */
  evidence: number;
  /** Traffic weight in (0,1] (1 without a request-count metric). */
  trafficWeight: number;
  /** When the node first deviated after the split (Infinity: never). */
  onset: number;
}

export interface RankAnalysis {
  ranking: RankedNode[];
  nodes: NodeDetail[];
  /** Per-series robust z, for explanations. */
  metrics: { node: string; metric: string; z: number; direction: Direction }[];
}

const DEFAULTS: Required<RankOptions> = {
  threshold: 4,
  zCap: 100,
  relFloor: 0.05,
  fractionFloor: 1e-3,
  minRelChange: 0.1,
  minFractionChange: 0.005,
  minTrafficShare: 0.01,
  noiseZ: 1.5,
  familyDecay: 0.5,
  trafficEvidence: 0.5,
  calleePenalty: 0.5,
  explainRatio: 0.5,
  callerWeight: 0.5,
  precedenceWeight: 0.2,
  correlationWeight: 0.1,
  confidentEvidence: 2.5,
};

export { metricDirection, quantileSorted };
export type { Direction };

/**
 * Robust z of the incident window against the normal window (see rank-evidence.ts).
 * Inputs may contain NaN (ignored) and need not be sorted. Returns 0 when either window is empty.
 */
export function metricAnomaly(normal: ArrayLike<number>, incident: ArrayLike<number>, direction: Direction, options: RankOptions = {}): number {
  return seriesEffect(normal, incident, direction, { ...DEFAULTS, ...options }).z;
}

/** Pearson r on timestamps present in both series (duplicate timestamps: last value wins); 0 if < 3 pairs or constant. */
export function alignedPearson(a: Series, b: Series): number {
  const byTs = new Map<number, number>();
  for (let i = 0; i < b.ts.length; i++) if (Number.isFinite(b.value[i])) byTs.set(b.ts[i], b.value[i]);
  const seen = new Map<number, number>();
  for (let i = 0; i < a.ts.length; i++) if (Number.isFinite(a.value[i]) && byTs.has(a.ts[i])) seen.set(a.ts[i], a.value[i]);
  const n = seen.size;
  if (n < 3) return 0;
  let sx = 0;
  let sy = 0;
  for (const [t, x] of seen) {
    sx += x;
    sy += byTs.get(t)!;
  }
  const mx = sx / n;
  const my = sy / n;
  let cxy = 0;
  let cxx = 0;
  let cyy = 0;
  for (const [t, x] of seen) {
    const dx = x - mx;
    const dy = byTs.get(t)! - my;
    cxy += dx * dy;
    cxx += dx * dx;
    cyy += dy * dy;
  }
  if (cxx <= 0 || cyy <= 0) return 0;
  const r = cxy / Math.sqrt(cxx * cyy);
  return Number.isFinite(r) ? Math.max(-1, Math.min(1, r)) : 0;
}

/** Strongly connected components (iterative Tarjan); node -> component id. */
export function stronglyConnected(nodes: string[], next: Map<string, Set<string>>): Map<string, number> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const comp = new Map<string, number>();
  let counter = 0;
  let comps = 0;
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { v: string; it: Iterator<string> }[] = [];
    const enter = (v: string): void => {
      index.set(v, counter);
      low.set(v, counter++);
      stack.push(v);
      onStack.add(v);
      work.push({ v, it: (next.get(v) ?? new Set<string>()).values() });
    };
    enter(start);
    while (work.length) {
      const top = work[work.length - 1];
      const step = top.it.next();
      if (!step.done) {
        const w = step.value;
        if (!index.has(w)) enter(w);
        else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].v;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
      }
      if (low.get(top.v) === index.get(top.v)) {
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.set(w, comps);
        } while (w !== top.v);
        comps++;
      }
    }
  }
  return comp;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Diminishing evidence of one robust z: nothing below the noise level, logarithmic above it. */
const evidenceOf = (z: number, noiseZ: number): number => Math.log1p(Math.max(0, z - noiseZ));

interface NodeState {
  famZ: Map<string, number>;
  symptomZ: number;
  anomaly: number;
  topMetric: string;
  traffic: number;
  hasTraffic: boolean;
  onset: number;
}

/** Full analysis over pre-grouped series (what the CLI uses: no per-row objects). */
export function analyzeSeries(input: RankSeriesInput, options: RankOptions = {}): RankAnalysis {
  const o = { ...DEFAULTS, ...options };
  const { split, target } = input;
  if (!Number.isFinite(split)) throw new Error('split must be a finite number');

  // graph (self-loops ignored, duplicate edges collapsed)
  const callees = new Map<string, Set<string>>();
  const callers = new Map<string, Set<string>>();
  const nodes = new Set<string>();
  const addTo = (m: Map<string, Set<string>>, k: string, v: string): void => {
    let s = m.get(k);
    if (!s) m.set(k, (s = new Set()));
    s.add(v);
  };
  for (const e of input.edges) {
    nodes.add(e.from);
    nodes.add(e.to);
    if (e.from === e.to) continue;
    addTo(callees, e.from, e.to);
    addTo(callers, e.to, e.from);
  }
  const inGraph = nodes.has(target);

  // 1. per-series effects, grouped per node
  const metrics: RankAnalysis['metrics'] = [];
  const state = new Map<string, NodeState>();
  const effects: { s: Series; e: Effect }[] = [];
  for (const s of input.series) {
    nodes.add(s.node);
    const normal: number[] = [];
    const incident: number[] = [];
    for (let i = 0; i < s.ts.length; i++) (s.ts[i] < split ? normal : incident).push(s.value[i]);
    const direction = metricDirection(s.metric);
    const e = seriesEffect(normal, incident, direction, o);
    effects.push({ s, e });
    metrics.push({ node: s.node, metric: s.metric, z: e.z, direction });
    let st = state.get(s.node);
    if (!st) state.set(s.node, (st = { famZ: new Map(), symptomZ: 0, anomaly: 0, topMetric: '', traffic: 0, hasTraffic: false, onset: Infinity }));
    const traffic = isTrafficMetric(s.metric);
    if (traffic) {
      const m = normalMedian(s.ts, s.value, split);
      st.hasTraffic = true;
      if (m > st.traffic) st.traffic = m;
    }
    const z = traffic ? e.z * o.trafficEvidence : e.z;
    const fam = metricFamily(s.metric);
    if (z > (st.famZ.get(fam) ?? 0)) st.famZ.set(fam, z);
    if (isSymptomMetric(s.metric) && z > st.symptomZ) st.symptomZ = z;
    if (st.topMetric === '' || z > st.anomaly || (z === st.anomaly && s.metric < st.topMetric)) {
      st.anomaly = z;
      st.topMetric = s.metric;
    }
  }
  nodes.add(target);

  // 2. traffic weight: a node that sees a sliver of the traffic has noisy percentiles and ratios
  let maxTraffic = 0;
  for (const st of state.values()) if (st.hasTraffic) maxTraffic = Math.max(maxTraffic, st.traffic);
  const trafficWeight = (n: string): number => {
    const st = state.get(n);
    if (!st || !st.hasTraffic || o.minTrafficShare <= 0 || maxTraffic <= 0) return 1;
    return Math.min(1, Math.sqrt(st.traffic / maxTraffic / o.minTrafficShare));
  };
  const a = (n: string): number => (state.get(n)?.anomaly ?? 0) * trafficWeight(n);
  const evidence = new Map<string, number>();
  for (const [n, st] of state) {
    const parts = [...st.famZ.values()].map((z) => evidenceOf(z, o.noiseZ)).sort((x, y) => y - x);
    let e = 0;
    for (let i = 0; i < parts.length; i++) e += parts[i] * o.familyDecay ** i;
    evidence.set(n, e * trafficWeight(n));
  }
  const E = (n: string): number => evidence.get(n) ?? 0;
  const symptom = (n: string): number => evidenceOf(state.get(n)?.symptomZ ?? 0, o.noiseZ) * trafficWeight(n);

  // 3. onsets: the first persistent deviation of any clearly abnormal series
  for (const { s, e } of effects) {
    if (e.z < o.threshold) continue;
    const st = state.get(s.node)!;
    st.onset = Math.min(st.onset, onsetTime(s.ts, s.value, split, e));
  }

  // candidates: target + everything reachable along caller -> callee (or everything when target is not in the graph)
  const candidates = new Set<string>();
  if (inGraph) {
    const queue = [target];
    candidates.add(target);
    for (let q = 0; q < queue.length; q++) {
      for (const c of callees.get(queue[q]) ?? []) {
        if (!candidates.has(c)) {
          candidates.add(c);
          queue.push(c);
        }
      }
    }
  } else {
    for (const n of nodes) candidates.add(n);
  }

  // correlation with the target metric
  const corr = new Map<string, number>();
  const targetSeries = input.targetMetric === undefined ? undefined : input.series.find((s) => s.node === target && s.metric === input.targetMetric);
  if (targetSeries && o.correlationWeight !== 0) {
    for (const s of input.series) {
      if (s === targetSeries || !candidates.has(s.node) || E(s.node) === 0) continue;
      const r = Math.abs(alignedPearson(s, targetSeries));
      if (r > (corr.get(s.node) ?? 0)) corr.set(s.node, r);
    }
  }

  let maxCandidateAnomaly = 0;
  let earliest = Infinity;
  for (const n of candidates) {
    maxCandidateAnomaly = Math.max(maxCandidateAnomaly, a(n));
    if (a(n) >= o.threshold) earliest = Math.min(earliest, state.get(n)?.onset ?? Infinity);
  }
  const abnormal = maxCandidateAnomaly >= o.threshold;

  // 4. graph position: a failing dependency explains its callers' symptoms
  const sortedNodes = [...nodes].sort(byName);
  const details: NodeDetail[] = [];
  for (const n of sortedNodes) {
    const en = E(n);
    let explained = 0;
    for (const c of callees.get(n) ?? []) explained = Math.max(explained, E(c));
    let support = 0;
    for (const p of callers.get(n) ?? []) support = Math.max(support, symptom(p));
    const correlation = corr.get(n) ?? 0;
    const candidate = candidates.has(n);
    const onset = state.get(n)?.onset ?? Infinity;
    let rawScore = 0;
    if (candidate && abnormal && state.has(n) && (en > 0 || support > 0)) {
      rawScore = Math.max(0, en + o.callerWeight * support - o.calleePenalty * Math.max(0, explained - en));
      if (Number.isFinite(earliest) && onset === earliest) rawScore *= 1 + o.precedenceWeight;
      rawScore *= 1 + o.correlationWeight * correlation;
    }
    details.push({ node: n, anomaly: a(n), topMetric: state.get(n)?.topMetric ?? '', candidate, explained, support, correlation, rawScore, evidence: en, trafficWeight: trafficWeight(n), onset });
  }

  // 5. calibrated scores: relative to the top node, and the top reaches 1 only with confident evidence
  const scored = details.filter((d) => d.rawScore > 0);
  const max = scored.reduce((m, d) => Math.max(m, d.rawScore), 0);
  const denom = Math.max(max, o.confidentEvidence);
  const ranking = scored
    .map((d) => ({ node: d.node, score: Math.round((d.rawScore / denom) * 1e6) / 1e6 }))
    .filter((r) => r.score > 0)
    .sort((x, y) => y.score - x.score || byName(x.node, y.node));
  return { ranking, nodes: details, metrics };
}

/** Groups row samples into series. */
export function groupSamples(samples: Sample[]): Series[] {
  const map = new Map<string, { node: string; metric: string; ts: number[]; value: number[] }>();
  for (const s of samples) {
    const key = `${s.node}\u0000${s.metric}`;
    let g = map.get(key);
    if (!g) map.set(key, (g = { node: s.node, metric: s.metric, ts: [], value: [] }));
    g.ts.push(s.ts);
    g.value.push(s.value);
  }
  return [...map.values()];
}

/** Ranks likely root causes of an incident at `target`, highest score first; [] when nothing looks abnormal. */
export function rankRootCauses(input: RankInput, options: RankOptions = {}): RankedNode[] {
  return analyzeSeries(
    { edges: input.edges, series: groupSamples(input.samples), split: input.split, target: input.target, targetMetric: input.targetMetric },
    options,
  ).ranking;
}
