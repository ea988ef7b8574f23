/** The end of an RCA: analyzers → rules report → (optionally) the model's refinement → the event healing starts from. */
import type { BusEvent } from '../platform/ports.ts';
import { analyze, type Finding } from './analyzers/index.ts';
import type { Evidence } from './evidence.ts';
import { buildReport, recentRolloutOf, type RcaReport } from './report.ts';

export const RCA_EVENT_SOURCE = 'fleetops.rca';

export interface DiagnosisUsage {
  inputTokens: number;
  outputTokens: number;
  turns: number;
}

export type Diagnosis = { report: RcaReport; usage: DiagnosisUsage; cached?: boolean } | { fallback: string; usage?: DiagnosisUsage };

/** The model's side: refines the rules report from the same evidence, or says why it could not. */
export interface RcaDiagnoser {
  diagnose(input: { evidence: Evidence; findings: Finding[]; rules: RcaReport }): Promise<Diagnosis>;
}

export function rulesReport(evidence: Evidence): { findings: Finding[]; report: RcaReport } {
  const findings = analyze(evidence);
  return { findings, report: buildReport(evidence, findings) };
}

const DEPLOYMENT = /^deployment\/([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)$/;

/** `deployment/<name>` → name; anything else (pods, nodes, other namespaces, malformed) → undefined. */
export function deploymentOf(resource: string | undefined): string | undefined {
  return typeof resource === 'string' ? DEPLOYMENT.exec(resource)?.[1] : undefined;
}

/**
 * The workloads healing may act on for this RCA without asking: the RCA's own service, the
 * deployments the rules' root causes name (analyzers over the evidence), and those the evidence
 * shows failing (replicas unavailable, pods not ready or waiting). All in the RCA's cluster and
 * namespace: the evidence holds nothing else.
 */
export function failingWorkloads(evidence: Evidence, rules: RcaReport): string[] {
  const names = new Set<string>([evidence.target.service]);
  for (const cause of rules.rootCauses) {
    const name = deploymentOf(cause.resource);
    if (name) names.add(name);
  }
  for (const d of evidence.deployments) if (d.unavailable > 0 || d.ready < d.desired) names.add(d.name);
  for (const p of evidence.pods) {
    if (p.deployment && (!p.ready || p.containers.some((c) => c.state === 'waiting' || !c.ready))) names.add(p.deployment);
  }
  return [...names].sort();
}

/** What healing acts on, decided by the rules over the evidence; the model's report may only rank within it. */
export interface HealingAuthority {
  /** The deployment to heal. */
  target: string;
  /** The rules' top cause and the rollout behind it (what strategies read as hints). */
  topCause?: { category: string; resource: string; confidence: number };
  recentRollout?: { deployment: string; revision: string; at: string; changed: string[] };
  /** Set when the model chose something the rules did not: the action is a proposal that needs approval. */
  proposal?: string;
}

/**
 * Model proposes, rules dispose: the issue type is the rules'; the target is the model's top-cause
 * deployment only when the rules name it among their causes (it then also fails). A model's choice outside
 * that set (another deployment, an issue type the rules did not find) is kept as a proposal that
 * needs approval, never acted on alone.
 */
export function healingAuthority(evidence: Evidence, report: RcaReport, rules: RcaReport): { issueType?: RcaReport['issueType']; healing: HealingAuthority } {
  const allowed = failingWorkloads(evidence, rules);
  const rulesTop = rules.rootCauses[0];
  const rulesTarget = deploymentOf(rulesTop?.resource) ?? evidence.target.service;
  const rollout = recentRolloutOf(evidence, rules);
  const base = {
    ...(rulesTop ? { topCause: { category: rulesTop.category, resource: rulesTop.resource, confidence: rulesTop.confidence } } : {}),
    ...(rollout ? { recentRollout: rollout } : {}),
  };
  if (report === rules || report.engine === 'rules')
    return { ...(rules.issueType ? { issueType: rules.issueType } : {}), healing: { target: rulesTarget, ...base } };
  const reasons: string[] = [];
  const modelTarget = deploymentOf(report.rootCauses[0]?.resource);
  let target = rulesTarget;
  if (modelTarget && modelTarget !== rulesTarget) {
    target = modelTarget;
    // The model may rank the rules' own causes; a workload that merely fails too (a victim) is not
    // one the rules' action is for: rolling it back, say, is a proposal.
    const ruleCauses = rules.rootCauses.map((c) => deploymentOf(c.resource)).filter((n): n is string => !!n);
    if (!allowed.includes(modelTarget))
      reasons.push(`the model named deployment ${modelTarget}, which the evidence does not show failing (failing: ${allowed.join(', ')})`);
    else if (!ruleCauses.includes(modelTarget))
      reasons.push(`the model named deployment ${modelTarget}, which fails but is not among the rules' causes (${ruleCauses.join(', ') || 'none'})`);
  }
  let issueType = rules.issueType;
  if (!issueType && report.issueType) {
    issueType = report.issueType;
    reasons.push(`the issue type ${report.issueType} is the model's; the rules found none`);
  }
  return {
    ...(issueType ? { issueType } : {}),
    healing: { target, ...base, ...(reasons.length ? { proposal: `a proposal, not a rules decision: ${reasons.join('; ')}` } : {}) },
  };
}

/**
 * The event healing starts from. `report` is what the RCA concluded (rules, or the model's when it
 * passed); the rules report is recomputed from the same evidence (pure, deterministic) so that the
 * action's issue type and target come from the rules (`healing`), whatever the model said.
 */
export function rcaCompletedEvent(
  evidence: Evidence,
  report: RcaReport,
  rules: RcaReport = report.engine === 'rules' ? report : rulesReport(evidence).report,
): BusEvent {
  const { target } = evidence;
  const top = report.rootCauses[0];
  const rollout = recentRolloutOf(evidence, report);
  const authority = healingAuthority(evidence, report, rules);
  return {
    source: RCA_EVENT_SOURCE,
    detailType: 'RcaCompleted',
    id: `${target.rcaId}:completed`,
    detail: {
      rcaId: target.rcaId,
      ...(target.incidentId ? { incidentId: target.incidentId } : {}),
      clusterId: target.clusterId,
      cluster: target.cluster,
      namespace: target.namespace,
      service: target.service,
      severity: target.severity,
      engine: report.engine,
      ...(authority.issueType ? { issueType: authority.issueType } : {}),
      ...(top ? { topCause: { category: top.category, resource: top.resource, confidence: top.confidence } } : {}),
      ...(rollout ? { recentRollout: rollout } : {}),
      healing: authority.healing,
    },
  };
}
