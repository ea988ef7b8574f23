/** RCA evidence for tests: an incident on payment-service in namespace shop at AT, and the items its tests add to it. */
import {
  emptyEvidence,
  type ContainerEvidence,
  type EventEvidence,
  type Evidence,
  type GraphEdge,
  type GraphEvidence,
  type LogEvidence,
  type MetricEvidence,
  type PodEvidence,
  type RolloutEvidence,
  type Signal,
  type UsageEvidence,
} from '../../functions/core/rca/evidence.ts';

export const AT = '2026-12-01T12:00:00.000Z';
export const MiB = 1024 * 1024;

export function evidence(service = 'payment-service'): Evidence {
  return emptyEvidence({ rcaId: 'rca-1', clusterId: 'c1', cluster: 'dev', namespace: 'shop', service, severity: 'high', at: AT });
}

export function container(pod: string, over: Partial<ContainerEvidence> = {}): ContainerEvidence {
  return {
    id: `container:${pod}/app`,
    name: 'app',
    image: 'ghcr.io/shop/app:1.0',
    ready: true,
    restarts: 0,
    state: 'running',
    limits: { cpu: 0.5, memory: 512 * MiB },
    requests: { cpu: 0.1, memory: 128 * MiB },
    envNames: [],
    secretEnvNames: [],
    configMapRefs: [],
    probes: { liveness: true, readiness: true },
    ...over,
  };
}

export function pod(deployment: string, suffix: string, containerOver: Partial<ContainerEvidence> = {}, over: Partial<PodEvidence> = {}): PodEvidence {
  const name = `${deployment}-abc123-${suffix}`;
  return {
    id: `pod:${name}`,
    name,
    deployment,
    node: 'node-1',
    phase: 'Running',
    ready: containerOver.ready ?? true,
    createdAt: '2026-12-01T11:00:00.000Z',
    conditions: [],
    containers: [container(name, containerOver)],
    ...over,
  };
}

/** Pod `<deployment>-abc123-a` in CrashLoopBackOff, its app container last terminated with `reason` (Error, exit code 1, at AT unless told). */
export function crashLoopingPod(
  deployment = 'payment-service',
  { restarts = 4, reason = 'Error', exitCode = 1, finishedAt = AT }: { restarts?: number; reason?: string; exitCode?: number; finishedAt?: string } = {},
): PodEvidence {
  return pod(deployment, 'a', { ready: false, state: 'waiting', reason: 'CrashLoopBackOff', restarts, lastTermination: { reason, exitCode, finishedAt } });
}

/** Pod payment-service-abc123-p, pending because the scheduler found no node for it. */
export function unschedulablePod({
  container = { state: 'waiting', reason: 'ContainerCreating' },
  message,
}: { container?: Partial<ContainerEvidence>; message?: string } = {}): PodEvidence {
  return pod(
    'payment-service',
    'p',
    { ready: false, ...container },
    { phase: 'Pending', node: undefined, conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', ...(message ? { message } : {}) }] },
  );
}

/** The scheduler's warning about `unschedulablePod()`: no node has the CPU it asks for. */
export function failedSchedulingEvent(): EventEvidence {
  return {
    id: 'event:1',
    type: 'Warning',
    reason: 'FailedScheduling',
    message: '0/3 nodes are available: 3 Insufficient cpu.',
    object: { kind: 'Pod', name: 'payment-service-abc123-p' },
    count: 3,
    lastSeen: AT,
  };
}

/** The app container's log of `<deployment>-abc123-a` before its last restart, every line an error of its own pattern. */
export function previousLog(deployment: string, lines: string[], bytes: number): LogEvidence {
  const pod = `${deployment}-abc123-a`;
  return {
    id: `log:${pod}/app:previous`,
    pod,
    deployment,
    container: 'app',
    previous: true,
    lines,
    errorLines: lines.length,
    patterns: lines.map((pattern) => ({ pattern, count: 1 })),
    bytes,
    truncated: false,
  };
}

/** A golden signal of `service` from Prometheus; `changedAt` when it left its baseline. */
export function metric(service: string, signal: Signal, current: number, baseline: number, changedAt?: string): MetricEvidence {
  return { id: `metric:${service}/${signal}`, service, signal, current, baseline, ...(changedAt ? { changedAt } : {}), source: 'prometheus' };
}

/** The app container of a payment-service pod from metrics.k8s.io: 0.1 cores and 100 MiB of limits 0.5 and 512 MiB unless told. */
export function usage(pod: string, over: Partial<UsageEvidence> = {}): UsageEvidence {
  return {
    id: `usage:${pod}`,
    pod,
    deployment: 'payment-service',
    container: 'app',
    cpu: 0.1,
    memory: 100 * MiB,
    cpuLimit: 0.5,
    memoryLimit: 512 * MiB,
    ...over,
  };
}

/** The rollout of `deployment` to `revision` (from the revision before it) at `at`. */
export function rollout(deployment: string, revision: number, at: string, changes: string[]): RolloutEvidence {
  return { id: `rollout:${deployment}/${revision}`, deployment, revision: String(revision), previousRevision: String(revision - 1), at, changes };
}

/** The shop's calls: frontend → order-service → payment-service, and frontend → user-service. */
export const SHOP_CALLS: GraphEdge[] = [
  { from: 'frontend', to: 'order-service' },
  { from: 'order-service', to: 'payment-service' },
  { from: 'frontend', to: 'user-service' },
];

export function dependencyGraph(edges: GraphEdge[] = SHOP_CALLS): GraphEvidence {
  return { id: 'graph:dependencies', sources: ['istio'], edges };
}
