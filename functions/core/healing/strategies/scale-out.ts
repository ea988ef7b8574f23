/** high_cpu: more replicas (or a raised HPA, never fought), up to the policy's ceiling. */
import type { ActionPlan } from '../types.ts';
import { act, cpuScore, handover } from './common.ts';
import type { HealingStrategy } from './types.ts';

type ScaleOut = Extract<ActionPlan, { kind: 'scale_out' }>;

export const scaleOut: HealingStrategy<ScaleOut> = {
  id: 'scale_out',
  issueTypes: ['high_cpu'],
  planKinds: ['scale_out'],
  summary: 'high_cpu: scale the deployment out by the policy step (raising its HPA bounds instead of fighting it), up to maxReplicas',
  symptomName: 'CPU/limit',
  plan({ request, state, policy }) {
    const current = state.replicas;
    const target = Math.min(current + policy.scaleStep, policy.maxReplicas);
    if (target <= current) {
      return handover(`Already at the scaling ceiling (${current} of at most ${policy.maxReplicas} replicas)`, [
        'Profile the hot path or raise the service’s CPU limits',
        `Raise maxReplicas in the healing policy for ${request.service} if more replicas are wanted`,
      ]);
    }
    const hpa = state.hpa;
    const plan: ScaleOut = {
      kind: 'scale_out',
      deployment: state.deployment,
      from: current,
      to: target,
      ...(hpa
        ? {
            hpa: {
              name: hpa.name,
              minReplicas: { from: hpa.minReplicas, to: Math.max(hpa.minReplicas, target) },
              maxReplicas: { from: hpa.maxReplicas, to: Math.max(hpa.maxReplicas, target) },
            },
          }
        : {}),
    };
    return act(
      plan,
      `Scale ${state.deployment} out from ${current} to ${target} replicas${hpa ? ` by raising HPA ${hpa.name} (min ${hpa.minReplicas}→${plan.hpa!.minReplicas.to}, max ${hpa.maxReplicas}→${plan.hpa!.maxReplicas.to})` : ''}`,
    );
  },
  async execute(plan, { cluster, clusterId, namespace }) {
    if (plan.hpa)
      await cluster.setHpaBounds(clusterId, namespace, plan.hpa.name, { minReplicas: plan.hpa.minReplicas.to, maxReplicas: plan.hpa.maxReplicas.to });
    await cluster.scale(clusterId, namespace, plan.deployment, plan.to);
    return {
      changed: true,
      after: { replicas: plan.to, ...(plan.hpa ? { hpa: { minReplicas: plan.hpa.minReplicas.to, maxReplicas: plan.hpa.maxReplicas.to } } : {}) },
    };
  },
  async undo(plan, snapshot, { cluster, clusterId, namespace }) {
    if (plan.hpa && snapshot.hpa)
      await cluster.setHpaBounds(clusterId, namespace, snapshot.hpa.name, { minReplicas: snapshot.hpa.minReplicas, maxReplicas: snapshot.hpa.maxReplicas });
    await cluster.scale(clusterId, namespace, plan.deployment, snapshot.replicas);
    return { undone: true, result: 'restored' };
  },
  describe: (plan) =>
    `scale ${plan.deployment} ${plan.from} → ${plan.to} replicas${plan.hpa ? ` (HPA ${plan.hpa.name} min ${plan.hpa.minReplicas.from}→${plan.hpa.minReplicas.to}, max ${plan.hpa.maxReplicas.from}→${plan.hpa.maxReplicas.to})` : ''}`,
  symptom: cpuScore,
  symptomTarget: (policy) => policy.cpuUtilisationTarget,
};
