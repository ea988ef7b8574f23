/** high_memory: restart the pod using the most memory, one at a time, never the last ready one. */
import type { ActionPlan } from '../types.ts';
import { act, handover, memoryScore } from './common.ts';
import type { HealingStrategy } from './types.ts';

type RestartPod = Extract<ActionPlan, { kind: 'restart_pod' }>;

export const restartPod: HealingStrategy<RestartPod> = {
  id: 'restart_pod',
  issueTypes: ['high_memory'],
  planKinds: ['restart_pod'],
  summary: 'high_memory: restart the pod with the highest memory (one at a time, never the last ready pod)',
  symptomName: 'memory/limit',
  plan({ request, state }) {
    const ready = state.pods.filter((p) => p.ready);
    if (ready.length < 2) {
      return handover(`Only ${ready.length} ready pod: restarting it would take ${request.service} down`, [
        `Scale ${state.deployment} out first, then restart the pod with the highest memory`,
        'Look for a leak: compare heap profiles over time, check caches without bounds',
      ]);
    }
    const victim = [...ready].sort((a, b) => (b.memoryBytes ?? 0) - (a.memoryBytes ?? 0))[0];
    return act(
      { kind: 'restart_pod', deployment: state.deployment, pod: victim.name },
      `Restart pod ${victim.name} (highest memory of ${ready.length} ready pods; one at a time, never the last ready one)`,
    );
  },
  async execute(plan, { cluster, clusterId, namespace, workload }) {
    const state = await workload();
    const ready = state.pods.filter((p) => p.ready);
    if (!ready.some((p) => p.name === plan.pod) || ready.length < 2) {
      return { changed: false, skipped: `pod ${plan.pod} is gone or is the last ready pod: not restarted`, before: { ready: ready.map((p) => p.name) } };
    }
    await cluster.deletePod(clusterId, namespace, plan.pod);
    return { changed: true, after: { deleted: plan.pod } };
  },
  async undo() {
    return { undone: false, result: 'not reversible (a restarted pod cannot be un-restarted)' };
  },
  describe: (plan) => `restart pod ${plan.pod}`,
  symptom: memoryScore,
  symptomTarget: (policy) => policy.memoryUtilisationTarget,
};
