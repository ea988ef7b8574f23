import type { Severity } from '../platform/severity.ts';
/**
 * Kubernetes state → conditions, from one list of pods, deployments and nodes (no Prometheus needed).
 * Names follow kube-prometheus where it has a rule (KubePodCrashLooping, KubePodNotReady,
 * KubeDeploymentReplicasMismatch, KubeDeploymentRolloutStuck, KubeNodeNotReady); the others are named alike.
 * One condition per (namespace, service, type): the pods of a deployment are one alert, listed in it.
 */
import type { KubeDeploymentState, KubeNodeState, KubePodState, KubeStateConfig } from './types.ts';

export const CONDITION_TYPES = {
  crashLooping: 'KubePodCrashLooping',
  oomKilled: 'KubePodOOMKilled',
  imagePull: 'KubePodImagePullBackOff',
  configError: 'KubePodContainerConfigError',
  unschedulable: 'KubePodUnschedulable',
  notReady: 'KubePodNotReady',
  replicasMismatch: 'KubeDeploymentReplicasMismatch',
  rolloutStuck: 'KubeDeploymentRolloutStuck',
  nodeNotReady: 'KubeNodeNotReady',
} as const;
export type ConditionType = (typeof CONDITION_TYPES)[keyof typeof CONDITION_TYPES];

/** The RCA / healing issue type each condition maps to (shared vocabulary between helpers). */
export const ISSUE_TYPE: Record<ConditionType, string> = {
  KubePodCrashLooping: 'pod_crash_loop',
  KubePodOOMKilled: 'high_memory',
  KubePodImagePullBackOff: 'image_pull',
  KubePodContainerConfigError: 'config_error',
  KubePodUnschedulable: 'unschedulable',
  KubePodNotReady: 'pod_crash_loop',
  KubeDeploymentReplicasMismatch: 'bad_deploy',
  KubeDeploymentRolloutStuck: 'bad_deploy',
  KubeNodeNotReady: 'node_not_ready',
};

const SEVERITY: Record<ConditionType, Severity> = {
  KubePodCrashLooping: 'high',
  KubePodOOMKilled: 'high',
  KubePodImagePullBackOff: 'high',
  KubePodContainerConfigError: 'high',
  KubePodUnschedulable: 'medium',
  KubePodNotReady: 'medium',
  KubeDeploymentReplicasMismatch: 'high',
  KubeDeploymentRolloutStuck: 'high',
  KubeNodeNotReady: 'critical',
};

/** Nodes are not namespaced: their conditions live on a cluster-level service `node/<name>` in kube-system. */
export const NODE_NAMESPACE = 'kube-system';
export const nodeService = (name: string): string => `node/${name}`;

export interface KubeCondition {
  /** `<namespace>/<service>/<type>`: what resolution and dedup refer to. */
  key: string;
  type: ConditionType;
  issueType: string;
  namespace: string;
  service: string;
  severity: Severity;
  /** Pods, containers or nodes involved, e.g. `frontend-7d9f-abcde/app`. */
  objects: string[];
  /** The reason Kubernetes gives (waiting reason, condition reason), first object's. */
  reason: string;
  message: string;
}

/** Restart counts per `<pod uid>/<container>` from the previous pull: what makes a rise visible. */
export type RestartCounts = Record<string, number>;

/** The workload a pod belongs to: Deployment (through its ReplicaSet's pod-template-hash), else its controller, else itself. */
export function serviceOfPod(pod: KubePodState): string {
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller) ?? pod.metadata.ownerReferences?.[0];
  if (!owner) return pod.metadata.name;
  if (owner.kind === 'ReplicaSet') {
    const hash = pod.metadata.labels?.['pod-template-hash'];
    if (hash && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -hash.length - 1);
    const cut = owner.name.lastIndexOf('-');
    return cut > 0 ? owner.name.slice(0, cut) : owner.name;
  }
  return owner.name;
}

const ageSeconds = (at: string | Date | undefined, now: Date): number => (at ? (now.getTime() - new Date(at).getTime()) / 1000 : 0);

interface Finding {
  type: ConditionType;
  namespace: string;
  service: string;
  object: string;
  reason: string;
  detail: string;
}

function podFindings(pod: KubePodState, previous: RestartCounts | undefined, now: Date, config: KubeStateConfig, restarts: RestartCounts): Finding[] {
  const namespace = pod.metadata.namespace ?? 'default';
  const service = serviceOfPod(pod);
  const out: Finding[] = [];
  const add = (type: ConditionType, object: string, reason: string, detail: string) => out.push({ type, namespace, service, object, reason, detail });
  if (pod.metadata.deletionTimestamp) return out;
  for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const object = `${pod.metadata.name}/${cs.name}`;
    const id = `${pod.metadata.uid ?? pod.metadata.name}/${cs.name}`;
    restarts[id] = cs.restartCount ?? 0;
    const before = previous?.[id];
    const rose = before !== undefined && (cs.restartCount ?? 0) > before;
    const waiting = cs.state?.waiting?.reason;
    const last = cs.lastState?.terminated;
    // A restart since the last pull, or one that finished recently on the first pull of this container.
    const restartedLately = rose || (before === undefined && !!last?.finishedAt && ageSeconds(last.finishedAt, now) <= config.recentRestartSeconds);
    if (waiting === 'ImagePullBackOff' || waiting === 'ErrImagePull' || waiting === 'InvalidImageName') {
      add(CONDITION_TYPES.imagePull, object, waiting, cs.state?.waiting?.message ?? '');
    } else if (waiting === 'CreateContainerConfigError' || waiting === 'CreateContainerError') {
      add(CONDITION_TYPES.configError, object, waiting, cs.state?.waiting?.message ?? '');
    } else if (last?.reason === 'OOMKilled' && (waiting === 'CrashLoopBackOff' || restartedLately)) {
      add(CONDITION_TYPES.oomKilled, object, 'OOMKilled', `exit code ${last.exitCode ?? 137}, ${cs.restartCount ?? 0} restarts`);
    } else if (waiting === 'CrashLoopBackOff' || (restartedLately && (cs.restartCount ?? 0) > 0)) {
      add(
        CONDITION_TYPES.crashLooping,
        object,
        waiting ?? 'Restarting',
        `${cs.restartCount ?? 0} restarts${last?.reason ? `, last exit ${last.reason} (${last.exitCode ?? '?'})` : ''}`,
      );
    }
  }
  if (pod.status?.phase === 'Pending' && !out.length) {
    const scheduled = pod.status.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
      if (ageSeconds(scheduled.lastTransitionTime ?? pod.metadata.creationTimestamp, now) >= config.unschedulableGraceSeconds) {
        add(CONDITION_TYPES.unschedulable, pod.metadata.name, 'Unschedulable', scheduled.message ?? '');
      }
    } else if (ageSeconds(pod.metadata.creationTimestamp, now) >= config.pendingGraceSeconds) {
      add(CONDITION_TYPES.notReady, pod.metadata.name, 'Pending', `pending for ${Math.round(ageSeconds(pod.metadata.creationTimestamp, now))} s`);
    }
  }
  return out;
}

function deploymentFindings(d: KubeDeploymentState, now: Date): Finding[] {
  const namespace = d.metadata.namespace ?? 'default';
  const service = d.metadata.name;
  const out: Finding[] = [];
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    out.push({
      type: CONDITION_TYPES.rolloutStuck,
      namespace,
      service,
      object: service,
      reason: 'ProgressDeadlineExceeded',
      detail: progressing.message ?? '',
    });
  }
  const desired = d.spec?.replicas ?? 1;
  const available = d.status?.availableReplicas ?? 0;
  const unavailable = d.status?.unavailableReplicas ?? Math.max(0, desired - available);
  const availableCond = d.status?.conditions?.find((c) => c.type === 'Available');
  const deadline = d.spec?.progressDeadlineSeconds ?? 600;
  if (desired > 0 && unavailable > 0 && availableCond?.status === 'False' && ageSeconds(availableCond.lastTransitionTime, now) >= deadline) {
    out.push({
      type: CONDITION_TYPES.replicasMismatch,
      namespace,
      service,
      object: service,
      reason: availableCond.reason ?? 'MinimumReplicasUnavailable',
      detail: `${available}/${desired} available for more than ${deadline} s`,
    });
  }
  return out;
}

function nodeFindings(n: KubeNodeState, now: Date, config: KubeStateConfig): Finding[] {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'True') return [];
  if (ageSeconds(ready.lastTransitionTime, now) < config.nodeNotReadyGraceSeconds) return [];
  return [
    {
      type: CONDITION_TYPES.nodeNotReady,
      namespace: NODE_NAMESPACE,
      service: nodeService(n.metadata.name),
      object: n.metadata.name,
      reason: ready.reason ?? `Ready=${ready.status}`,
      detail: ready.message ?? '',
    },
  ];
}

/**
 * All conditions present now, plus the restart counts to compare with on the next pull.
 * Only pods and deployments of `namespaces` count; nodes always do.
 */
export function detectConditions(input: {
  pods: KubePodState[];
  deployments: KubeDeploymentState[];
  nodes: KubeNodeState[];
  namespaces: readonly string[];
  previousRestarts?: RestartCounts;
  now: Date;
  config: KubeStateConfig;
}): { conditions: KubeCondition[]; restarts: RestartCounts } {
  const inScope = (ns: string | undefined) => input.namespaces.includes(ns ?? 'default');
  const restarts: RestartCounts = {};
  const findings = [
    ...input.pods.filter((p) => inScope(p.metadata.namespace)).flatMap((p) => podFindings(p, input.previousRestarts, input.now, input.config, restarts)),
    ...input.deployments.filter((d) => inScope(d.metadata.namespace)).flatMap((d) => deploymentFindings(d, input.now)),
    ...input.nodes.flatMap((n) => nodeFindings(n, input.now, input.config)),
  ];
  const byKey = new Map<string, KubeCondition>();
  for (const f of findings) {
    const key = `${f.namespace}/${f.service}/${f.type}`;
    const existing = byKey.get(key);
    if (existing) {
      if (!existing.objects.includes(f.object)) existing.objects.push(f.object);
      continue;
    }
    byKey.set(key, {
      key,
      type: f.type,
      issueType: ISSUE_TYPE[f.type],
      namespace: f.namespace,
      service: f.service,
      severity: SEVERITY[f.type],
      objects: [f.object],
      reason: f.reason,
      message: f.detail,
    });
  }
  const conditions = [...byKey.values()].map((c) => ({ ...c, objects: c.objects.sort(), message: describe(c) }));
  return { conditions: conditions.sort((a, b) => a.key.localeCompare(b.key)), restarts };
}

function describe(c: KubeCondition): string {
  const shown = c.objects.slice(0, 3).join(', ') + (c.objects.length > 3 ? ` and ${c.objects.length - 3} more` : '');
  const detail = c.message ? `: ${c.message.slice(0, 300)}` : '';
  return `${c.type} on ${c.service} (${c.reason}; ${shown})${detail}`;
}
