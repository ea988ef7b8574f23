/** high_error_rate: roll back only when a recent rollout of this deployment is the RCA's top cause; otherwise hand over. */
import type { RcaHints } from '../types.ts';
import { act, handover, manualSuggestions, recentRollout } from './common.ts';
import { rollbackActions, rollbackPlan, type Rollback } from './rollback.ts';
import type { HealingStrategy } from './types.ts';

const ROLLOUT_CAUSE = /deploy|rollout|release|change|version|image/i;

function rolloutIsTopCause(hints: RcaHints | undefined, deployment: string): boolean {
  const cause = hints?.topCause;
  if (!cause) return false;
  return ROLLOUT_CAUSE.test(cause.category) && (!cause.resource || cause.resource.includes(deployment) || hints?.recentRollout?.deployment === deployment);
}

export const errorRateRollback: HealingStrategy<Rollback> = {
  id: 'error_rate_rollback',
  issueTypes: ['high_error_rate'],
  summary: 'high_error_rate: roll back when a recent rollout of the deployment is the top cause; otherwise a hand-over',
  ...rollbackActions,
  plan({ request, state, policy, now, failingReplicaSets }) {
    const rollout = recentRollout(state, request.hints, policy, now);
    const plan = rolloutIsTopCause(request.hints, state.deployment) && rollout ? rollbackPlan(state, failingReplicaSets) : undefined;
    if (plan)
      return act(plan, `Roll ${state.deployment} back from revision ${plan.fromRevision} to ${plan.toRevision}: the RCA's top cause is the recent rollout`);
    return handover('The error rate is not explained by a recent rollout: a person should look', manualSuggestions(request, state, rollout));
  },
};
