/** What the rollback strategies share: the plan (to the previous revision), execute (rollout undo) and undo (the snapshot's template). */
import type { ActionPlan, WorkloadState } from '../types.ts';
import { notReadyScore } from './common.ts';
import type { HealingStrategy } from './types.ts';

export type Rollback = Extract<ActionPlan, { kind: 'rollback' }>;

/** ReplicaSets whose pods fail now (a pod is named after its ReplicaSet). */
export function failingNow(state: WorkloadState): string[] {
  return state.replicaSets
    .filter((rs) => state.pods.some((p) => p.name.startsWith(`${rs.name}-`) && (!p.ready || p.waitingReason !== undefined)))
    .map((rs) => rs.name);
}

/**
 * The newest older revision that nobody saw failing (not fleetops, which remembers what it rolled
 * back from and rollbacks that made things worse; not the cluster, where its pods fail now).
 * `skipped`: newer older revisions passed over because they failed.
 */
export function rollbackTarget(
  state: WorkloadState,
  failing: ReadonlySet<string> = new Set(),
): { revision: string; replicaSet: string; skipped: string[] } | { revision?: undefined; skipped: string[] } {
  const current = Number(state.revision);
  const bad = new Set([...failing, ...failingNow(state)]);
  const older = state.replicaSets
    .map((rs) => ({ rs, n: Number(rs.revision) }))
    .filter(({ n }) => Number.isFinite(n) && n > 0 && n < current)
    .sort((a, b) => b.n - a.n);
  const skipped: string[] = [];
  for (const { rs } of older) {
    if (bad.has(rs.name)) skipped.push(rs.revision);
    else return { revision: rs.revision, replicaSet: rs.name, skipped };
  }
  return { skipped };
}

export function rollbackPlan(state: WorkloadState, failing?: ReadonlySet<string>): Rollback | undefined {
  const target = rollbackTarget(state, failing);
  if (!target.revision) return undefined;
  const from = state.replicaSets.find((rs) => rs.revision === state.revision)?.name;
  return {
    kind: 'rollback',
    deployment: state.deployment,
    fromRevision: state.revision,
    toRevision: target.revision,
    ...(from ? { fromReplicaSet: from } : {}),
    toReplicaSet: target.replicaSet,
  };
}

/** Why no rollback: older revisions all failed, or there are none. */
export function noRollbackReason(state: WorkloadState, failing?: ReadonlySet<string>): string {
  const { skipped } = rollbackTarget(state, failing);
  return skipped.length
    ? `every older revision of ${state.deployment} was seen failing (${skipped.join(', ')}): no revision known to run healthy to roll back to; proposed for a person`
    : `No previous revision of ${state.deployment} to roll back to`;
}

/** The parts of a rollback strategy that do not depend on why it rolls back. */
export const rollbackActions: Pick<HealingStrategy<Rollback>, 'planKinds' | 'execute' | 'undo' | 'describe' | 'symptom' | 'symptomTarget' | 'symptomName'> = {
  planKinds: ['rollback'],
  symptomName: 'pods not ready',
  async execute(plan, { cluster, clusterId, namespace }) {
    return { changed: true, after: { revision: (await cluster.rollback(clusterId, namespace, plan.deployment, plan.toRevision)).revision } };
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
