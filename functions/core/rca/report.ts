/**
 * Findings → the contract's report. Ranking weighs three things, through the core `fleetops rank` runs
 * (graph-ranking.ts): evidence strength (and whether a finding is a cause or only a symptom), graph
 * position (a failing callee explains its callers' symptoms) and time precedence (what went wrong first).
 */
import type { Evidence, GraphEdge, RolloutEvidence } from './evidence.ts';
import type { Finding, IssueType } from './analyzers/index.ts';
import { downstreamOf, type Downstream } from './graph.ts';
import { pastTermination } from './analyzers/pods.ts';
import { calibratedRanking, callGraph, graphScores, type GraphRankingOptions, type NodeSignal } from './graph-ranking.ts';

export interface RootCause {
  category: string;
  resource: string;
  description: string;
  evidence: string[];
  confidence: number;
}

export interface TimelineEntry {
  at: string;
  event: string;
  evidence?: string[];
}

export interface RcaReport {
  summary: string;
  symptoms: string[];
  rootCauses: RootCause[];
  contributingFactors: string[];
  timeline: TimelineEntry[];
  remediation: string[];
  prevention: string[];
  engine: 'rules' | 'bedrock';
  /** What healing should act on (absent when nothing actionable was found). */
  issueType?: IssueType;
  /** Why the model's answer was not used, when a model was configured. */
  fallbackReason?: string;
  /** Evidence sources that failed or timed out. */
  missingEvidence?: string[];
}

export interface RankedFinding extends Finding {
  score: number;
  depth: number;
  path: string[];
}

const KIND_WEIGHT = { cause: 1, symptom: 0.6, factor: 0.3 } as const;
/** Failures that end by themselves (the containers run ready again): factors while anything fails now. */
const RECOVERABLE = new Set(['OOMKilled', 'CrashLoopBackOff']);
/** Failures a rollout introduces by itself: the rollout is named in their description. */
const TEMPLATE_FAILURES = new Set([
  'ImagePullBackOff',
  'CreateContainerConfigError',
  'FailedScheduling',
  'CrashLoopBackOff',
  'OOMKilled',
  'ErrorBurst',
  'LatencyRegression',
]);

/**
 * Findings about the target and what it calls, best explanation first. Services are ordered by the ranking
 * core `fleetops rank` runs (graph-ranking.ts), with the findings as evidence: a service's evidence sums its
 * findings (cause 1, symptom 0.6, factor 0.3 of their strength, each next one at half weight, a symptom a
 * callee explains at half), its symptom is its strongest symptom finding, its onset its first finding. Within
 * a service, the stronger finding first.
 */
export function rankFindings(findings: Finding[], evidence: Evidence): RankedFinding[] {
  const target = evidence.target.service;
  const edges = evidence.graph?.edges ?? [];
  const reach = downstreamOf(target, edges);
  const relevant = findings.map((f) => ({ f, d: reach.get(f.service) })).filter((x): x is { f: Finding; d: Downstream } => x.d !== undefined);
  const all = relevant.map((x) => x.f);
  const weight = (f: Finding): number => f.strength * KIND_WEIGHT[f.kind] * (f.kind === 'symptom' && explainedByCallee(f, all, edges) ? EXPLAINED_FACTOR : 1);
  const metricRank = new Map((evidence.metricRanking?.nodes ?? []).map((n) => [n.node, n.score]));
  const signals = new Map<string, NodeSignal>();
  for (const service of new Set(all.map((f) => f.service))) {
    const mine = all.filter((f) => f.service === service);
    const parts = mine.map(weight).sort((a, b) => b - a);
    const times = mine.map((f) => Date.parse(f.at ?? '')).filter(Number.isFinite);
    signals.set(service, {
      // The offline ranker's verdict on the golden signals (its own series evidence) weighs in.
      evidence: parts.reduce((sum, part, i) => sum + part * FINDING_DECAY ** i, 0) + METRIC_RANK_WEIGHT * (metricRank.get(service) ?? 0),
      symptom: Math.max(0, ...mine.filter((f) => f.kind === 'symptom').map((f) => f.strength)),
      onset: times.length ? Math.min(...times) : Infinity,
    });
  }
  const earliest = Math.min(...[...signals.values()].filter((x) => x.evidence > 0).map((x) => x.onset));
  const scores = graphScores(callGraph(edges), signals, new Set(reach.keys()), earliest, FINDINGS_RANKING);
  const serviceScore = new Map(calibratedRanking(scores, FINDINGS_RANKING.confidentEvidence).map((r) => [r.node, r.score]));
  return relevant
    .map(({ f, d }) => ({ ...f, score: serviceScore.get(f.service) ?? 0, depth: d.depth, path: d.path, weight: weight(f) }))
    .sort((a, b) => b.score - a.score || b.weight - a.weight || (Date.parse(a.at ?? '') || Infinity) - (Date.parse(b.at ?? '') || Infinity))
    .map(({ weight: _weight, ...f }) => f);
}

/** The core's weights for finding evidence: rank.ts's cross-validated graph weights; a finding's strength 1 is confident. */
const FINDINGS_RANKING: GraphRankingOptions = { callerWeight: 0.25, calleePenalty: 0.25, precedenceWeight: 0.2, confidentEvidence: 1 };
/** Weight of a service's 2nd, 3rd, ... finding (rank.ts's familyDecay). */
const FINDING_DECAY = 0.5;

/** What the metric ranking's top score (1) adds to a finding on that service. */
const METRIC_RANK_WEIGHT = 0.1;
/** How much of its weight a symptom keeps when a callee shows the symptom that explains it. */
const EXPLAINED_FACTOR = 0.5;
/** Which symptom of a callee explains which symptom of its caller: failures and slowness travel up as both. */
const EXPLAINS: Record<string, string[]> = {
  ErrorBurst: ['ErrorBurst', 'LatencyRegression'],
  CallFailures: ['ErrorBurst', 'LatencyRegression'],
  LatencyRegression: ['LatencyRegression'],
};

function explainedByCallee(f: Finding, all: Finding[], edges: GraphEdge[]): boolean {
  const callees = downstreamOf(f.service, edges);
  callees.delete(f.service);
  return all.some((g) => g !== f && callees.has(g.service) && (EXPLAINS[g.category] ?? []).includes(f.category));
}

function rolloutFor(evidence: Evidence, deployment: string, findings: Finding[]): RolloutEvidence | undefined {
  const ids = new Set(findings.filter((f) => f.category === 'BadDeploy' && f.service === deployment).flatMap((f) => f.evidence));
  return evidence.rollouts.find((r) => ids.has(r.id));
}

function confidence(f: RankedFinding, index: number): number {
  const corroborated = f.evidence.length >= 2 ? 1 : 0.9;
  return Math.round(Math.max(0.05, Math.min(0.97, f.strength * corroborated * (1 - 0.15 * index))) * 100) / 100;
}

function timelineOf(evidence: Evidence, ranked: RankedFinding[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const services = new Set(ranked.map((f) => f.service).concat(evidence.target.service));
  for (const r of evidence.rollouts)
    if (services.has(r.deployment) && r.changes.length)
      entries.push({ at: r.at, event: `rollout of ${r.deployment} revision ${r.revision}: ${r.changes.slice(0, 3).join('; ')}`, evidence: [r.id] });
  for (const c of evidence.changes ?? [])
    if (services.has(c.node)) entries.push({ at: c.at, event: `${c.kind} change of ${c.node}${c.detail ? `: ${c.detail}` : ''}`, evidence: [c.id] });
  for (const f of ranked)
    if (f.at && f.category !== 'BadDeploy') entries.push({ at: f.at, event: `${f.category} on ${f.resource}`, evidence: f.evidence.slice(0, 3) });
  // history: terminations of containers that have run ready again since before the symptoms (not causes)
  for (const p of evidence.pods) {
    if (!services.has(p.deployment ?? p.name)) continue;
    for (const c of p.containers) {
      if (!pastTermination(c, evidence) || !c.lastTermination?.finishedAt) continue;
      entries.push({
        at: c.lastTermination.finishedAt,
        event: `history: ${p.deployment ?? p.name} container ${c.name} last terminated with ${c.lastTermination.reason} (before this incident, running ready since)`,
        evidence: [c.id],
      });
    }
  }
  for (const e of evidence.events.filter((e) => e.type === 'Warning' && e.lastSeen).slice(0, 8))
    entries.push({ at: e.lastSeen as string, event: `${e.reason} ${e.object.kind}/${e.object.name}: ${e.message.slice(0, 120)}`, evidence: [e.id] });
  entries.push({ at: evidence.target.at, event: `symptoms first seen on ${evidence.target.service}` });
  const seen = new Set<string>();
  return entries
    .filter((e) => Number.isFinite(Date.parse(e.at)))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
    .filter((e) => (seen.has(e.event) ? false : (seen.add(e.event), true)))
    .slice(-20);
}

/** The rules engine's report: deterministic, every claim backed by evidence ids. */
export function buildReport(evidence: Evidence, findings: Finding[]): RcaReport {
  const { target } = evidence;
  const ranked = rankFindings(findings, evidence);
  let causes = ranked.filter((f) => f.kind === 'cause');
  // No cause found: the strongest symptoms are the best explanation there is.
  if (!causes.length) causes = ranked.filter((f) => f.kind === 'symptom').slice(0, 2);
  // Nothing failing now: a crash or OOM kill whose containers run ready again is the best explanation left.
  if (!causes.length) causes = ranked.filter((f) => f.kind === 'factor' && RECOVERABLE.has(f.category)).slice(0, 2);
  const top = causes.slice(0, 3);
  const rootCauses: RootCause[] = top.map((f, i) => {
    const rollout = TEMPLATE_FAILURES.has(f.category) ? rolloutFor(evidence, f.service, ranked) : undefined;
    const via = f.depth > 0 ? ` (upstream of ${target.service}: ${f.path.join(' → ')})` : '';
    return {
      category: f.category,
      resource: f.resource,
      description: `${f.description}${rollout ? `; introduced by rollout revision ${rollout.revision} at ${rollout.at}` : ''}${via}`,
      evidence: [
        ...new Set([
          ...f.evidence,
          ...(rollout ? [rollout.id] : []),
          ...(f.depth > 0 && evidence.graph ? [evidence.graph.id] : []),
          ...(evidence.metricRanking?.nodes[0]?.node === f.service ? [evidence.metricRanking.id] : []),
        ]),
      ],
      confidence: confidence(f, i),
    };
  });
  const used = new Set(top);
  const symptoms = ranked.filter((f) => f.kind === 'symptom' && !used.has(f)).map((f) => f.description);
  if (top[0] && top[0].depth > 0) symptoms.unshift(`UpstreamFailure: ${target.service} depends on ${top[0].service} (${top[0].path.join(' → ')}), which fails`);
  const factors = ranked.filter((f) => !used.has(f) && f.kind !== 'symptom').map((f) => f.description);
  const first = top[0];
  const rollout = first ? rolloutFor(evidence, first.service, ranked) : undefined;
  // A failure the template causes, right after a rollout changed the template: rolling back is the fix.
  const issueType: IssueType | undefined = first && rollout && TEMPLATE_FAILURES.has(first.category) ? 'bad_deploy' : first?.issueType;
  const summary = first
    ? `${target.service} in ${target.namespace} (${target.cluster}): ${rootCauses[0].description}`
    : `${target.service} in ${target.namespace} (${target.cluster}): no failure found in pods, events, rollouts, nodes, logs or metrics${factors.length ? `; worth a look: ${factors[0]}` : ''}`;
  return {
    summary: summary.slice(0, 600),
    symptoms: [...new Set(symptoms)].slice(0, 10),
    rootCauses,
    contributingFactors: [...new Set(factors)].slice(0, 10),
    timeline: timelineOf(evidence, ranked),
    remediation: [...new Set(top.flatMap((f) => f.remediation))].slice(0, 6),
    prevention: [...new Set(top.flatMap((f) => f.prevention))].slice(0, 6),
    engine: 'rules',
    ...(issueType ? { issueType } : {}),
    ...(evidence.errors.length ? { missingEvidence: evidence.errors.map((e) => `${e.source}: ${e.error}`) } : {}),
  };
}

/** The rollout behind the top cause, for the RcaCompleted event (healing may roll it back). */
export function recentRolloutOf(evidence: Evidence, report: RcaReport): { deployment: string; revision: string; at: string; changed: string[] } | undefined {
  const ids = new Set(report.rootCauses[0]?.evidence ?? []);
  const r = evidence.rollouts.find((x) => ids.has(x.id));
  return r ? { deployment: r.deployment, revision: r.revision, at: r.at, changed: r.changes } : undefined;
}
