import type { ClusterRecord } from '../clusters/cluster-record.ts';
import type { SafeKubeconfig } from '../clusters/kubeconfig-policy.ts';
import type { ArgoAppRef, ArgoCdApplication } from '../healing/argocd.ts';
import type { DeploymentView, PodView } from './rollout.ts';
import type { ChartSpec } from './types.ts';

/** What the deploy workflow reads from a cluster: the release's workloads, in the shapes rollout.ts judges. */
export interface WorkloadReader {
  listDeployments(namespace: string): Promise<DeploymentView[]>;
  listPods(namespace: string): Promise<PodView[]>;
}

/** The real helm (functions/adapters/helm/helm-cli.ts). */
export interface HelmClient {
  /** `helm upgrade --install`; returns the new revision and the one before it (0 when none). */
  upgrade(input: {
    creds: SafeKubeconfig;
    release: string;
    namespace: string;
    chart: ChartSpec;
    values: Record<string, unknown>;
    timeoutSeconds: number;
  }): Promise<{ revision: number; previousRevision: number }>;
  /** `helm rollback` to `revision`, or `helm uninstall` when it is 0. */
  rollback(input: { creds: SafeKubeconfig; release: string; namespace: string; revision: number; timeoutSeconds: number }): Promise<void>;
}

/** The registered clusters (ClusterRegistry). */
export interface ClusterAccess {
  list(): Promise<ClusterRecord[]>;
  get(id: string): Promise<ClusterRecord>;
  credentials(record: ClusterRecord): Promise<SafeKubeconfig>;
  client(record: ClusterRecord): Promise<WorkloadReader>;
}

/** The detection state of a cluster's services: anomalies scored since a moment. */
export interface AnomalyWatch {
  anomaliesSince(clusterId: string, services: string[], since: string): Promise<{ service: string; severity: string; at: string }[]>;
}

/** Opens (or joins) an incident for a failed deploy; the alert pipeline notifies. */
export interface IncidentOpener {
  deploymentFailed(input: { deploymentId: string; cluster: string; namespace: string; release: string; reason: string; at: string }): Promise<void>;
}

/** Argo CD, read only: whether an Application manages a release's workloads (healing's ArgoCdTarget fits). */
export interface ArgoCdReader {
  /** Whether this instance manages workloads of the registered cluster with this name. */
  covers(cluster: string): boolean;
  /** The registered cluster this instance runs in (its `in-cluster` destination), when known. */
  readonly inCluster?: string;
  /** Throws NotFoundError when there is no such Application. */
  application(ref: ArgoAppRef): Promise<ArgoCdApplication>;
}
