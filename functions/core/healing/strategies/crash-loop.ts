/** pod_crash_loop: never healed automatically; a hand-over with suggestions (a rollback proposed after a recent rollout). */
import type { ActionPlan } from '../types.ts';
import { handover, manualSuggestions, notReadyScore, recentRollout } from './common.ts';
import type { HealingStrategy } from './types.ts';

export const crashLoopHandover: HealingStrategy<ActionPlan> = {
  id: 'crash_loop_handover',
  issueTypes: ['pod_crash_loop'],
  planKinds: [],
  summary: 'pod_crash_loop: no automatic action; a person gets the logs, config, dependency and rollback suggestions',
  symptomName: 'pods not ready',
  plan({ request, state, policy, now }) {
    const rollout = recentRollout(state, request.hints, policy, now);
    return handover(
      `Crash loops are not healed automatically: a person should look${rollout ? `; a rollout happened just before (revision ${rollout.revision}), a rollback is proposed` : ''}`,
      manualSuggestions(request, state, rollout),
    );
  },
  execute: () => Promise.reject(new Error('crash_loop_handover never acts')),
  undo: () => Promise.reject(new Error('crash_loop_handover never acts')),
  describe: (plan) => plan.kind,
  symptom: notReadyScore,
  symptomTarget: () => 0,
};
