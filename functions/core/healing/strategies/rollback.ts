/** What the rollback strategies share: the plan (to the previous revision), execute (rollout undo) and undo (the snapshot's template). */
import type { ActionPlan, WorkloadState } from '../types.ts';
import { notReadyScore, previousRevision } from './common.ts';
import type { HealingStrategy } from './types.ts';

export type Rollback = Extract<ActionPlan, { kind: 'rollback' }>;

export function rollbackPlan(state: WorkloadState): Rollback | undefined {
  const previous = previousRevision(state);
  return previous ? { kind: 'rollback', deployment: state.deployment, fromRevision: state.revision, toRevision: previous } : undefined;
}

/** The parts of a rollback strategy that do not depend on why it rolls back. */
export const rollbackActions: Pick<HealingStrategy<Rollback>, 'planKinds' | 'execute' | 'undo' | 'describe' | 'symptom' | 'symptomTarget' | 'symptomName'> = {
  planKinds: ['rollback'],
  symptomName: 'pods not ready',
  async execute(plan, { cluster, clusterId, namespace }) {
    return { changed: true, after: { revision: (await cluster.rollback(clusterId, namespace, plan.deployment)).revision } };
  },
  async undo(plan, snapshot, { cluster, clusterId, namespace }) {
    await cluster.restoreTemplate(clusterId, namespace, plan.deployment, snapshot.template);
    return { undone: true, result: 'restored' };
  },
  describe: (plan) =>
    plan.argocd
      ? `roll ${plan.deployment} back through Argo CD application ${plan.argocd.appNamespace ? `${plan.argocd.appNamespace}/` : ''}${plan.argocd.application} to history id ${plan.argocd.historyId} (revision ${plan.argocd.revision})`
      : `roll ${plan.deployment} back from revision ${plan.fromRevision} to ${plan.toRevision}`,
  symptom: notReadyScore,
  symptomTarget: () => 0,
};
