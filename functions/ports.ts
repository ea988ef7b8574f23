import type {
  CoreV1Event,
  V1Deployment,
  V1ObjectMeta,
  V1Endpoints,
  V1Node,
  V1Pod,
  V1PodTemplateSpec,
  V1ReplicaSet,
  V1Service,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { ClusterVersion, PodMetrics } from './core/clusters/kube-gateway-port.ts';

/**
 * Interfaces that speak outside types (Kubernetes API objects) or belong to the entry points.
 * The shared kernel of ports is core/platform/ports.ts, re-exported here for adapters and wiring.
 */

export type {
  BusEvent,
  Clock,
  EventPublisher,
  NotificationAction,
  NotificationMessage,
  Notifier,
  SecretStore,
  TaskCallbacks,
  WorkflowExecution,
  WorkflowStarter,
} from './core/platform/ports.ts';

/** Bearer token for /v1/*. Secrets Manager in AWS, the data dir locally. */
export interface ApiTokenProvider {
  /** Every token accepted right now (the current one, and the previous one during a rotation). */
  getTokens(): Promise<string[]>;
}

/**
 * A pooled client for one registered cluster (functions/adapters/kube/kube-gateway.ts), handed out
 * by the cluster registry. It speaks Kubernetes API objects, so it lives here and not in core.
 */
export interface KubeClusterClient {
  version(): Promise<ClusterVersion>;
  listPods(namespace: string, labelSelector?: string): Promise<V1Pod[]>;
  listEvents(namespace: string): Promise<CoreV1Event[]>;
  listNodes(): Promise<V1Node[]>;
  /** Cluster-wide lists (one call each): what kube-state detection reads per pull. */
  listAllPods(): Promise<V1Pod[]>;
  listAllDeployments(): Promise<V1Deployment[]>;
  getDeployment(namespace: string, name: string): Promise<V1Deployment>;
  scaleDeployment(namespace: string, name: string, replicas: number): Promise<void>;
  deletePod(namespace: string, name: string): Promise<void>;
  /** Rolls back to the previous ReplicaSet revision (or `toRevision`, as `--to-revision`); returns the revision rolled back to. */
  rolloutUndo(namespace: string, name: string, toRevision?: string): Promise<{ revision: string }>;
  podMetrics(namespace: string): Promise<PodMetrics[]>;
  // Read-only evidence for root-cause analysis (RCA). `limit` caps list sizes.
  listDeployments(namespace: string, limit?: number): Promise<V1Deployment[]>;
  listReplicaSets(namespace: string, labelSelector?: string, limit?: number): Promise<V1ReplicaSet[]>;
  listServices(namespace: string, limit?: number): Promise<V1Service[]>;
  listEndpoints(namespace: string, limit?: number): Promise<V1Endpoints[]>;
  /** ConfigMaps' metadata only (names, creation and managedFields times), never their data: a metadata-only list where the server supports it, stripped otherwise. */
  listConfigMapMetadata(namespace: string, limit?: number): Promise<V1ObjectMeta[]>;
  /** Secrets' names and write times only (no data, no annotations): a metadata-only list, reduced before it is returned. */
  listSecretMetadata(namespace: string, limit?: number): Promise<V1ObjectMeta[]>;
  /** The last lines of a container's log, at most `limitBytes` (the server cuts, so a huge log never travels). */
  readPodLog(namespace: string, pod: string, options: { container: string; tailLines: number; limitBytes: number; previous?: boolean }): Promise<string>;
  // Healing (functions/core/healing): reads for snapshots and plans, the writes its actions make.
  listHorizontalPodAutoscalers(namespace: string): Promise<V2HorizontalPodAutoscaler[]>;
  /** Merge-patches an HPA's replica bounds (raise the HPA instead of fighting it). */
  patchHorizontalPodAutoscaler(namespace: string, name: string, bounds: { minReplicas?: number; maxReplicas?: number }): Promise<void>;
  /** Puts a pod template back (undo from a snapshot). */
  replaceDeploymentTemplate(namespace: string, name: string, template: V1PodTemplateSpec): Promise<void>;
  // Scorecards (functions/core/catalog): Prometheus Operator ServiceMonitors; undefined when the CRD is not installed.
  listServiceMonitors(namespace: string): Promise<{ name: string; matchLabels: Record<string, string> }[] | undefined>;
}
