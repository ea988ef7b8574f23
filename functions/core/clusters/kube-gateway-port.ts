/**
 * What core needs from a Kubernetes cluster. Implemented by functions/adapters/kube/kube-gateway.ts.
 * (Meant for functions/ports.ts; kept here until the lead moves it.)
 */
import type { CoreV1Event, V1Deployment, V1Node, V1Pod, V1PodTemplateSpec, V1ReplicaSet, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { SafeKubeconfig } from './kubeconfig-policy.ts';

export interface ClusterVersion {
  gitVersion: string;
  platform: string;
}

export interface PodMetrics {
  name: string;
  namespace: string;
  timestamp?: string;
  containers: Array<{ name: string; cpu: string; memory: string }>;
}

export interface KubeClusterClient {
  version(): Promise<ClusterVersion>;
  listPods(namespace: string, labelSelector?: string): Promise<V1Pod[]>;
  listEvents(namespace: string): Promise<CoreV1Event[]>;
  listNodes(): Promise<V1Node[]>;
  getDeployment(namespace: string, name: string): Promise<V1Deployment>;
  scaleDeployment(namespace: string, name: string, replicas: number): Promise<void>;
  deletePod(namespace: string, name: string): Promise<void>;
  /** Rolls back to the previous ReplicaSet revision; returns the revision rolled back to. */
  rolloutUndo(namespace: string, name: string): Promise<{ revision: string }>;
  podMetrics(namespace: string): Promise<PodMetrics[]>;
  // Healing (functions/core/healing): reads for snapshots and plans, the writes its actions make.
  listReplicaSets(namespace: string, labelSelector?: string): Promise<V1ReplicaSet[]>;
  listHorizontalPodAutoscalers(namespace: string): Promise<V2HorizontalPodAutoscaler[]>;
  /** Merge-patches an HPA's replica bounds (raise the HPA instead of fighting it). */
  patchHorizontalPodAutoscaler(namespace: string, name: string, bounds: { minReplicas?: number; maxReplicas?: number }): Promise<void>;
  /** Puts a pod template back (undo from a snapshot). */
  replaceDeploymentTemplate(namespace: string, name: string, template: V1PodTemplateSpec): Promise<void>;
}

export interface ClusterTarget {
  clusterId: string;
  /** Changes whenever the stored credentials change (e.g. a hash or secret version id). */
  credentialsVersion: string;
  creds: SafeKubeconfig;
}

export interface KubeGateway {
  /** GET /version with fresh, unpooled credentials (registration and rotation). */
  version(creds: SafeKubeconfig): Promise<ClusterVersion>;
  /** A pooled client for a registered cluster. */
  client(target: ClusterTarget): Promise<KubeClusterClient>;
  /** Drop the pooled client (cluster deleted or credentials rotated). */
  forget(clusterId: string): void;
}
