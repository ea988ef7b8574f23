import type { Severity } from '../platform/severity.ts';
/**
 * The evidence an RCA works from: plain JSON (it travels through Step Functions), every item with
 * an id that findings, the report and the model cite. Values of environment variables are never
 * part of it: only their names.
 */

export interface RcaTarget {
  rcaId: string;
  incidentId?: string;
  clusterId: string;
  /** Cluster name. */
  cluster: string;
  namespace: string;
  service: string;
  severity: Severity;
  /** When the symptoms were first seen (incident firstSeen, or the request time). */
  at: string;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  since?: string;
}

export interface ContainerEvidence {
  id: string;
  name: string;
  image: string;
  ready: boolean;
  restarts: number;
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  reason?: string;
  message?: string;
  startedAt?: string;
  lastTermination?: { reason?: string; exitCode?: number; finishedAt?: string };
  /** cores and bytes */
  limits: { cpu?: number; memory?: number };
  requests: { cpu?: number; memory?: number };
  envNames: string[];
  /** Env names whose values come from Secrets (never their values). */
  secretEnvNames: string[];
  configMapRefs: string[];
  probes: { liveness: boolean; readiness: boolean };
}

export interface PodEvidence {
  id: string;
  name: string;
  deployment?: string;
  node?: string;
  phase: string;
  ready: boolean;
  createdAt?: string;
  conditions: Condition[];
  containers: ContainerEvidence[];
}

export interface EventEvidence {
  id: string;
  type: string;
  reason: string;
  message: string;
  object: { kind: string; name: string };
  count: number;
  lastSeen?: string;
}

export interface DeploymentEvidence {
  id: string;
  name: string;
  desired: number;
  ready: number;
  available: number;
  updated: number;
  unavailable: number;
  revision?: string;
  selector: Record<string, string>;
  conditions: Condition[];
}

export interface RolloutEvidence {
  id: string;
  deployment: string;
  revision: string;
  previousRevision?: string;
  at: string;
  /** What changed in the pod template: "image app: a → b", "env FOO added", "cpu limit app: 500m → 64". */
  changes: string[];
}

export interface NodeEvidence {
  id: string;
  name: string;
  ready: boolean;
  unschedulable: boolean;
  conditions: Condition[];
  taints: string[];
}

export interface LogEvidence {
  id: string;
  pod: string;
  deployment?: string;
  container: string;
  previous: boolean;
  lines: string[];
  errorLines: number;
  patterns: { pattern: string; count: number }[];
  bytes: number;
  truncated: boolean;
}

export interface UsageEvidence {
  id: string;
  pod: string;
  deployment?: string;
  container: string;
  /** cores and bytes, from metrics.k8s.io (two samples a few seconds apart give the slope) */
  cpu: number;
  memory: number;
  memorySlopePerSecond?: number;
  cpuLimit?: number;
  memoryLimit?: number;
}

export type Signal = 'cpu_usage' | 'memory_usage' | 'error_rate' | 'latency_p95' | 'request_rate';

export interface MetricEvidence {
  id: string;
  service: string;
  signal: Signal;
  current: number | null;
  /** Median before the symptoms, when history exists. */
  baseline?: number;
  /** When the series first left its baseline (ISO). */
  changedAt?: string;
  source: 'prometheus' | 'metrics-api' | 'anomaly-records';
}

export interface AnomalyEvidence {
  id: string;
  service: string;
  at: string;
  score: number;
  severity: string;
  features: Record<string, number | null>;
}

export interface ServiceEvidence {
  id: string;
  name: string;
  selector: Record<string, string>;
  readyAddresses: number;
  notReadyAddresses: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** Fraction of calls on this edge answered with 5xx, when mesh metrics exist. */
  errorRate?: number;
}

/** One caller -> callee series as the caller's proxy sees it (`errors`: share failing; `latency.p99`: ms). */
export interface EdgeMetricEvidence {
  id: string;
  from: string;
  to: string;
  metric: string;
  current: number | null;
  baseline?: number;
  changedAt?: string;
}

export interface GraphEvidence {
  id: string;
  edges: GraphEdge[];
  sources: string[];
}

/** `fleetops rank`'s core run on the golden-signal series and the graph: which services' metrics moved most, first, deepest. */
export interface MetricRankingEvidence {
  id: string;
  /** Epoch seconds: samples from here on are the incident window. */
  split: number;
  nodes: { node: string; score: number }[];
}

/** A change on a service beside its rollouts (fleetops deploys, config maps, HPAs), as the ranker and the timeline see it. */
export interface ChangeEvidence {
  id: string;
  /** The deployment (service) it changed. */
  node: string;
  at: string;
  kind: string;
  detail?: string;
}

export interface SourceError {
  source: string;
  error: string;
}

export interface Evidence {
  target: RcaTarget;
  pods: PodEvidence[];
  events: EventEvidence[];
  deployments: DeploymentEvidence[];
  rollouts: RolloutEvidence[];
  nodes: NodeEvidence[];
  logs: LogEvidence[];
  usage: UsageEvidence[];
  metrics: MetricEvidence[];
  anomalies: AnomalyEvidence[];
  services: ServiceEvidence[];
  graph?: GraphEvidence;
  metricRanking?: MetricRankingEvidence;
  /** Per-edge signals as the callers see their calls (the mesh's client-side view), when the mesh reports them. */
  edgeMetrics?: EdgeMetricEvidence[];
  /** Changes beside rollouts (kinds deploy, config, scale), oldest first. */
  changes?: ChangeEvidence[];
  /** Sources that failed or timed out: the RCA goes on without them. */
  errors: SourceError[];
}

export const EVIDENCE_SOURCES = ['workloads', 'events', 'nodes', 'logs', 'metrics', 'graph'] as const;
export type EvidenceSource = (typeof EVIDENCE_SOURCES)[number];

export function emptyEvidence(target: RcaTarget): Evidence {
  return { target, pods: [], events: [], deployments: [], rollouts: [], nodes: [], logs: [], usage: [], metrics: [], anomalies: [], services: [], errors: [] };
}

/** Every id in the evidence: what a finding or the model may cite. */
export function evidenceIds(evidence: Evidence): Set<string> {
  const ids = new Set<string>();
  const add = (items: { id: string }[]) => items.forEach((i) => ids.add(i.id));
  add(evidence.pods);
  for (const pod of evidence.pods) add(pod.containers);
  add(evidence.events);
  add(evidence.deployments);
  add(evidence.rollouts);
  add(evidence.nodes);
  add(evidence.logs);
  add(evidence.usage);
  add(evidence.metrics);
  add(evidence.anomalies);
  add(evidence.services);
  if (evidence.graph) ids.add(evidence.graph.id);
  if (evidence.metricRanking) ids.add(evidence.metricRanking.id);
  add(evidence.edgeMetrics ?? []);
  add(evidence.changes ?? []);
  return ids;
}

/** Merges the Parallel branches' partial results (each `{source, ...partial}` or `{source, error}`). */
export function mergeEvidence(target: RcaTarget, parts: Array<Partial<Evidence> & { source?: string; error?: string }>): Evidence {
  const out = emptyEvidence(target);
  for (const part of parts) {
    if (!part) continue;
    if (part.error) {
      out.errors.push({ source: part.source ?? 'unknown', error: String(part.error).slice(0, 300) });
      continue;
    }
    for (const key of ['pods', 'events', 'deployments', 'rollouts', 'nodes', 'logs', 'usage', 'metrics', 'anomalies', 'services', 'errors'] as const) {
      const items = part[key];
      if (Array.isArray(items)) (out[key] as unknown[]).push(...items);
    }
    if (part.graph) out.graph = part.graph;
    if (part.metricRanking) out.metricRanking = part.metricRanking;
    if (Array.isArray(part.edgeMetrics)) (out.edgeMetrics ??= []).push(...part.edgeMetrics);
    if (Array.isArray(part.changes)) (out.changes ??= []).push(...part.changes);
  }
  return out;
}
