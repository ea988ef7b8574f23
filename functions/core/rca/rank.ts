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
  /** Robust z a node must reach for anything to be reported (default 3). */
  threshold?: number;
  /** Cap on a metric's robust z (default 50). */
  zCap?: number;
  /** Scale floor relative to |normal median| for unbounded series (default 0.01). */
  relFloor?: number;
  /** Absolute scale floor for series inside [0,1] (default 1e-3). */
  fractionFloor?: number;
  /** u: how much an abnormal callee explains a node away (default 0.9). */
  calleePenalty?: number;
  /** rho: a callee at >= rho times the node's anomaly explains it fully (default 0.5). */
  explainRatio?: number;
  /** w: bonus for abnormal callers (default 0.5). */
  callerWeight?: number;
  /** k: weight of the correlation with the target metric (default 0.1). */
  correlationWeight?: number;
}

export interface RankedNode {
  node: string;
  score: number;
}

export type Direction = 'up' | 'down' | 'both';

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
  relFloor: 0.01,
  fractionFloor: 1e-3,
  calleePenalty: 0.9,
  explainRatio: 0.5,
  callerWeight: 0.5,
  correlationWeight: 0.1,
};

const DOWN_BAD = /avail|success|uptime|up_ratio|health|apdex|hit[._-]?(rate|ratio)|goodput|free|idle/i;
const UP_BAD =
  /lat|duration|time|delay|rtt|p\d{2}|error|err\b|errs|fail|fault|exception|5xx|4xx|timeout|cpu|mem|heap|gc|load|saturation|util|queue|backlog|restart|oom|throttl|drop|loss|retr|reject|pending|lag|swap|io[._-]?wait/i;

/** Which direction of change is bad for a metric, from its name. */
export function metricDirection(name: string): Direction {
  if (DOWN_BAD.test(name)) return 'down';
  if (UP_BAD.test(name)) return 'up';
  return 'both';
}

/** Quantile (linear interpolation) of a sorted array. */
export function quantileSorted(a: ArrayLike<number>, p: number): number {
  const n = a.length;
  if (n === 0) return NaN;
  if (n === 1) return a[0];
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return a[lo] + (h - lo) * (a[hi] - a[lo]);
}

/**
 * Robust z of the incident window against the normal window (see step 1 above).
 * Inputs may contain NaN (ignored) and need not be sorted. Returns 0 when either window is empty.
 */
export function metricAnomaly(normal: ArrayLike<number>, incident: ArrayLike<number>, direction: Direction, options: RankOptions = {}): number {
  const o = { ...DEFAULTS, ...options };
  const N = finiteSorted(normal);
  const I = finiteSorted(incident);
  if (N.length === 0 || I.length === 0) return 0;
  const med = quantileSorted(N, 0.5);
  const dev = new Float64Array(N.length);
  let sumAbs = 0;
  for (let i = 0; i < N.length; i++) {
    dev[i] = Math.abs(N[i] - med);
    sumAbs += dev[i];
  }
  dev.sort();
  const mad = 1.4826 * quantileSorted(dev, 0.5);
  const meanAbs = (1.2533 * sumAbs) / N.length;
  const fraction = N[0] >= 0 && N[N.length - 1] <= 1 && I[0] >= 0 && I[I.length - 1] <= 1;
  const floor = fraction ? o.fractionFloor : Math.max(o.relFloor * Math.abs(med), 1e-9);
  // the mean absolute deviation is only a fallback for mostly-flat series (MAD 0): it is not robust to outliers
  const scale = Math.max(mad > 0 ? mad : meanAbs, floor);

  const dMed = (quantileSorted(I, 0.5) - med) / scale;
  const up = (quantileSorted(I, 0.75) - quantileSorted(N, 0.75)) / scale;
  const down = (quantileSorted(N, 0.25) - quantileSorted(I, 0.25)) / scale;
  const TAIL = 0.7;
  let z: number;
  if (direction === 'up') z = Math.max(dMed, TAIL * up);
  else if (direction === 'down') z = Math.max(-dMed, TAIL * down);
  else z = Math.max(Math.abs(dMed), TAIL * up, TAIL * down);
  if (!(z > 0)) return 0;
  // beyond the knee, grow logarithmically: huge shifts stay ordered but cannot swamp everything else
  const KNEE = 10;
  if (z > KNEE) z = KNEE * (1 + Math.log(z / KNEE));
  return Math.min(z, o.zCap);
}

function finiteSorted(a: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i])) n++;
  const out = new Float64Array(n);
  for (let i = 0, k = 0; i < a.length; i++) if (Number.isFinite(a[i])) out[k++] = a[i];
  return out.sort();
}

/** Soft "is abnormal" in [0,1). */
function soft(z: number): number {
  return z > 1.5 ? 1 - Math.exp(-(z - 1.5) / 2) : 0;
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

const CYCLE_RAMP_LO = 0.7;
const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

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

  // per-series and per-node anomaly
  const metrics: RankAnalysis['metrics'] = [];
  const anomaly = new Map<string, number>();
  const topMetric = new Map<string, string>();
  for (const s of input.series) {
    nodes.add(s.node);
    const normal: number[] = [];
    const incident: number[] = [];
    for (let i = 0; i < s.ts.length; i++) (s.ts[i] < split ? normal : incident).push(s.value[i]);
    const direction = metricDirection(s.metric);
    const z = metricAnomaly(normal, incident, direction, o);
    metrics.push({ node: s.node, metric: s.metric, z, direction });
    const prev = anomaly.get(s.node);
    if (prev === undefined || z > prev || (z === prev && s.metric < topMetric.get(s.node)!)) {
      anomaly.set(s.node, z);
      topMetric.set(s.node, s.metric);
    }
  }
  nodes.add(target);
  const a = (n: string): number => anomaly.get(n) ?? 0;

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
      if (s === targetSeries || !candidates.has(s.node) || soft(a(s.node)) === 0) continue;
      const r = Math.abs(alignedPearson(s, targetSeries));
      if (r > (corr.get(s.node) ?? 0)) corr.set(s.node, r);
    }
  }

  let maxCandidateAnomaly = 0;
  for (const n of candidates) maxCandidateAnomaly = Math.max(maxCandidateAnomaly, a(n));
  const abnormal = maxCandidateAnomaly >= o.threshold;

  const sortedNodes = [...nodes].sort(byName);
  const component = stronglyConnected(sortedNodes, callees);
  const details: NodeDetail[] = [];
  for (const n of sortedNodes) {
    const an = a(n);
    const sn = soft(an);
    let explained = 0;
    for (const c of callees.get(n) ?? []) {
      const ac = a(c);
      let weight = 1;
      if (an > 0) {
        const ratio = ac / an;
        // same cycle: anomalies flow both ways, only a callee at least as abnormal explains n
        weight = component.get(c) === component.get(n) ? clamp01((ratio - CYCLE_RAMP_LO) / (1 - CYCLE_RAMP_LO)) : Math.min(1, ratio / o.explainRatio);
      }
      explained = Math.max(explained, soft(ac) * weight);
    }
    const ps = [...(callers.get(n) ?? [])];
    const support = ps.length ? ps.reduce((acc, p) => acc + soft(a(p)), 0) / ps.length : 0;
    const correlation = corr.get(n) ?? 0;
    const candidate = candidates.has(n);
    const rawScore = candidate && abnormal ? sn * (1 - o.calleePenalty * explained) * (1 + o.callerWeight * support) * (1 + o.correlationWeight * correlation) : 0;
    details.push({ node: n, anomaly: an, topMetric: topMetric.get(n) ?? '', candidate, explained, support, correlation, rawScore });
  }

  const scored = details.filter((d) => d.rawScore > 0);
  const max = scored.reduce((m, d) => Math.max(m, d.rawScore), 0);
  const ranking = scored
    .map((d) => ({ node: d.node, score: Math.round((d.rawScore / max) * 1e6) / 1e6 }))
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
