/**
 * Verification: one number per issue type that is high while the symptom is there (the strategy's
 * own measure, from the registry), compared before the action and after the wait. Success only when
 * the symptom is gone; worse means undo.
 */
import type { ServicePolicy } from './policy.ts';
import { notReadyScore } from './strategies/common.ts';
import { strategyForIssue } from './strategies/index.ts';
import type { IssueType, Verdict, WorkloadState } from './types.ts';

/** The strategy's symptom for its issue type; otherwise the share of pods not ready. */
export function symptomScore(issueType: IssueType, state: WorkloadState): number {
  return (strategyForIssue(issueType)?.symptom ?? notReadyScore)(state);
}

export function symptomTarget(issueType: IssueType, policy: ServicePolicy): number {
  return strategyForIssue(issueType)?.symptomTarget(policy) ?? 0;
}

export function symptomName(issueType: IssueType): string {
  return strategyForIssue(issueType)?.symptomName ?? 'pods not ready';
}

/** Worse beats resolved: fewer ready pods than before, or a clearly higher symptom, is a regression. */
export function verdict(input: {
  issueType: IssueType;
  policy: ServicePolicy;
  before: { symptom: number; ready: number };
  after: { symptom: number; ready: number };
}): Verdict {
  const { before, after } = input;
  if (after.ready < before.ready || after.symptom > before.symptom + 0.1) return 'worse';
  if (after.symptom <= symptomTarget(input.issueType, input.policy)) return 'resolved';
  return 'unchanged';
}
