/**
 * The ranking core that both `fleetops rank` (evidence from metric series, rank.ts) and the RCA report
 * (evidence from the analyzers' findings, report.ts) run: given each service's evidence strength, the
 * symptom it shows its callers and when it first went wrong, order the candidates by
 *
 *   raw(n) = E(n) + w · S(n) − u · max(0, X(n) − E(n)),  × (1 + p) for the earliest onset,  × m(n)
 *
 * where S(n) is the strongest symptom among n's callers (a failing dependency explains its callers'
 * symptoms) and X(n) the strongest evidence among n's callees (a node a more abnormal dependency
 * explains is pushed down); m(n) is an optional per-node factor (rank.ts: correlation with the target
 * metric). Scores are raw / max(top raw, confidentEvidence): the top reaches 1 only with confident evidence.
 */

export interface CallEdge {
  from: string;
  to: string;
}

/** One candidate's inputs, in the evidence units of whoever computed them. */
export interface NodeSignal {
  /** E(n): how strongly the node itself looks broken (0: not at all). */
  evidence: number;
  /** How strongly the node shows symptoms its callees could explain (latency, errors, availability). */
  symptom: number;
  /** When the node first went wrong (epoch, any unit; Infinity: never). */
  onset: number;
  /** m(n), default 1. */
  multiplier?: number;
}

export interface GraphRankingOptions {
  /** w: support from callers that show symptoms. */
  callerWeight: number;
  /** u: how much a more abnormal callee explains a node away. */
  calleePenalty: number;
  /** p: bonus for the node(s) that went wrong first. */
  precedenceWeight: number;
  /** Evidence at which the top score reaches 1. */
  confidentEvidence: number;
  /**
   * Shared-sink discount (0 = off): a node with two or more callers, of which only some look broken, is the
   * victim of those callers rather than their cause (a database many services call, anomalous only when one of
   * them misbehaves): raw x (1 - sinkPenalty x (1 - share of its callers that look broken)).
   */
  sinkPenalty?: number;
}

export interface CallGraph {
  nodes: Set<string>;
  callees: Map<string, Set<string>>;
  callers: Map<string, Set<string>>;
}

export interface GraphScore {
  node: string;
  raw: number;
  /** X(n). */
  explained: number;
  /** S(n). */
  support: number;
}

export interface RankedService {
  node: string;
  score: number;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The call graph of some edges: self-loops ignored, duplicates collapsed. */
export function callGraph(edges: readonly CallEdge[]): CallGraph {
  const graph: CallGraph = { nodes: new Set(), callees: new Map(), callers: new Map() };
  const addTo = (m: Map<string, Set<string>>, k: string, v: string): void => {
    let s = m.get(k);
    if (!s) m.set(k, (s = new Set()));
    s.add(v);
  };
  for (const e of edges) {
    graph.nodes.add(e.from);
    graph.nodes.add(e.to);
    if (e.from === e.to) continue;
    addTo(graph.callees, e.from, e.to);
    addTo(graph.callers, e.to, e.from);
  }
  return graph;
}

/** The target and every node it reaches along caller → callee edges; every known node when the target is not in the graph. */
export function candidatesOf(target: string, graph: CallGraph, known: Iterable<string> = []): Set<string> {
  if (!graph.nodes.has(target)) return new Set([...graph.nodes, ...known, target]);
  const candidates = new Set([target]);
  const queue = [target];
  for (let q = 0; q < queue.length; q++) {
    for (const c of graph.callees.get(queue[q]) ?? []) {
      if (!candidates.has(c)) {
        candidates.add(c);
        queue.push(c);
      }
    }
  }
  return candidates;
}

/** raw(n) for every node with a signal (0 outside the candidates); `earliest` is the onset that earns the precedence bonus. */
export function graphScores(
  graph: CallGraph,
  signals: ReadonlyMap<string, NodeSignal>,
  candidates: ReadonlySet<string>,
  earliest: number,
  o: GraphRankingOptions,
): GraphScore[] {
  const evidence = (n: string): number => signals.get(n)?.evidence ?? 0;
  const nodes = [...new Set([...graph.nodes, ...signals.keys()])].sort(byName);
  return nodes.map((n) => {
    const en = evidence(n);
    let explained = 0;
    for (const c of graph.callees.get(n) ?? []) explained = Math.max(explained, evidence(c));
    let support = 0;
    for (const p of graph.callers.get(n) ?? []) support = Math.max(support, signals.get(p)?.symptom ?? 0);
    const signal = signals.get(n);
    let raw = 0;
    if (signal && candidates.has(n) && (en > 0 || support > 0)) {
      raw = Math.max(0, en + o.callerWeight * support - o.calleePenalty * Math.max(0, explained - en));
      if (Number.isFinite(earliest) && signal.onset === earliest) raw *= 1 + o.precedenceWeight;
      raw *= signal.multiplier ?? 1;
      const callers = graph.callers.get(n);
      if (o.sinkPenalty && callers && callers.size >= 2) {
        let broken = 0;
        for (const p of callers) if ((signals.get(p)?.evidence ?? 0) > 0) broken++;
        if (broken > 0) raw *= 1 - o.sinkPenalty * (1 - broken / callers.size);
      }
    }
    return { node: n, raw, explained, support };
  });
}

/** Scores relative to the top node, which reaches 1 only with confident evidence; ties by name. */
export function calibratedRanking(scores: readonly GraphScore[], confidentEvidence: number): RankedService[] {
  const max = scores.reduce((m, s) => Math.max(m, s.raw), 0);
  const denom = Math.max(max, confidentEvidence);
  return scores
    .filter((s) => s.raw > 0)
    .map((s) => ({ node: s.node, score: Math.round((s.raw / denom) * 1e6) / 1e6 }))
    .filter((r) => r.score > 0)
    .sort((x, y) => y.score - x.score || byName(x.node, y.node));
}

/** Logit of a raw score: the raw score itself, or its logarithm (odds proportional to raw^(1/temperature)). */
export type ScoreForm = 'linear' | 'log';

/**
 * Scores as probabilities (a softmax over raw scores with temperature `temperature`, plus a "none of these /
 * uncertain" outcome with logit `noneLogit`): they sum to less than 1, and the top one is high only when its raw
 * score stands well clear of both the others and the none logit. Temperature and none logit are fitted on
 * held-out folds (bench/rank.bench.ts reports the expected calibration error). Ties by name.
 */
export function probabilityRanking(
  scores: readonly { node: string; raw: number }[],
  temperature: number,
  noneLogit: number,
  form: ScoreForm = 'linear',
  topK = 0,
): RankedService[] {
  let live = scores.filter((s) => s.raw > 0).map((s) => ({ node: s.node, logit: form === 'log' ? Math.log(s.raw) : s.raw }));
  // only the K strongest share the mass: a long tail of weak candidates does not dilute the top one
  if (topK > 0 && live.length > topK) live = [...live].sort((a, b) => b.logit - a.logit || byName(a.node, b.node)).slice(0, topK);
  if (!live.length) return [];
  const t = Math.max(temperature, 1e-6);
  const top = Math.max(noneLogit, ...live.map((s) => s.logit));
  let denom = Math.exp((noneLogit - top) / t);
  for (const s of live) denom += Math.exp((s.logit - top) / t);
  return live
    .map((s) => ({ node: s.node, score: Math.floor((Math.exp((s.logit - top) / t) / denom) * 1e6) / 1e6 }))
    .filter((r) => r.score > 0)
    .sort((x, y) => y.score - x.score || byName(x.node, y.node));
}
