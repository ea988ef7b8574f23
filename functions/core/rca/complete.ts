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

export function rcaCompletedEvent(evidence: Evidence, report: RcaReport): BusEvent {
  const { target } = evidence;
  const top = report.rootCauses[0];
  const rollout = recentRolloutOf(evidence, report);
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
      ...(report.issueType ? { issueType: report.issueType } : {}),
      ...(top ? { topCause: { category: top.category, resource: top.resource, confidence: top.confidence } } : {}),
      ...(rollout ? { recentRollout: rollout } : {}),
    },
  };
}
