/**
 * One strategy per issue type (the seed's defaults): pure functions from what the cluster shows
 * (and what the RCA found) to an action or a hand-over with suggestions.
 */
import type { ServicePolicy } from './policy.ts';
import type { ActionPlan, Decision, HealingRequest, RcaHints, WorkloadState } from './types.ts';

const handover = (summary: string, suggestions: string[]): Decision => ({ kind: 'handover', summary, suggestions });
const act = (action: ActionPlan, summary: string): Decision => ({ kind: 'action', action, summary });

/** The newest revision older than the current one: what `kubectl rollout undo` goes back to. */
export function previousRevision(state: WorkloadState): string | undefined {
  const current = Number(state.revision);
  const older = state.replicaSets.map((rs) => Number(rs.revision)).filter((r) => Number.isFinite(r) && r > 0 && r < current);
  return older.length ? String(Math.max(...older)) : undefined;
}

/** A rollout "just before": from the RCA, else the current revision's ReplicaSet is young. */
export function recentRollout(state: WorkloadState, hints: RcaHints | undefined, policy: ServicePolicy, now: Date): { revision: string; at?: string } | undefined {
  const windowMs = policy.recentRolloutMinutes * 60_000;
  if (hints?.recentRollout && now.getTime() - Date.parse(hints.recentRollout.at) <= windowMs) return { revision: String(hints.recentRollout.revision), at: hints.recentRollout.at };
  if (!previousRevision(state)) return undefined;
  const current = state.replicaSets.find((rs) => rs.revision === state.revision);
  if (current?.createdAt && now.getTime() - Date.parse(current.createdAt) <= windowMs) return { revision: state.revision, at: current.createdAt };
  return undefined;
}

const ROLLOUT_CAUSE = /deploy|rollout|release|change|version|image/i;

function rolloutIsTopCause(hints: RcaHints | undefined, deployment: string): boolean {
  const cause = hints?.topCause;
  if (!cause) return false;
  return ROLLOUT_CAUSE.test(cause.category) && (!cause.resource || cause.resource.includes(deployment) || hints?.recentRollout?.deployment === deployment);
}

function rollbackPlan(state: WorkloadState): ActionPlan | undefined {
  const previous = previousRevision(state);
  return previous ? { kind: 'rollback', deployment: state.deployment, fromRevision: state.revision, toRevision: previous } : undefined;
}

function manualSuggestions(request: HealingRequest, state: WorkloadState, rollout: { revision: string; at?: string } | undefined): string[] {
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
    suggestions.push(`Rollback (proposed): revision ${rollout.revision} rolled out${rollout.at ? ` at ${rollout.at}` : ''}, just before the problem; roll back to revision ${previous} (kubectl rollout undo -n ${namespace} deployment/${state.deployment}, or POST /v1/healing with issueType bad_deploy to do it with verification and undo)`);
  } else {
    suggestions.push(`Rollback: no rollout just before the problem${previous ? `; revision ${previous} is available if the logs point at the code` : ''}`);
  }
  return suggestions;
}

export function decide(request: HealingRequest, state: WorkloadState, policy: ServicePolicy, now: Date): Decision {
  const rollout = recentRollout(state, request.hints, policy, now);
  if (policy.strategies[request.issueType as keyof ServicePolicy['strategies']] === 'handover') {
    return handover(`${request.issueType} is configured for manual handling on this service`, manualSuggestions(request, state, rollout));
  }
  switch (request.issueType) {
    case 'high_cpu': {
      const current = state.replicas;
      const target = Math.min(current + policy.scaleStep, policy.maxReplicas);
      if (target <= current) {
        return handover(`Already at the scaling ceiling (${current} of at most ${policy.maxReplicas} replicas)`, [
          'Profile the hot path or raise the service’s CPU limits',
          `Raise maxReplicas in the healing policy for ${request.service} if more replicas are wanted`,
        ]);
      }
      const hpa = state.hpa;
      const plan: ActionPlan = {
        kind: 'scale_out',
        deployment: state.deployment,
        from: current,
        to: target,
        ...(hpa
          ? { hpa: { name: hpa.name, minReplicas: { from: hpa.minReplicas, to: Math.max(hpa.minReplicas, target) }, maxReplicas: { from: hpa.maxReplicas, to: Math.max(hpa.maxReplicas, target) } } }
          : {}),
      };
      return act(plan, `Scale ${state.deployment} out from ${current} to ${target} replicas${hpa ? ` by raising HPA ${hpa.name} (min ${hpa.minReplicas}→${plan.hpa!.minReplicas.to}, max ${hpa.maxReplicas}→${plan.hpa!.maxReplicas.to})` : ''}`);
    }
    case 'high_memory': {
      const ready = state.pods.filter((p) => p.ready);
      if (ready.length < 2) {
        return handover(`Only ${ready.length} ready pod: restarting it would take ${request.service} down`, [
          `Scale ${state.deployment} out first, then restart the pod with the highest memory`,
          'Look for a leak: compare heap profiles over time, check caches without bounds',
        ]);
      }
      const victim = [...ready].sort((a, b) => (b.memoryBytes ?? 0) - (a.memoryBytes ?? 0))[0];
      return act({ kind: 'restart_pod', deployment: state.deployment, pod: victim.name }, `Restart pod ${victim.name} (highest memory of ${ready.length} ready pods; one at a time, never the last ready one)`);
    }
    case 'pod_crash_loop':
      return handover(`Crash loops are not healed automatically: a person should look${rollout ? `; a rollout happened just before (revision ${rollout.revision}), a rollback is proposed` : ''}`, manualSuggestions(request, state, rollout));
    case 'high_error_rate': {
      const plan = rolloutIsTopCause(request.hints, state.deployment) && rollout ? rollbackPlan(state) : undefined;
      if (plan?.kind === 'rollback') return act(plan, `Roll ${state.deployment} back from revision ${plan.fromRevision} to ${plan.toRevision}: the RCA's top cause is the recent rollout`);
      return handover('The error rate is not explained by a recent rollout: a person should look', manualSuggestions(request, state, rollout));
    }
    case 'bad_deploy': {
      const plan = rollbackPlan(state);
      if (plan?.kind === 'rollback') return act(plan, `Roll ${state.deployment} back from revision ${plan.fromRevision} to ${plan.toRevision} (kubectl rollout undo semantics)`);
      return handover(`No previous revision of ${state.deployment} to roll back to`, manualSuggestions(request, state, rollout));
    }
    default:
      return handover(`No automatic strategy for ${request.issueType}`, manualSuggestions(request, state, rollout));
  }
}
