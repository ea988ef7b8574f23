/** Container and pod states: the k8sgpt core set, per deployment, with the evidence that shows it. */
import type { ContainerEvidence, Evidence, EventEvidence, PodEvidence } from '../evidence.ts';
import { earliest, formatBytes, unique, type Analyzer, type Finding } from './types.ts';

export function podsByDeployment(evidence: Evidence): Map<string, PodEvidence[]> {
  const out = new Map<string, PodEvidence[]>();
  for (const pod of evidence.pods) {
    const key = pod.deployment ?? pod.name;
    out.set(key, [...(out.get(key) ?? []), pod]);
  }
  return out;
}

function eventsAbout(evidence: Evidence, pods: PodEvidence[], reasons: RegExp): EventEvidence[] {
  const names = new Set(pods.map((p) => p.name));
  return evidence.events.filter((e) => names.has(e.object.name) && reasons.test(e.reason));
}

interface Hit {
  pod: PodEvidence;
  container: ContainerEvidence;
}

function hits(pods: PodEvidence[], test: (c: ContainerEvidence, p: PodEvidence) => boolean): Hit[] {
  return pods.flatMap((pod) => pod.containers.filter((c) => test(c, pod)).map((container) => ({ pod, container })));
}

function logErrorSummary(evidence: Evidence, found: Hit[]): { ids: string[]; text: string } {
  const logs = evidence.logs.filter((l) => found.some((h) => h.pod.name === l.pod && h.container.name === l.container));
  const top = logs.flatMap((l) => l.patterns).sort((a, b) => b.count - a.count)[0];
  return { ids: logs.filter((l) => l.errorLines > 0).map((l) => l.id), text: top ? `; last error in the logs: ${top.pattern.slice(0, 160)}` : '' };
}

/** How long before the symptoms a termination still counts as part of this incident. */
export const TERMINATION_SLACK_MS = 2 * 60_000;

/**
 * Restarts before the incident of a container that runs ready again are history (the timeline shows them), not
 * a cause: `lastState` lingers for days in a real cluster. A termination counts when the container is not ready
 * now, or when it ended at most TERMINATION_SLACK_MS before the symptoms (or after them).
 */
export function currentTermination(c: ContainerEvidence, evidence: Evidence): boolean {
  if (!c.lastTermination) return false;
  if (!c.ready || c.state !== 'running') return true;
  const finished = Date.parse(c.lastTermination.finishedAt ?? '');
  return Number.isFinite(finished) && finished >= Date.parse(evidence.target.at) - TERMINATION_SLACK_MS;
}

/** Strength of a crash or OOM kill whose containers all run ready again: any fault failing now outranks it. */
export const RECOVERED_STRENGTH = 0.5;

/** Every container of the hits runs ready again (the failure is over, though recent). */
const recovered = (found: Hit[]): boolean => found.length > 0 && found.every((h) => h.container.ready && h.container.state === 'running');

/** A termination that is history: the container runs ready again since before the symptoms. */
export const pastTermination = (c: ContainerEvidence, evidence: Evidence): boolean => !!c.lastTermination?.reason && !currentTermination(c, evidence);

const crashLoop: Analyzer = (evidence) => {
  const out: Finding[] = [];
  for (const [deployment, pods] of podsByDeployment(evidence)) {
    const found = hits(
      pods,
      (c) =>
        (c.reason === 'CrashLoopBackOff' || (c.restarts >= 2 && (!c.ready || currentTermination(c, evidence)))) && c.lastTermination?.reason !== 'OOMKilled',
    );
    if (!found.length) continue;
    const last = found.map((h) => h.container.lastTermination).find((t) => t?.reason);
    const restarts = found.reduce((n, h) => n + h.container.restarts, 0);
    const logs = logErrorSummary(evidence, found);
    const events = eventsAbout(evidence, pods, /^BackOff$/);
    out.push({
      analyzer: 'crash-loop',
      category: 'CrashLoopBackOff',
      kind: recovered(found) ? 'factor' : 'cause',
      service: deployment,
      resource: `deployment/${deployment}`,
      description: `Deployment ${deployment}: ${found.length} container(s) in CrashLoopBackOff (${restarts} restarts)${last ? `, last terminated with ${last.reason} (exit code ${last.exitCode})` : ''}${logs.text}`,
      evidence: unique([...found.map((h) => h.container.id), ...logs.ids, ...events.slice(0, 3).map((e) => e.id)]),
      strength: recovered(found) ? RECOVERED_STRENGTH : found.some((h) => h.container.reason === 'CrashLoopBackOff') ? 0.9 : 0.7,
      at: earliest(found.map((h) => h.container.lastTermination?.finishedAt)),
      issueType: 'pod_crash_loop',
      remediation: [
        `Read the crashed container's previous log: kubectl logs -n ${evidence.target.namespace} ${found[0].pod.name} -c ${found[0].container.name} --previous`,
        `Fix the startup failure or roll back deployment ${deployment} if a recent change caused it`,
      ],
      prevention: ['Add a startup probe and fail fast with a clear message on missing dependencies', 'Exercise startup against its dependencies in CI'],
    });
  }
  return out;
};

const oomKilled: Analyzer = (evidence) => {
  const out: Finding[] = [];
  for (const [deployment, pods] of podsByDeployment(evidence)) {
    const found = hits(pods, (c) => (c.lastTermination?.reason === 'OOMKilled' && currentTermination(c, evidence)) || c.reason === 'OOMKilled');
    const windowStart = Date.parse(evidence.target.at) - TERMINATION_SLACK_MS;
    const events = evidence.events.filter(
      (e) => e.reason === 'OOMKilling' && pods.some((p) => e.message.includes(p.name)) && !(Date.parse(e.lastSeen ?? '') < windowStart),
    );
    if (!found.length && !events.length) continue;
    const limit = found[0]?.container.limits.memory;
    const usage = evidence.usage.filter((u) => u.deployment === deployment);
    const peak = usage.length ? Math.max(...usage.map((u) => u.memory)) : undefined;
    out.push({
      analyzer: 'oom-killed',
      category: 'OOMKilled',
      kind: recovered(found) ? 'factor' : 'cause',
      service: deployment,
      resource: `deployment/${deployment}`,
      description: `Deployment ${deployment}: container(s) OOMKilled (exit code 137) at memory limit ${formatBytes(limit)}${peak !== undefined ? `; current usage ${formatBytes(peak)}` : ''}${recovered(found) ? '; running ready again since' : ''}`,
      evidence: unique([...found.map((h) => h.container.id), ...events.slice(0, 3).map((e) => e.id), ...usage.slice(0, 3).map((u) => u.id)]),
      strength: recovered(found) ? RECOVERED_STRENGTH : 0.95,
      at: earliest(found.map((h) => h.container.lastTermination?.finishedAt)),
      issueType: 'high_memory',
      remediation: [
        `Raise the memory limit of ${deployment} above its working set, or find what grows (heap profile)`,
        'Restart affected pods once the limit is right',
      ],
      prevention: ['Set memory requests and limits from observed peaks plus headroom', 'Alert on memory above 85% of the limit'],
    });
  }
  return out;
};

const imagePull: Analyzer = (evidence) => {
  const out: Finding[] = [];
  for (const [deployment, pods] of podsByDeployment(evidence)) {
    const found = hits(pods, (c) => c.reason === 'ImagePullBackOff' || c.reason === 'ErrImagePull' || c.reason === 'InvalidImageName');
    if (!found.length) continue;
    const images = unique(found.map((h) => h.container.image));
    const events = eventsAbout(evidence, pods, /^(Failed|BackOff)$/).filter((e) => /pull|image/i.test(e.message));
    out.push({
      analyzer: 'image-pull',
      category: 'ImagePullBackOff',
      kind: 'cause',
      service: deployment,
      resource: `deployment/${deployment}`,
      description: `Deployment ${deployment}: image ${images.join(', ')} cannot be pulled (${found[0].container.reason})${events[0] ? `: ${events[0].message.slice(0, 200)}` : ''}`,
      evidence: unique([...found.map((h) => h.container.id), ...events.slice(0, 3).map((e) => e.id)]),
      strength: 0.95,
      at: earliest(found.map((h) => h.pod.createdAt)),
      issueType: 'image_pull',
      remediation: [
        `Check that ${images[0]} exists and the node can reach its registry (pull secret)`,
        `Roll back deployment ${deployment} to the last image that pulled`,
      ],
      prevention: ['Verify images exist in the registry before deploying (CI gate)', 'Pin images by digest'],
    });
  }
  return out;
};

const configError: Analyzer = (evidence) => {
  const out: Finding[] = [];
  for (const [deployment, pods] of podsByDeployment(evidence)) {
    const found = hits(pods, (c) => c.reason === 'CreateContainerConfigError' || c.reason === 'CreateContainerError');
    if (!found.length) continue;
    const message = found.find((h) => h.container.message)?.container.message ?? eventsAbout(evidence, pods, /^Failed$/)[0]?.message ?? '';
    const events = eventsAbout(evidence, pods, /^Failed$/).filter((e) => /not found|config/i.test(e.message));
    out.push({
      analyzer: 'config-error',
      category: 'CreateContainerConfigError',
      kind: 'cause',
      service: deployment,
      resource: `deployment/${deployment}`,
      description: `Deployment ${deployment}: containers cannot be created (${found[0].container.reason})${message ? `: ${message}` : ''}`,
      evidence: unique([...found.map((h) => h.container.id), ...events.slice(0, 3).map((e) => e.id)]),
      strength: 0.95,
      at: earliest(found.map((h) => h.pod.createdAt)),
      issueType: 'config_error',
      remediation: [`Create the missing ConfigMap/Secret in ${evidence.target.namespace}, or roll back deployment ${deployment}`],
      prevention: ['Ship ConfigMaps and Secrets with the workload (same chart / kustomization)', 'Validate references in CI'],
    });
  }
  return out;
};

const unschedulable: Analyzer = (evidence) => {
  const out: Finding[] = [];
  for (const [deployment, pods] of podsByDeployment(evidence)) {
    const pending = pods.filter((p) => p.phase === 'Pending' && p.conditions.some((c) => c.type === 'PodScheduled' && c.status === 'False'));
    if (!pending.length) continue;
    const events = eventsAbout(evidence, pending, /^FailedScheduling$/);
    const message = events[0]?.message ?? pending[0].conditions.find((c) => c.type === 'PodScheduled')?.message ?? '';
    const requests = pending[0].containers.map((c) => c.requests.cpu).filter((x) => x !== undefined);
    out.push({
      analyzer: 'unschedulable',
      category: 'FailedScheduling',
      kind: 'cause',
      service: deployment,
      resource: `deployment/${deployment}`,
      description: `Deployment ${deployment}: ${pending.length} pod(s) Pending, unschedulable${message ? `: ${message}` : ''}${requests.length ? ` (requests ${requests.join(', ')} cpu per container)` : ''}`,
      evidence: unique([...pending.map((p) => p.id), ...events.slice(0, 3).map((e) => e.id)]),
      strength: 0.9,
      at: earliest(pending.map((p) => p.createdAt)),
      issueType: 'unschedulable',
      remediation: [`Lower the resource requests of ${deployment} to what nodes can offer, or add capacity`, 'Roll back the change that raised the requests'],
      prevention: ["Keep requests within the largest node's allocatable", 'Run a cluster autoscaler with headroom'],
    });
  }
  return out;
};

const probes: Analyzer = (evidence) => {
  const out: Finding[] = [];
  for (const [deployment, pods] of podsByDeployment(evidence)) {
    const events = eventsAbout(evidence, pods, /^Unhealthy$/).filter((e) => /probe failed/i.test(e.message));
    if (!events.length) continue;
    const liveness = events.some((e) => /liveness/i.test(e.message));
    out.push({
      analyzer: 'probes',
      category: 'ProbeFailure',
      kind: liveness ? 'cause' : 'symptom',
      service: deployment,
      resource: `deployment/${deployment}`,
      description: `Deployment ${deployment}: ${liveness ? 'liveness' : 'readiness'} probe failing: ${events[0].message.slice(0, 200)}`,
      evidence: events.slice(0, 3).map((e) => e.id),
      strength: liveness ? 0.6 : 0.5,
      at: earliest(events.map((e) => e.lastSeen)),
      remediation: ["Check the probe endpoint and its timeout against the service's real response time"],
      prevention: ['Probe a cheap endpoint; give slow starters a startup probe'],
    });
  }
  return out;
};

export const POD_ANALYZERS: Analyzer[] = [crashLoop, oomKilled, imagePull, configError, unschedulable, probes];
