/**
 * What core needs from a Kubernetes cluster. Implemented by functions/adapters/kube/kube-gateway.ts.
 * (Meant for functions/ports.ts; kept here until the lead moves it.)
 */
import type { CoreV1Event, V1Deployment, V1Node, V1Pod } from '@kubernetes/client-node';
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
  listDeployments(namespace: string, labelSelector?: string): Promise<V1Deployment[]>;
  getDeployment(namespace: string, name: string): Promise<V1Deployment>;
  scaleDeployment(namespace: string, name: string, replicas: number): Promise<void>;
  deletePod(namespace: string, name: string): Promise<void>;
  /** Rolls back to the previous ReplicaSet revision; returns the revision rolled back to. */
  rolloutUndo(namespace: string, name: string): Promise<{ revision: string }>;
  podMetrics(namespace: string): Promise<PodMetrics[]>;
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
