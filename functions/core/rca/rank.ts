/**
 * Offline root-cause ranking over a service call graph and per-service metrics (pure, no I/O).
 *
 * Built for real telemetry (sparse, heavy-tailed, bursty, wildly different scales), every step explainable:
 *
 * 1. Evidence per series (rank-evidence.ts): the shift of the incident window's median (and, weighted 0.7, of
 *    its p75 / p25 tail) from the normal window's, in robust scales max(1.4826 MAD, relFloor |median|, or
 *    fractionFloor for ratios), only in the metric's bad direction (from its name: availability falling,
 *    latency / errors / cpu rising; request counts either way), scaled down when the shift is small in
 *    relative terms (minRelChange; minFractionChange for ratios), log-compressed above z = 10.
 * 2. Traffic: request-derived metrics (latency, errors, availability) and request counts of a node whose traffic
 *    is below minTrafficShare of the busiest node's are weighted down linearly (three requests a minute are
 *    noise); resource metrics (cpu, memory, network) keep their weight.
 * 3. Node evidence E(n) = sum over metric families (latency.p50/p90/p99 are one family) of ln(1 + z - noiseZ),
 *    the k-th strongest weighted familyDecay^k: several independent signals beat one loud one, and nothing
 *    saturates. a(n) = the node's largest weighted z.
 * 4. Candidates: the target and every node reachable from it along caller -> callee edges (every node when the
 *    target is not in the graph). "Nothing abnormal" ([]): no candidate reaches a(n) >= threshold, a bar raised
 *    up to (1 + quietTargetFactor) times when the target reports latency / availability and they did not move.
 * 5. Graph position and time: raw(n) = E(n) + w * S(n) - u * max(0, X(n) - E(n)), where S(n) is the strongest
 *    symptom evidence among n's callers (a failing dependency explains its callers' symptoms, even when its own
 *    metrics are flat, as with a network delay) and X(n) the strongest evidence among n's callees (a node whose
 *    anomaly a more abnormal dependency explains is pushed down); x (1 + precedenceWeight) for the node(s) that
 *    deviated first after the split (onset: two of three consecutive samples beyond 3 scales); x (1 + k |r|)
 *    with the correlation r to the target metric when one is given.
 * 6. Scores: raw / max(top raw, confidentEvidence), rounded to 6 digits: the top node reaches 1 only with
 *    confident evidence, other nodes are relative to it. Order: score desc, then node name.
 *
 * Defaults were chosen by cross-validation (bench/support/rank-cv.ts: leave-one-system-out and 5-fold over the
 * Nezha cases, plus generator calibration seeds for the [] gate); bench/rank.bench.ts reports both figures.
 */

import { isSymptomMetric, isTrafficMetric, metricDirection, metricFamily, onsetTime, quantileSorted, seriesEffect } from './rank-evidence.ts';
import type { Direction, Effect } from './rank-evidence.ts';
import { callGraph, candidatesOf, graphScores, probabilityRanking, type NodeSignal, type ScoreForm } from './graph-ranking.ts';

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

/** Something that changed on a node (a deploy, a rollout, a config change); `at` in the series' time unit. */
export interface Change {
  node: string;
  at: number;
  kind: string;
  detail?: string;
}

/** One caller -> callee series as the caller sees its calls (latency, errors, requests). */
export interface EdgeSeries {
  from: string;
  to: string;
  metric: string;
  ts: ArrayLike<number>;
  value: ArrayLike<number>;
}

export interface EdgeSample {
  ts: number;
  from: string;
  to: string;
  metric: string;
  value: number;
}

export interface RankInput {
  edges: Edge[];
  samples: Sample[];
  split: number;
  target: string;
  targetMetric?: string;
  changes?: Change[];
  edgeSamples?: EdgeSample[];
}

export interface RankSeriesInput {
  edges: Edge[];
  series: Series[];
  split: number;
  target: string;
  targetMetric?: string;
  changes?: Change[];
  edgeSeries?: EdgeSeries[];
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
  /** When the target reports latency / error / availability metrics and none of them moved, a candidate must
   * reach threshold * (1 + quietTargetFactor) to be reported: users feel real incidents (default 2). */
  quietTargetFactor?: number;
  /** Target symptom z at which the target counts as clearly affected (default 2). */
  targetSymptomZ?: number;
  /** Kept for compatibility; unused since scores are probabilities (temperature, noneLogit). */
  confidentEvidence?: number;
  /** Weight of caller-side edge evidence (latency, errors of the calls to a node) in the callee's evidence (default 1). */
  edgeWeight?: number;
  /** How much of a node's symptoms the edge evidence of its own calls explains away (0 = off, the default: it lost in CV). */
  edgeExplain?: number;
  /** Raw-score bonus of a candidate changed shortly before its symptoms began (default 3). */
  changeWeight?: number;
  /** A change this long (seconds) before the split still counts (default 3600). */
  changeWindow?: number;
  /** With a recent change on a candidate, the "nothing abnormal" bar is threshold x this (default 0.5). */
  changeGate?: number;
  /** Shared-sink discount, see graph-ranking.ts (default 0: never chosen in CV, no dev set shows the pattern). */
  sinkPenalty?: number;
  /** Softmax temperature of the probability scores (default 1.5). */
  temperature?: number;
  /** Logit of "none of these / uncertain" (default 1). */
  noneLogit?: number;
  /** Logits are the raw scores ('linear') or their logarithms ('log'; default 'linear'). */
  scoreForm?: ScoreForm;
  /** Only the K strongest candidates share the probability mass (0 = all; default 0). */
  topK?: number;
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
  /** Raw-score bonus from a change shortly before its symptoms (0: none). */
  changeBonus: number;
}

export interface RankAnalysis {
  ranking: RankedNode[];
  nodes: NodeDetail[];
  /** Per-series robust z, for explanations. */
  metrics: { node: string; metric: string; z: number; direction: Direction }[];
}

const DEFAULTS: Required<RankOptions> = {
  threshold: 3,
  zCap: 100,
  relFloor: 0.05,
  fractionFloor: 1e-3,
  minRelChange: 0.1,
  minFractionChange: 0.005,
  minTrafficShare: 0.03,
  noiseZ: 1.5,
  familyDecay: 1,
  trafficEvidence: 0.5,
  calleePenalty: 0.25,
  explainRatio: 0.5,
  callerWeight: 0.25,
  precedenceWeight: 0.2,
  correlationWeight: 0.1,
  confidentEvidence: 2.5,
  quietTargetFactor: 2,
  targetSymptomZ: 2,
  // chosen by leave-one-system-out over Nezha (2 systems), the simulator's mesh and the X-Ray-style generator
  // (bench/rank.bench.ts `rank-cv`, `chosen_on_all_systems`; bench/RANK-CHANGELOG.md)
  edgeWeight: 1,
  edgeExplain: 0,
  changeWeight: 3,
  changeWindow: 3600,
  changeGate: 0.5,
  sinkPenalty: 0,
  temperature: 1.5,
  noneLogit: 1,
  scoreForm: 'linear',
  topK: 0,
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

/** Mean request count over both windows (a median is 0 for sparse counts; a failing node may lose its traffic). */
function meanTraffic(value: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    if (Number.isFinite(value[i])) {
      sum += Math.max(0, value[i]);
      n++;
    }
  }
  return n ? sum / n : 0;
}

interface NodeState {
  famZ: Map<string, number>;
  /** Families that are symptoms (latency, errors, availability, and the edge evidence of calls to the node). */
  symFams: Set<string>;
  symptomZ: number;
  anomaly: number;
  topMetric: string;
  onset: number;
  hasSymptoms: boolean;
}

/** Full analysis over pre-grouped series (what the CLI uses: no per-row objects). */
export function analyzeSeries(input: RankSeriesInput, options: RankOptions = {}): RankAnalysis {
  const o = { ...DEFAULTS, ...options };
  const { split, target } = input;
  if (!Number.isFinite(split)) throw new Error('split must be a finite number');

  let graph = callGraph(input.edges);
  const nodes = new Set(graph.nodes);

  // 1. per-series effects, grouped per node
  // 1. traffic per node: request-derived statistics (percentiles, availability) of a node that sees a sliver
  //    of the traffic are noise, so their evidence is weighted by the node's traffic share
  const traffic = new Map<string, number>();
  for (const s of input.series) {
    if (!isTrafficMetric(s.metric)) continue;
    traffic.set(s.node, Math.max(traffic.get(s.node) ?? 0, meanTraffic(s.value)));
  }
  let maxTraffic = 0;
  for (const t of traffic.values()) maxTraffic = Math.max(maxTraffic, t);
  const trafficWeight = (n: string): number => {
    const t = traffic.get(n);
    if (t === undefined || o.minTrafficShare <= 0 || maxTraffic <= 0) return 1;
    return Math.min(1, t / maxTraffic / o.minTrafficShare);
  };

  // 2. per-series effects, grouped per node (resource metrics such as cpu keep their full weight; request counts
  //    and request-derived metrics are weighted by traffic)
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
    if (!st) state.set(s.node, (st = { famZ: new Map(), symFams: new Set(), symptomZ: 0, anomaly: 0, topMetric: '', onset: Infinity, hasSymptoms: false }));
    const symptomMetric = isSymptomMetric(s.metric);
    const z = isTrafficMetric(s.metric) ? e.z * o.trafficEvidence * trafficWeight(s.node) : symptomMetric ? e.z * trafficWeight(s.node) : e.z;
    const fam = metricFamily(s.metric);
    if (z > (st.famZ.get(fam) ?? 0)) st.famZ.set(fam, z);
    if (symptomMetric) st.symFams.add(fam);
    if (symptomMetric) {
      st.hasSymptoms = true;
      if (z > st.symptomZ) st.symptomZ = z;
    }
    if (st.topMetric === '' || z > st.anomaly || (z === st.anomaly && s.metric < st.topMetric)) {
      st.anomaly = z;
      st.topMetric = s.metric;
    }
  }
  // 2b. edge evidence: how the callers see their calls to a node (latency, errors) is the node's evidence, even
  //     when its own metrics are flat (a network delay, failures counted only at the caller)
  const edgeList = [...input.edges];
  const edgeEvidence = new Map<string, number>();
  for (const s of input.edgeSeries ?? []) {
    if (isTrafficMetric(s.metric) || s.from === s.to) continue;
    if (!graph.nodes.has(s.from) || !graph.nodes.has(s.to)) edgeList.push({ from: s.from, to: s.to });
    const normal: number[] = [];
    const incident: number[] = [];
    for (let i = 0; i < s.ts.length; i++) (s.ts[i] < split ? normal : incident).push(s.value[i]);
    const direction = metricDirection(s.metric);
    const e = seriesEffect(normal, incident, direction, o);
    const label = `edge:${s.from}->${s.to}:${s.metric}`;
    metrics.push({ node: s.to, metric: label, z: e.z, direction });
    effects.push({ s: { node: s.to, metric: label, ts: s.ts, value: s.value }, e });
    nodes.add(s.to);
    nodes.add(s.from);
    let st = state.get(s.to);
    if (!st) state.set(s.to, (st = { famZ: new Map(), symFams: new Set(), symptomZ: 0, anomaly: 0, topMetric: '', onset: Infinity, hasSymptoms: false }));
    const z = e.z * o.edgeWeight * Math.min(trafficWeight(s.from), 1);
    const fam = `edge.${metricFamily(s.metric)}`;
    if (z > (st.famZ.get(fam) ?? 0)) st.famZ.set(fam, z);
    if (isSymptomMetric(s.metric)) {
      st.symFams.add(fam);
      if (z > st.symptomZ) st.symptomZ = z;
      const key = `${s.from}\u0000${s.to}`;
      edgeEvidence.set(key, Math.max(edgeEvidence.get(key) ?? 0, evidenceOf(z, o.noiseZ)));
    }
    if (st.topMetric === '' || z > st.anomaly) {
      st.anomaly = z;
      st.topMetric = label;
    }
  }
  if (edgeList.length !== input.edges.length) graph = callGraph(edgeList);
  nodes.add(target);

  const a = (n: string): number => state.get(n)?.anomaly ?? 0;
  const evidence = new Map<string, number>();
  for (const [n, st] of state) {
    const parts = [...st.famZ].map(([fam, z]) => ({ v: evidenceOf(z, o.noiseZ), symptom: st.symFams.has(fam) })).sort((x, y) => y.v - x.v);
    // symptoms the node's own calls explain (edge evidence of n -> callee as strong as n's strongest symptom)
    // are its callee's, not its own: MicroRCA-style attribution along the edge
    let explainedBy = 0;
    for (const c of graph.callees.get(n) ?? []) explainedBy = Math.max(explainedBy, edgeEvidence.get(`${n}\u0000${c}`) ?? 0);
    const topSymptom = Math.max(0, ...parts.filter((p) => p.symptom).map((p) => p.v));
    const share = topSymptom > 0 ? Math.min(1, (o.edgeExplain * explainedBy) / topSymptom) : 0;
    let e = 0;
    for (let i = 0; i < parts.length; i++) e += parts[i].v * o.familyDecay ** i * (parts[i].symptom ? 1 - share : 1);
    evidence.set(n, e);
  }
  const E = (n: string): number => evidence.get(n) ?? 0;
  const symptom = (n: string): number => evidenceOf(state.get(n)?.symptomZ ?? 0, o.noiseZ);

  // 3. onsets: the first persistent deviation of any clearly abnormal series
  for (const { s, e } of effects) {
    if (e.z < o.threshold) continue;
    const st = state.get(s.node)!;
    st.onset = Math.min(st.onset, onsetTime(s.ts, s.value, split, e));
  }

  const candidates = candidatesOf(target, graph, nodes);

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
  // "nothing abnormal": a quiet target raises the bar (level shifts on some leaf are not an incident)
  const ts = state.get(target);
  const targetQuiet = ts && ts.hasSymptoms ? 1 - Math.min(1, ts.symptomZ / o.targetSymptomZ) : 0;
  // 3b. changes: a change on a candidate shortly before the split (or before its own onset) makes it a suspect;
  //     one that came after its symptoms began does not (a fix, a rollback)
  let latestTs = split;
  for (const { s } of effects) for (let i = 0; i < s.ts.length; i++) if (s.ts[i] > latestTs) latestTs = s.ts[i];
  const changeBonus = new Map<string, number>();
  for (const c of input.changes ?? []) {
    if (!candidates.has(c.node) || !(c.at >= split - o.changeWindow) || c.at > latestTs) continue;
    const onset = state.get(c.node)?.onset ?? Infinity;
    const symptomsFrom = Number.isFinite(onset) ? onset : Number.isFinite(earliest) ? earliest : split;
    const slack = 120;
    if (c.at > symptomsFrom + slack) continue;
    changeBonus.set(c.node, o.changeWeight);
  }
  // a recent change lowers the bar only when users feel something at the target
  const thresholdNow = changeBonus.size && targetQuiet < 0.5 ? o.threshold * o.changeGate : o.threshold;
  const abnormal = maxCandidateAnomaly >= thresholdNow * (1 + o.quietTargetFactor * targetQuiet);

  // 4–5. graph position, precedence and calibration: the core the RCA report runs too (graph-ranking.ts)
  const signals = new Map<string, NodeSignal>();
  for (const [n, st] of state)
    signals.set(n, { evidence: E(n), symptom: symptom(n), onset: st.onset, multiplier: 1 + o.correlationWeight * (corr.get(n) ?? 0) });
  for (const n of changeBonus.keys()) if (!signals.has(n)) signals.set(n, { evidence: 0, symptom: 0, onset: Infinity });
  const scores = new Map(graphScores(graph, signals, abnormal ? candidates : new Set(), earliest, o).map((g) => [g.node, g]));
  if (abnormal) {
    for (const [n, bonus] of changeBonus) {
      const g = scores.get(n);
      if (g) g.raw += bonus;
    }
  }
  const details: NodeDetail[] = [...nodes].sort(byName).map((n) => {
    const g = scores.get(n);
    return {
      node: n,
      anomaly: a(n),
      topMetric: state.get(n)?.topMetric ?? '',
      candidate: candidates.has(n),
      explained: g?.explained ?? 0,
      support: g?.support ?? 0,
      correlation: corr.get(n) ?? 0,
      rawScore: g?.raw ?? 0,
      evidence: E(n),
      trafficWeight: trafficWeight(n),
      onset: state.get(n)?.onset ?? Infinity,
      changeBonus: abnormal ? (changeBonus.get(n) ?? 0) : 0,
    };
  });
  const ranking = probabilityRanking([...scores.values()], o.temperature, o.noneLogit, o.scoreForm, o.topK);
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
    {
      edges: input.edges,
      series: groupSamples(input.samples),
      split: input.split,
      target: input.target,
      targetMetric: input.targetMetric,
      changes: input.changes,
      edgeSeries: input.edgeSamples ? groupEdgeSamples(input.edgeSamples) : undefined,
    },
    options,
  ).ranking;
}

/** Groups row edge samples into edge series. */
export function groupEdgeSamples(samples: EdgeSample[]): EdgeSeries[] {
  const map = new Map<string, { from: string; to: string; metric: string; ts: number[]; value: number[] }>();
  for (const s of samples) {
    const key = `${s.from}\u0000${s.to}\u0000${s.metric}`;
    let g = map.get(key);
    if (!g) map.set(key, (g = { from: s.from, to: s.to, metric: s.metric, ts: [], value: [] }));
    g.ts.push(s.ts);
    g.value.push(s.value);
  }
  return [...map.values()];
}
