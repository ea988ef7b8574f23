/**
 * RCA evidence read from a cluster through the registry's pooled client: pods and container
 * states, deployments and their rollouts, Services and endpoints, events, nodes, logs and live
 * usage. Lists and logs are capped; env values never leave this module (names only), and log
 * lines are redacted here, with the literal values of secret-looking env vars as known secrets.
 */
import type { CoreV1Event, V1Container, V1Deployment, V1Node, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { PodMetrics } from '../../core/clusters/kube-gateway-port.ts';
import type { KubeClusterClient } from '../../ports.ts';
import { tryParseQuantity } from '../../core/metrics/quantity.ts';
import type {
  Condition,
  ContainerEvidence,
  DeploymentEvidence,
  EventEvidence,
  LogEvidence,
  NodeEvidence,
  PodEvidence,
  RcaTarget,
  RolloutEvidence,
  ServiceEvidence,
  UsageEvidence,
} from '../../core/rca/evidence.ts';
import { errorPatterns } from '../../core/rca/logs.ts';
import { createRedactor, looksSecretName } from '../../core/rca/redact.ts';
import { templateChanges, type PodTemplate } from '../../core/rca/rollout-diff.ts';

export interface EvidenceLimits {
  /** Items per list call. */
  listLimit: number;
  /** Containers whose logs are read. */
  logContainers: number;
  tailLines: number;
  /** Per container log. */
  logBytes: number;
  /** Events kept (most recent first). */
  events: number;
}

export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = { listLimit: 500, logContainers: 6, tailLines: 60, logBytes: 16 * 1024, events: 80 };

const REVISION = 'deployment.kubernetes.io/revision';
const iso = (d: Date | string | undefined): string | undefined => (d === undefined ? undefined : d instanceof Date ? d.toISOString() : String(d));

/** A pod's, node's or deployment's status conditions as evidence: messages cut to 300 characters. */
function conditionsOf(conditions: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: Date }[] | undefined): Condition[] {
  return (conditions ?? []).map((c) => ({
    type: c.type,
    status: c.status,
    reason: c.reason,
    message: c.message?.slice(0, 300),
    since: iso(c.lastTransitionTime),
  }));
}

const isReady = (conditions: Condition[]) => conditions.some((c) => c.type === 'Ready' && c.status === 'True');

/** `<deployment>-<pod-template-hash>` is the ReplicaSet; the deployment is what precedes the hash. */
export function deploymentOfPod(pod: V1Pod): string | undefined {
  const rs = pod.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (rs && hash && rs.endsWith(`-${hash}`)) return rs.slice(0, -hash.length - 1);
  return rs ?? pod.metadata?.labels?.app;
}

function containerEvidence(pod: V1Pod, c: V1Container): ContainerEvidence {
  const status = pod.status?.containerStatuses?.find((s) => s.name === c.name);
  const state = status?.state;
  const term = status?.lastState?.terminated ?? state?.terminated;
  const env = c.env ?? [];
  return {
    id: `container:${pod.metadata?.name}/${c.name}`,
    name: c.name,
    image: c.image ?? '',
    ready: status?.ready ?? false,
    restarts: status?.restartCount ?? 0,
    state: state?.running ? 'running' : state?.waiting ? 'waiting' : state?.terminated ? 'terminated' : 'unknown',
    ...(state?.waiting?.reason ? { reason: state.waiting.reason } : state?.terminated?.reason ? { reason: state.terminated.reason } : {}),
    ...(state?.waiting?.message ? { message: state.waiting.message.slice(0, 300) } : {}),
    ...(state?.running?.startedAt ? { startedAt: iso(state.running.startedAt) } : {}),
    ...(term ? { lastTermination: { reason: term.reason, exitCode: term.exitCode, finishedAt: iso(term.finishedAt) } } : {}),
    limits: { cpu: tryParseQuantity(c.resources?.limits?.cpu), memory: tryParseQuantity(c.resources?.limits?.memory) },
    requests: { cpu: tryParseQuantity(c.resources?.requests?.cpu), memory: tryParseQuantity(c.resources?.requests?.memory) },
    envNames: env.map((e) => e.name),
    secretEnvNames: env.filter((e) => e.valueFrom?.secretKeyRef || looksSecretName(e.name)).map((e) => e.name),
    configMapRefs: [
      ...(c.envFrom ?? []).map((e) => e.configMapRef?.name).filter((n): n is string => !!n),
      ...env.map((e) => e.valueFrom?.configMapKeyRef?.name).filter((n): n is string => !!n),
    ],
    probes: { liveness: !!c.livenessProbe, readiness: !!c.readinessProbe },
  };
}

export function podEvidence(pod: V1Pod): PodEvidence {
  const conditions = conditionsOf(pod.status?.conditions);
  return {
    id: `pod:${pod.metadata?.name}`,
    name: pod.metadata?.name ?? '',
    deployment: deploymentOfPod(pod),
    node: pod.spec?.nodeName,
    phase: pod.status?.phase ?? 'Unknown',
    ready: isReady(conditions),
    createdAt: iso(pod.metadata?.creationTimestamp),
    conditions,
    containers: (pod.spec?.containers ?? []).map((c) => containerEvidence(pod, c)),
  };
}

/**
 * What the redactor must scrub: literal values of secret-looking env vars (wherever they appear),
 * and the names of vars whose values come from Secrets (their values, wherever they are printed).
 */
export function secretsOf(pods: V1Pod[]): { values: string[]; names: string[] } {
  const values = new Set<string>();
  const names = new Set<string>();
  for (const pod of pods) {
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      for (const e of c.env ?? []) {
        if (e.value && e.value.length >= 6 && looksSecretName(e.name)) values.add(e.value);
        if (e.valueFrom?.secretKeyRef || looksSecretName(e.name)) names.add(e.name);
      }
    }
  }
  return { values: [...values], names: [...names] };
}

function deploymentEvidence(d: V1Deployment): DeploymentEvidence {
  const desired = d.spec?.replicas ?? 1;
  return {
    id: `deployment:${d.metadata?.name}`,
    name: d.metadata?.name ?? '',
    desired,
    ready: d.status?.readyReplicas ?? 0,
    available: d.status?.availableReplicas ?? 0,
    updated: d.status?.updatedReplicas ?? 0,
    unavailable: d.status?.unavailableReplicas ?? Math.max(0, desired - (d.status?.availableReplicas ?? 0)),
    revision: d.metadata?.annotations?.[REVISION],
    selector: d.spec?.selector?.matchLabels ?? {},
    conditions: conditionsOf(d.status?.conditions),
  };
}

/** The newest rollout of each deployment and what it changed against the revision before it. */
export function rolloutsOf(deployments: V1Deployment[], replicaSets: V1ReplicaSet[]): RolloutEvidence[] {
  const out: RolloutEvidence[] = [];
  for (const d of deployments) {
    const owned = replicaSets
      .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && (o.uid === d.metadata?.uid || o.name === d.metadata?.name)))
      .map((rs) => ({ rs, revision: Number(rs.metadata?.annotations?.[REVISION] ?? NaN) }))
      .filter((x) => Number.isFinite(x.revision))
      .sort((a, b) => b.revision - a.revision);
    const [current, previous] = owned;
    if (!current || !previous) continue;
    const template = (rs: V1ReplicaSet): PodTemplate => ({ containers: (rs.spec?.template?.spec?.containers ?? []) as PodTemplate['containers'] });
    out.push({
      id: `rollout:${d.metadata?.name}/${current.revision}`,
      deployment: d.metadata?.name ?? '',
      revision: String(current.revision),
      previousRevision: String(previous.revision),
      at: iso(current.rs.metadata?.creationTimestamp) ?? new Date(0).toISOString(),
      changes: templateChanges(template(previous.rs), template(current.rs)),
    });
  }
  return out;
}

export async function collectWorkloads(client: KubeClusterClient, target: RcaTarget, limits: EvidenceLimits) {
  const [pods, deployments, replicaSets, services, endpoints] = await Promise.all([
    client.listPods(target.namespace),
    client.listDeployments(target.namespace, limits.listLimit),
    client.listReplicaSets(target.namespace, undefined, limits.listLimit),
    client.listServices(target.namespace, limits.listLimit),
    client.listEndpoints(target.namespace, limits.listLimit),
  ]);
  const serviceEvidence: ServiceEvidence[] = services.map((s) => {
    const ep = endpoints.find((e) => e.metadata?.name === s.metadata?.name);
    const count = (key: 'addresses' | 'notReadyAddresses') => (ep?.subsets ?? []).reduce((n, sub) => n + (sub[key]?.length ?? 0), 0);
    return {
      id: `service:${s.metadata?.name}`,
      name: s.metadata?.name ?? '',
      selector: s.spec?.selector ?? {},
      readyAddresses: count('addresses'),
      notReadyAddresses: count('notReadyAddresses'),
    };
  });
  return {
    pods: pods.slice(0, limits.listLimit).map(podEvidence),
    deployments: deployments.map(deploymentEvidence),
    rollouts: rolloutsOf(deployments, replicaSets),
    services: serviceEvidence,
  };
}

export async function collectEvents(client: KubeClusterClient, target: RcaTarget, limits: EvidenceLimits): Promise<{ events: EventEvidence[] }> {
  const events = await client.listEvents(target.namespace);
  const when = (e: CoreV1Event) => Date.parse(String(iso(e.lastTimestamp) ?? iso(e.eventTime) ?? iso(e.metadata?.creationTimestamp) ?? 0)) || 0;
  const redactor = createRedactor();
  const sorted = events.sort((a, b) => when(b) - when(a) || (a.type === 'Warning' ? -1 : 1)).slice(0, limits.events);
  return {
    events: sorted.map((e, i) => ({
      id: `event:${i + 1}`,
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      message: redactor.text((e.message ?? '').slice(0, 400)),
      object: { kind: e.involvedObject?.kind ?? '', name: e.involvedObject?.name ?? '' },
      count: e.count ?? 1,
      lastSeen: new Date(when(e)).toISOString(),
    })),
  };
}

function nodeEvidence(n: V1Node): NodeEvidence {
  const conditions = conditionsOf(n.status?.conditions);
  return {
    id: `node:${n.metadata?.name}`,
    name: n.metadata?.name ?? '',
    ready: isReady(conditions),
    unschedulable: n.spec?.unschedulable === true,
    conditions,
    taints: (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`),
  };
}

export async function collectNodes(client: KubeClusterClient, limits: EvidenceLimits): Promise<{ nodes: NodeEvidence[] }> {
  return { nodes: (await client.listNodes()).slice(0, limits.listLimit).map(nodeEvidence) };
}

function failing(pod: PodEvidence): boolean {
  return pod.containers.some((c) => c.restarts > 0 || !c.ready);
}

/**
 * Logs of the target's pods and of failing containers elsewhere in the namespace: the previous
 * (crashed) instance when there is one, else the current one.
 */
export async function collectLogs(client: KubeClusterClient, target: RcaTarget, limits: EvidenceLimits): Promise<{ logs: LogEvidence[] }> {
  const raw = await client.listPods(target.namespace);
  // Redacted here, at the source: secrets never enter the workflow state, the store or a prompt.
  const secrets = secretsOf(raw);
  const redactor = createRedactor(secrets.values, secrets.names);
  const pods = raw.map(podEvidence);
  const mine = pods.filter((p) => p.deployment === target.service);
  const picks = [...mine.filter(failing), ...mine.filter((p) => !failing(p)).slice(0, 2), ...pods.filter((p) => p.deployment !== target.service && failing(p))];
  const wanted: { pod: PodEvidence; container: ContainerEvidence; previous: boolean }[] = [];
  for (const pod of picks) {
    for (const container of pod.containers) {
      if (wanted.length >= limits.logContainers) break;
      wanted.push({ pod, container, previous: container.restarts > 0 && container.lastTermination !== undefined });
    }
  }
  const logs = await Promise.all(
    wanted.map(async ({ pod, container, previous }): Promise<LogEvidence | undefined> => {
      const read = (prev: boolean) =>
        client.readPodLog(target.namespace, pod.name, { container: container.name, tailLines: limits.tailLines, limitBytes: limits.logBytes, previous: prev });
      let text: string;
      let usedPrevious = previous;
      try {
        text = await read(previous);
      } catch {
        if (!previous) return undefined;
        usedPrevious = false;
        text = await read(false).catch(() => '');
      }
      if (!text) return undefined;
      const lines = text
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => redactor.text(l.slice(0, 500)));
      return {
        id: `log:${pod.name}/${container.name}${usedPrevious ? ':previous' : ''}`,
        pod: pod.name,
        deployment: pod.deployment,
        container: container.name,
        previous: usedPrevious,
        lines: lines.slice(-limits.tailLines),
        ...errorPatterns(lines),
        bytes: Buffer.byteLength(text),
        truncated: Buffer.byteLength(text) >= limits.logBytes,
      };
    }),
  );
  return { logs: logs.filter((l): l is LogEvidence => l !== undefined) };
}

/**
 * Live usage per container against its limits, sampled twice `gapMs` apart so memory growth shows
 * as a slope even without a metrics history.
 */
export async function collectUsage(client: KubeClusterClient, target: RcaTarget, gapMs: number): Promise<{ usage: UsageEvidence[] }> {
  const [raw, first] = await Promise.all([client.listPods(target.namespace), client.podMetrics(target.namespace)]);
  let second: PodMetrics[] = [];
  if (gapMs > 0) {
    await new Promise((r) => setTimeout(r, gapMs));
    second = await client.podMetrics(target.namespace).catch(() => []);
  }
  const pods = new Map(raw.map((p) => [p.metadata?.name ?? '', p] as const));
  const usage: UsageEvidence[] = [];
  for (const m of second.length ? second : first) {
    const pod = pods.get(m.name);
    if (!pod) continue;
    const before = first.find((x) => x.name === m.name);
    for (const c of m.containers) {
      const spec = pod.spec?.containers?.find((x) => x.name === c.name);
      const memory = tryParseQuantity(c.memory) ?? 0;
      const earlier = before?.containers.find((x) => x.name === c.name);
      const dt = before?.timestamp && m.timestamp ? (Date.parse(m.timestamp) - Date.parse(before.timestamp)) / 1000 : gapMs / 1000;
      const slope = second.length && earlier && dt > 0 ? (memory - (tryParseQuantity(earlier.memory) ?? memory)) / dt : undefined;
      usage.push({
        id: `usage:${m.name}/${c.name}`,
        pod: m.name,
        deployment: deploymentOfPod(pod),
        container: c.name,
        cpu: tryParseQuantity(c.cpu) ?? 0,
        memory,
        ...(slope !== undefined && Number.isFinite(slope) ? { memorySlopePerSecond: slope } : {}),
        cpuLimit: tryParseQuantity(spec?.resources?.limits?.cpu),
        memoryLimit: tryParseQuantity(spec?.resources?.limits?.memory),
      });
    }
  }
  return { usage };
}
