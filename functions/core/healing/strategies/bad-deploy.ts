/** bad_deploy: roll back to the previous revision (kubectl rollout undo semantics). */
import { act, handover, manualSuggestions, recentRollout } from './common.ts';
import { noRollbackReason, rollbackActions, rollbackPlan, type Rollback } from './rollback.ts';
import type { HealingStrategy } from './types.ts';

export const badDeployRollback: HealingStrategy<Rollback> = {
  id: 'bad_deploy_rollback',
  issueTypes: ['bad_deploy'],
  summary: 'bad_deploy: roll the deployment back to the newest older revision nobody saw failing (through Argo CD when it manages the workload)',
  ...rollbackActions,
  plan({ request, state, policy, now, failingReplicaSets }) {
    const plan = rollbackPlan(state, failingReplicaSets);
    if (plan) return act(plan, `Roll ${state.deployment} back from revision ${plan.fromRevision} to ${plan.toRevision} (kubectl rollout undo semantics)`);
    return handover(noRollbackReason(state, failingReplicaSets), manualSuggestions(request, state, recentRollout(state, request.hints, policy, now)));
  },
};
