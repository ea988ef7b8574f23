/**
 * What core needs from a Kubernetes cluster. Implemented by functions/adapters/kube/kube-gateway.ts.
 * (Meant for functions/ports.ts; kept here until the lead moves it.)
 */
import type { CoreV1Event, V1Deployment, V1Endpoints, V1Node, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
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
  // Read-only evidence for root-cause analysis (RCA). `limit` caps list sizes.
  listDeployments(namespace: string, limit?: number): Promise<V1Deployment[]>;
  listReplicaSets(namespace: string, labelSelector?: string, limit?: number): Promise<V1ReplicaSet[]>;
  listServices(namespace: string, limit?: number): Promise<V1Service[]>;
  listEndpoints(namespace: string, limit?: number): Promise<V1Endpoints[]>;
  /** The last lines of a container's log, at most `limitBytes` (the server cuts, so a huge log never travels). */
  readPodLog(namespace: string, pod: string, options: { container: string; tailLines: number; limitBytes: number; previous?: boolean }): Promise<string>;
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
