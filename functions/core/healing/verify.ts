/**
 * Verification: one number per issue type that is high while the symptom is there, compared
 * before the action and after the wait. Success only when the symptom is gone; worse means undo.
 */
import type { ServicePolicy } from './policy.ts';
import type { IssueType, Verdict, WorkloadState } from './types.ts';

const mean = (values: number[]): number => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

/** high_cpu: mean CPU/limit of ready pods; high_memory: highest memory/limit; otherwise the share of pods not ready. */
export function symptomScore(issueType: IssueType, state: WorkloadState): number {
  const ready = state.pods.filter((p) => p.ready);
  if (issueType === 'high_cpu') {
    const limit = state.cpuLimitCores ?? 1;
    return mean(ready.filter((p) => p.cpuCores !== undefined).map((p) => p.cpuCores! / limit));
  }
  if (issueType === 'high_memory' && state.memoryLimitBytes) {
    return Math.max(0, ...ready.map((p) => (p.memoryBytes ?? 0) / state.memoryLimitBytes!));
  }
  const troubled = state.pods.filter((p) => !p.ready || p.waitingReason !== undefined).length;
  return troubled / Math.max(1, state.replicas);
}

export function symptomTarget(issueType: IssueType, policy: ServicePolicy): number {
  if (issueType === 'high_cpu') return policy.cpuUtilisationTarget;
  if (issueType === 'high_memory') return policy.memoryUtilisationTarget;
  return 0;
}

/** Worse beats resolved: fewer ready pods than before, or a clearly higher symptom, is a regression. */
export function verdict(input: { issueType: IssueType; policy: ServicePolicy; before: { symptom: number; ready: number }; after: { symptom: number; ready: number } }): Verdict {
  const { before, after } = input;
  if (after.ready < before.ready || after.symptom > before.symptom + 0.1) return 'worse';
  if (after.symptom <= symptomTarget(input.issueType, input.policy)) return 'resolved';
  return 'unchanged';
}
