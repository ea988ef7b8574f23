/**
 * The parts of Pod, Deployment and Node that kube-state detection reads. Structural subsets of the
 * Kubernetes API objects (what @kubernetes/client-node returns fits them), so core needs no client import.
 */
interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
  ownerReferences?: { kind: string; name: string; controller?: boolean }[];
}
interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string | Date;
}
export interface KubeContainerStatus {
  name: string;
  restartCount?: number;
  ready?: boolean;
  state?: { waiting?: { reason?: string; message?: string }; running?: unknown; terminated?: { reason?: string; exitCode?: number } };
  lastState?: { terminated?: { reason?: string; exitCode?: number; finishedAt?: string | Date } };
}
export interface KubePodState {
  metadata: Meta;
  status?: { phase?: string; conditions?: Condition[]; containerStatuses?: KubeContainerStatus[]; initContainerStatuses?: KubeContainerStatus[] };
}
export interface KubeDeploymentState {
  metadata: Meta;
  spec?: { replicas?: number; progressDeadlineSeconds?: number };
  status?: { availableReplicas?: number; unavailableReplicas?: number; conditions?: Condition[] };
}
export interface KubeNodeState {
  metadata: Meta;
  status?: { conditions?: Condition[] };
}

/** One list of each kind, cluster-wide: three calls per cluster per pull. */
export interface KubeStateSnapshot {
  pods: KubePodState[];
  deployments: KubeDeploymentState[];
  nodes: KubeNodeState[];
}

export interface KubeStateConfig {
  /** A condition resolves after this many consecutive pulls without it. */
  resolveAfterPulls: number;
  /** Pods Pending with PodScheduled=False/Unschedulable for this long become KubePodUnschedulable. */
  unschedulableGraceSeconds: number;
  /** Pods Pending for any other reason (no container verdict yet) for this long become KubePodNotReady. */
  pendingGraceSeconds: number;
  /** A node NotReady/Unknown for this long becomes KubeNodeNotReady. */
  nodeNotReadyGraceSeconds: number;
  /** On the first look at a container, a termination this recent counts as a restart. */
  recentRestartSeconds: number;
  /** A still-firing condition is sent again after this long, so the alert's dedup window keeps sliding. */
  refireSeconds: number;
}

export const DEFAULT_KUBE_STATE_CONFIG: KubeStateConfig = {
  resolveAfterPulls: 2,
  unschedulableGraceSeconds: 30,
  pendingGraceSeconds: 300,
  nodeNotReadyGraceSeconds: 30,
  recentRestartSeconds: 600,
  refireSeconds: 3600,
};
