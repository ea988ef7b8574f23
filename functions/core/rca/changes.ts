/**
 * The change timeline of an RCA: what changed on which service and when (rollouts: a new ReplicaSet revision
 * with what its pod template changed, e.g. an image or a config map reference). It is evidence for the ranking
 * (`fleetops rank --changes`: a change shortly before a service's symptoms raises it) and shown in the report's
 * timeline beside the symptoms.
 */
import type { Evidence, RolloutEvidence } from './evidence.ts';
import type { Change } from './rank.ts';

/** Changes this long before the symptoms are part of the timeline. */
export const CHANGE_WINDOW_MS = 60 * 60_000;

/** Rollouts as ranker changes (epoch seconds), within CHANGE_WINDOW_MS before `at` and anything after. */
export function changesOf(rollouts: readonly RolloutEvidence[], at: Date): Change[] {
  const from = at.getTime() - CHANGE_WINDOW_MS;
  return rollouts
    .filter((r) => r.changes.length > 0 && Date.parse(r.at) >= from)
    .map((r) => ({ node: r.deployment, at: Math.floor(Date.parse(r.at) / 1000), kind: 'rollout', detail: `revision ${r.revision}: ${r.changes.slice(0, 3).join('; ')}` }));
}

/** The changes of an RCA's evidence, oldest first. */
export function changeTimeline(evidence: Pick<Evidence, 'rollouts' | 'target'>): Change[] {
  return changesOf(evidence.rollouts, new Date(evidence.target.at)).sort((a, b) => a.at - b.at);
}

/** The fields of a Deployment the change timeline reads (a Kubernetes V1Deployment fits). */
export interface DeploymentRef {
  metadata?: { name?: string; annotations?: Record<string, string> };
}

/** The release a deployment belongs to (helm's `meta.helm.sh/release-name`), if any. */
export function releaseOf(d: DeploymentRef): string | undefined {
  return d.metadata?.annotations?.['meta.helm.sh/release-name'];
}

/** One line of fleetops' release history (core/deploy ReleaseHistoryEntry), with when its revision was applied when known. */
export interface ReleaseHistoryChange {
  release: string;
  revision: number;
  deploymentId: string;
  trigger: string;
  outcome: 'SUCCEEDED' | 'FAILED' | 'ROLLED_BACK';
  /** When the outcome was recorded. */
  at: string;
  /** When helm applied the revision on this cluster (the deploy's ClusterDeployRecord.appliedAt). */
  appliedAt?: string;
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * fleetops' own deploys (the release history of the releases in the namespace) as changes of the deployments each
 * release covers: one `deploy` change per deploy, at the moment its revision was applied (else when its outcome was
 * recorded), and one more when the deploy was rolled back. Within CHANGE_WINDOW_MS before `at`, and anything after.
 */
export function deployChanges(history: readonly ReleaseHistoryChange[], deployments: readonly DeploymentRef[], at: Date): Change[] {
  const from = at.getTime() - CHANGE_WINDOW_MS;
  const byDeploy = new Map<string, ReleaseHistoryChange[]>();
  for (const h of history) byDeploy.set(`${h.release}#${h.deploymentId}#${h.revision}`, [...(byDeploy.get(`${h.release}#${h.deploymentId}#${h.revision}`) ?? []), h]);
  const out: Change[] = [];
  for (const entries of byDeploy.values()) {
    const { release, revision, deploymentId, trigger } = entries[0];
    const nodes = deployments.filter((d) => releaseOf(d) === release).map((d) => d.metadata?.name ?? '').filter(Boolean);
    const applied = entries.map((e) => e.appliedAt).find((a) => a && Number.isFinite(Date.parse(a))) ?? entries.map((e) => e.at).sort()[0];
    const outcomes = [...new Set(entries.map((e) => e.outcome))].join(', ');
    const rolledBack = entries.find((e) => e.outcome === 'ROLLED_BACK');
    for (const node of nodes) {
      if (Date.parse(applied) >= from) out.push({ node, at: seconds(applied), kind: 'deploy', detail: `fleetops deploy ${deploymentId} of release ${release} revision ${revision} (trigger ${trigger}; ${outcomes})` });
      if (rolledBack && Date.parse(rolledBack.at) >= from) out.push({ node, at: seconds(rolledBack.at), kind: 'deploy', detail: `fleetops rolled back release ${release} from revision ${revision} (deploy ${deploymentId})` });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}
