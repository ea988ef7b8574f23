/**
 * Argo CD syncs as changes. A deployment's label or tracking id only claims an Application; the Application's
 * `status.history` (deployedAt, revision) becomes a `sync` change of the deployment only when the Application verifiably
 * manages it (healing's argoManages: it deploys to this cluster and namespace and lists the deployment).
 */
import { argoAppRef, argoManages, type ArgoAppRef, type ArgoCdApplication, type ArgoWorkloadTarget } from '../healing/argocd.ts';
import { gitOpsOwner } from '../healing/gitops.ts';
import { CHANGE_WINDOW_MS, type DeploymentRef } from './changes.ts';
import type { Change } from './rank.ts';

/** An Application and the deployments whose labels or tracking ids name it: a claim, still to be verified. */
export interface ArgoClaim {
  ref: ArgoAppRef;
  deployments: string[];
}

/** The Applications the deployments claim to be managed by, in the order first named. */
export function argoClaims(deployments: readonly DeploymentRef[]): ArgoClaim[] {
  const claims = new Map<string, ArgoClaim>();
  for (const d of deployments) {
    const name = d.metadata?.name;
    const owner = gitOpsOwner(d.metadata?.labels ?? {}, d.metadata?.annotations ?? {});
    const ref = name && owner?.tool === 'argocd' ? argoAppRef(owner.app) : undefined;
    if (!ref) continue;
    const key = `${ref.appNamespace ?? ''}/${ref.name}`;
    const claim = claims.get(key) ?? { ref, deployments: [] };
    claim.deployments.push(name!);
    claims.set(key, claim);
  }
  return [...claims.values()];
}

/** Where the workloads run: the namespace, the registered cluster (name, API server URL), and Argo CD's own cluster. */
export type ArgoWhere = Omit<ArgoWorkloadTarget, 'deployment'>;

const MAX_REVISION = 64;

function revisionOf(h: ArgoCdApplication['history'][number]): string | undefined {
  const revisions = h.revision ? [h.revision] : (h.revisions ?? []);
  return revisions.length ? revisions.map((r) => r.slice(0, MAX_REVISION)).join(', ') : undefined;
}

/**
 * The Application's history entries deployed within CHANGE_WINDOW_MS before `at` (or after) as `sync` changes of each
 * claimed deployment it verifiably manages; none when it manages none of them.
 */
export function argoSyncChanges(app: ArgoCdApplication, claimed: readonly string[], where: ArgoWhere, at: Date): Change[] {
  const nodes = claimed.filter((deployment) => argoManages(app, { ...where, deployment }).ok);
  if (!nodes.length) return [];
  const from = at.getTime() - CHANGE_WINDOW_MS;
  const name = `${app.appNamespace ? `${app.appNamespace}/` : ''}${app.name}`;
  const history = [...app.history].sort((a, b) => a.id - b.id);
  const out: Change[] = [];
  history.forEach((h, i) => {
    const deployed = Date.parse(h.deployedAt ?? '');
    if (!Number.isFinite(deployed) || deployed < from) return;
    const revision = revisionOf(h);
    const before = i > 0 ? revisionOf(history[i - 1]) : undefined;
    const detail = `Argo CD application ${name} synced ${revision ? `revision ${revision}` : 'a new revision'} (history id ${h.id}${before ? `; before: ${before}` : ''})`;
    for (const node of nodes) out.push({ node, at: Math.floor(deployed / 1000), kind: 'sync', detail });
  });
  return out.sort((a, b) => a.at - b.at);
}
