/** bad_deploy: roll back to the previous revision (kubectl rollout undo semantics). */
import { act, handover, manualSuggestions, recentRollout } from './common.ts';
import { rollbackActions, rollbackPlan, type Rollback } from './rollback.ts';
import type { HealingStrategy } from './types.ts';

export const badDeployRollback: HealingStrategy<Rollback> = {
  id: 'bad_deploy_rollback',
  issueTypes: ['bad_deploy'],
  summary: 'bad_deploy: roll the deployment back to its previous revision (through Argo CD when it manages the workload)',
  ...rollbackActions,
  plan({ request, state, policy, now }) {
    const plan = rollbackPlan(state);
    if (plan) return act(plan, `Roll ${state.deployment} back from revision ${plan.fromRevision} to ${plan.toRevision} (kubectl rollout undo semantics)`);
    return handover(`No previous revision of ${state.deployment} to roll back to`, manualSuggestions(request, state, recentRollout(state, request.hints, policy, now)));
  },
};
