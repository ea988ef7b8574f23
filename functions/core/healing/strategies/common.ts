/** Helpers several strategies share: history, recent rollouts, the hand-over's suggestions, symptom scores. */
import type { ActionPlan, Decision, HealingRequest, RcaHints, WorkloadState } from '../types.ts';
import type { StrategyPolicy } from './types.ts';

export const handover = (summary: string, suggestions: string[]): Decision => ({ kind: 'handover', summary, suggestions });
export const act = (action: ActionPlan, summary: string, approval?: string): Decision => ({
  kind: 'action',
  action,
  summary,
  ...(approval ? { approval } : {}),
});

/** The newest revision older than the current one: what `kubectl rollout undo` goes back to. */
export function previousRevision(state: WorkloadState): string | undefined {
  const current = Number(state.revision);
  const older = state.replicaSets.map((rs) => Number(rs.revision)).filter((r) => Number.isFinite(r) && r > 0 && r < current);
  return older.length ? String(Math.max(...older)) : undefined;
}

/** A rollout "just before": from the RCA, else the current revision's ReplicaSet is young. */
export function recentRollout(
  state: WorkloadState,
  hints: RcaHints | undefined,
  policy: Pick<StrategyPolicy, 'recentRolloutMinutes'>,
  now: Date,
): { revision: string; at?: string } | undefined {
  const windowMs = policy.recentRolloutMinutes * 60_000;
  if (hints?.recentRollout && now.getTime() - Date.parse(hints.recentRollout.at) <= windowMs)
    return { revision: String(hints.recentRollout.revision), at: hints.recentRollout.at };
  if (!previousRevision(state)) return undefined;
  const current = state.replicaSets.find((rs) => rs.revision === state.revision);
  if (current?.createdAt && now.getTime() - Date.parse(current.createdAt) <= windowMs) return { revision: state.revision, at: current.createdAt };
  return undefined;
}

export function manualSuggestions(request: HealingRequest, state: WorkloadState, rollout: { revision: string; at?: string } | undefined): string[] {
  const { namespace } = request;
  const crashing = state.pods.find((p) => p.waitingReason === 'CrashLoopBackOff') ?? state.pods.find((p) => !p.ready) ?? state.pods[0];
  const suggestions = [
    crashing
      ? `Logs: read the last run of the failing container (kubectl logs -n ${namespace} ${crashing.name} --previous)`
      : `Logs: read the service's recent logs (kubectl logs -n ${namespace} deployment/${state.deployment})`,
    `Config: compare the ConfigMaps, Secrets and environment the pod template references with the last working revision`,
    `Dependencies: check that the services and stores ${request.service} calls at start-up are reachable and healthy`,
  ];
  const previous = previousRevision(state);
  if (rollout && previous) {
    suggestions.push(
      `Rollback (proposed): revision ${rollout.revision} rolled out${rollout.at ? ` at ${rollout.at}` : ''}, just before the problem; roll back to revision ${previous} (kubectl rollout undo -n ${namespace} deployment/${state.deployment}, or POST /v1/healing with issueType bad_deploy to do it with verification and undo)`,
    );
  } else {
    suggestions.push(`Rollback: no rollout just before the problem${previous ? `; revision ${previous} is available if the logs point at the code` : ''}`);
  }
  return suggestions;
}

const mean = (values: number[]): number => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

/** Mean CPU/limit of the ready pods. */
export function cpuScore(state: WorkloadState): number {
  const limit = state.cpuLimitCores ?? 1;
  return mean(state.pods.filter((p) => p.ready && p.cpuCores !== undefined).map((p) => p.cpuCores! / limit));
}

/** Highest memory/limit of a ready pod; without a limit, the share of troubled pods. */
export function memoryScore(state: WorkloadState): number {
  if (!state.memoryLimitBytes) return notReadyScore(state);
  return Math.max(0, ...state.pods.filter((p) => p.ready).map((p) => (p.memoryBytes ?? 0) / state.memoryLimitBytes!));
}

/** The share of pods not ready or waiting. */
export function notReadyScore(state: WorkloadState): number {
  const troubled = state.pods.filter((p) => !p.ready || p.waitingReason !== undefined).length;
  return troubled / Math.max(1, state.replicas);
}

export const readyPods = (state: WorkloadState): number => state.pods.filter((p) => p.ready).length;
