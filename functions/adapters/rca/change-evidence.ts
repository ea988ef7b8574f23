/**
 * The RCA's change timeline from a cluster, fleetops' own records and Argo CD: rollouts (ReplicaSet revisions), fleetops
 * deploys (the release history of the releases in the namespace), config maps and secrets (metadata only), HPAs, and the
 * syncs of the Argo CD Applications that verifiably manage the namespace's deployments. Each source fails on its own: a
 * missing permission, table or Argo CD leaves the others standing.
 */
import type { DeploymentStore } from '../../core/deploy/store.ts';
import { argoClaims, argoSyncChanges } from '../../core/rca/argocd-changes.ts';
import {
  changesOf,
  configChanges,
  deployChanges,
  releaseOf,
  scaleChanges,
  secretChanges,
  type DeploymentRef,
  type ReleaseHistoryChange,
} from '../../core/rca/changes.ts';
import type { RcaTarget } from '../../core/rca/evidence.ts';
import type { ArgoCdApplications } from '../../core/rca/ports.ts';
import type { Change } from '../../core/rca/rank.ts';
import type { KubeClusterClient } from '../../ports.ts';
import { rolloutsOf } from '../kube/rca-evidence.ts';

/** Releases, and deploys whose applied-at time is read, per RCA at most. */
const MAX_RELEASES = 10;
const MAX_DEPLOYS = 10;
const HISTORY_PER_RELEASE = 10;
/** Argo CD Applications read per RCA at most. */
const MAX_ARGO_APPS = 5;

type ChangeClient = Pick<
  KubeClusterClient,
  'listDeployments' | 'listReplicaSets' | 'listConfigMapMetadata' | 'listSecretMetadata' | 'listHorizontalPodAutoscalers'
>;
type ReleaseRecords = Pick<DeploymentStore, 'releaseHistory' | 'get'>;

/** Argo CD as a change source: the instance, and the registered cluster's API server URL its destinations are matched with. */
export interface ArgoChangeSource {
  argocd: ArgoCdApplications;
  server?: string;
}

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

/**
 * Syncs of the Applications the deployments name (labels, tracking ids), each read once and trusted only for the
 * deployments it verifiably manages on this cluster and namespace.
 */
export async function argoSyncs(source: ArgoChangeSource, target: RcaTarget, deployments: readonly DeploymentRef[]): Promise<Change[]> {
  const { argocd } = source;
  if (!argocd.covers(target.cluster)) return [];
  const where = {
    namespace: target.namespace,
    cluster: { name: target.cluster, ...(source.server ? { server: source.server } : {}) },
    ...(argocd.inCluster ? { inCluster: argocd.inCluster } : {}),
  };
  const claims = argoClaims(deployments).slice(0, MAX_ARGO_APPS);
  const parts = await Promise.all(
    claims.map((claim) =>
      argocd
        .application(claim.ref)
        // The application is the one asked for, whatever the answer calls itself.
        .then((app) => argoSyncChanges({ ...app, name: claim.ref.name, appNamespace: claim.ref.appNamespace }, claim.deployments, where, new Date(target.at)))
        .catch(() => [] as Change[]),
    ),
  );
  return parts.flat();
}

/** Every change of the namespace's deployments around `target.at` (rollouts, deploy, config, secret, scale, sync), oldest first. */
export async function collectChanges(
  client: ChangeClient,
  store: ReleaseRecords | undefined,
  clusterId: string,
  target: RcaTarget,
  limit: number,
  sources: { argo?: ArgoChangeSource } = {},
): Promise<Change[]> {
  const at = new Date(target.at);
  const deployments = client.listDeployments(target.namespace, limit);
  const none = () => [] as Change[];
  const parts = await Promise.all([
    Promise.all([deployments, client.listReplicaSets(target.namespace, undefined, limit)])
      .then(([d, rs]) => changesOf(rolloutsOf(d, rs), at))
      .catch(none),
    store ? deployments.then((d) => fleetopsDeploys(store, clusterId, target, d)).catch(none) : [],
    Promise.all([deployments, client.listConfigMapMetadata(target.namespace, limit)])
      .then(([d, cms]) => configChanges(cms, d, at))
      .catch(none),
    // Only where the cluster grants it (a Role per namespace, opt-in: RBAC cannot limit a list of Secrets to their metadata).
    Promise.all([deployments, client.listSecretMetadata(target.namespace, limit)])
      .then(([d, secrets]) => secretChanges(secrets, d, at))
      .catch(none),
    client
      .listHorizontalPodAutoscalers(target.namespace)
      .then((hpas) => scaleChanges(hpas, at))
      .catch(none),
    sources.argo ? deployments.then((d) => argoSyncs(sources.argo!, target, d)).catch(none) : [],
  ]);
  return parts.flat().sort((a, b) => a.at - b.at);
}
