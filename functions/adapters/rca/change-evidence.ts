/**
 * The RCA's change timeline from a cluster and fleetops' own records: rollouts (ReplicaSet revisions), fleetops
 * deploys (the release history of the releases in the namespace), config maps (metadata only) and HPAs. Each source
 * fails on its own: a missing permission or table leaves the others standing.
 */
import type { DeploymentStore } from '../../core/deploy/store.ts';
import { changesOf, configChanges, deployChanges, releaseOf, scaleChanges, type DeploymentRef, type ReleaseHistoryChange } from '../../core/rca/changes.ts';
import type { RcaTarget } from '../../core/rca/evidence.ts';
import type { Change } from '../../core/rca/rank.ts';
import type { KubeClusterClient } from '../../ports.ts';
import { rolloutsOf } from '../kube/rca-evidence.ts';

/** Releases, and deploys whose applied-at time is read, per RCA at most. */
const MAX_RELEASES = 10;
const MAX_DEPLOYS = 10;
const HISTORY_PER_RELEASE = 10;

type ChangeClient = Pick<KubeClusterClient, 'listDeployments' | 'listReplicaSets' | 'listConfigMapMetadata' | 'listHorizontalPodAutoscalers'>;
type ReleaseRecords = Pick<DeploymentStore, 'releaseHistory' | 'get'>;

/** fleetops' own deploys of the releases in the namespace, applied-at times from each deploy's cluster record. */
export async function fleetopsDeploys(store: ReleaseRecords, clusterId: string, target: RcaTarget, deployments: readonly DeploymentRef[]): Promise<Change[]> {
  const releases = [...new Set(deployments.map(releaseOf).filter((r): r is string => !!r))].slice(0, MAX_RELEASES);
  const history = (await Promise.all(releases.map((release) => store.releaseHistory(clusterId, target.namespace, release, HISTORY_PER_RELEASE)))).flat();
  const ids = [...new Set(history.map((h) => h.deploymentId))].slice(0, MAX_DEPLOYS);
  const views = await Promise.all(ids.map((id) => store.get(id).catch(() => undefined)));
  const appliedAt = new Map(views.flatMap((v) => (v ? [[v.record.id, v.clusters.find((c) => c.clusterId === clusterId)?.appliedAt] as const] : [])));
  const entries: ReleaseHistoryChange[] = history.map((h) => ({ ...h, appliedAt: appliedAt.get(h.deploymentId) }));
  return deployChanges(entries, deployments, new Date(target.at));
}

/** Every change of the namespace's deployments around `target.at` (rollouts, deploy, config, scale), oldest first. */
export async function collectChanges(
  client: ChangeClient,
  store: ReleaseRecords | undefined,
  clusterId: string,
  target: RcaTarget,
  limit: number,
): Promise<Change[]> {
  const at = new Date(target.at);
  const deployments = client.listDeployments(target.namespace, limit);
  const none = () => [] as Change[];
  const parts = await Promise.all([
    Promise.all([deployments, client.listReplicaSets(target.namespace, undefined, limit)])
      .then(([d, rs]) => changesOf(rolloutsOf(d, rs), at))
      .catch(none),
    store ? deployments.then((d) => fleetopsDeploys(store, clusterId, target, d)).catch(none) : [],
    // Config maps only: the RBAC fleetops asks for grants no Secrets (listing them would hand over their data).
    Promise.all([deployments, client.listConfigMapMetadata(target.namespace, limit)])
      .then(([d, cms]) => configChanges(cms, d, at))
      .catch(none),
    client
      .listHorizontalPodAutoscalers(target.namespace)
      .then((hpas) => scaleChanges(hpas, at))
      .catch(none),
  ]);
  return parts.flat().sort((a, b) => a.at - b.at);
}
