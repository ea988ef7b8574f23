import { DEFAULT_GROUP_LABELS, fingerprintOf, incidentKey, labelValues } from './fingerprint.ts';
import { EVIDENCE_SOURCES, OWN_FAILURE } from './explain.ts';
import { downstreamOf, upstreamOf } from '../mesh/graph.ts';
import { cosineSimilarity } from './similarity.ts';
import type { Incident, NormalizedAlert } from './types.ts';

export interface GroupingConfig {
  /** Labels of the incident key: by default one incident per service, whatever the pod or alert type. */
  groupLabels: readonly string[];
  /** How recent another service's open incident must be to absorb a related alert. */
  correlationWindowSeconds: number;
  /** Adjacency list, caller → services it depends on (static; merged with the per-cluster graph the pipeline reads). */
  dependencies?: Record<string, string[]>;
  /** Title similarity (TF-IDF cosine) at or above this joins an open incident of the same cluster; unset: off. */
  similarityThreshold?: number;
}

export const DEFAULT_GROUPING_CONFIG: GroupingConfig = {
  groupLabels: DEFAULT_GROUP_LABELS,
  correlationWindowSeconds: 10 * 60,
};

export interface AlertGroup {
  key: string;
  status: NormalizedAlert['status'];
  alerts: NormalizedAlert[];
}

/** The label that keys the pull's Kubernetes conditions apart from their service's other alerts. */
const CONDITION_KEY_LABEL = 'fleetops_condition';

/**
 * The incident key of an alert. A Kubernetes condition the pull raised keys apart from its service's symptoms:
 * the two are often one fault (a crash loop and the errors it causes meet in one incident through the
 * same-service join) but may be two (an image-pull failure beside a latency rise that a callee causes), and each
 * must be able to move alone. Other sources key per service, as they always have.
 */
export function incidentKeyOf(alert: NormalizedAlert, groupLabels: readonly string[] = DEFAULT_GROUP_LABELS): string {
  if (!isPulledCondition(alert)) return incidentKey(alert, groupLabels);
  return fingerprintOf({ ...labelValues(alert), [CONDITION_KEY_LABEL]: 'condition' }, [...groupLabels, CONDITION_KEY_LABEL]);
}

/** A Kubernetes condition of a workload as the pull raises it (kube-state), keyed apart from the service's symptoms. */
export const isPulledCondition = (alert: Pick<NormalizedAlert, 'source' | 'type'>): boolean =>
  EVIDENCE_SOURCES.has(alert.source) && OWN_FAILURE.test(alert.type);

/** Splits one batch by incident key and status; the pods of one service become one group, one store write. */
export function groupBatch(alerts: NormalizedAlert[], groupLabels: readonly string[] = DEFAULT_GROUP_LABELS): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const alert of alerts) {
    const key = incidentKeyOf(alert, groupLabels);
    const id = `${key}|${alert.status}`;
    const group = groups.get(id) ?? { key, status: alert.status, alerts: [] };
    group.alerts.push(alert);
    groups.set(id, group);
  }
  return [...groups.values()];
}

/** Services reachable within `depth` edges, ignoring direction (a caller and its callee fail together). */
export function relatedServices(service: string, graph: Record<string, string[]>, depth = 1): Set<string> {
  const undirected = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    if (!undirected.has(a)) undirected.set(a, new Set());
    undirected.get(a)!.add(b);
  };
  for (const [from, tos] of Object.entries(graph)) {
    for (const to of tos) {
      link(from, to);
      link(to, from);
    }
  }
  const seen = new Set<string>([service]);
  let frontier = [service];
  for (let d = 0; d < depth; d++) {
    frontier = frontier.flatMap((s) => [...(undirected.get(s) ?? [])]).filter((s) => !seen.has(s));
    for (const s of frontier) seen.add(s);
  }
  seen.delete(service);
  return seen;
}

/**
 * The open incident of another service that this new alert belongs to, if any: same cluster, seen within
 * the correlation window, and either a dependency neighbour or a near-duplicate title. Neighbours win
 * over text; among equals the most recently active incident wins.
 */
/** Text of an incident as compared for similarity grouping. */
export const incidentText = (c: Pick<Incident, 'type' | 'title'>): string => `${c.type} ${c.title ?? ''}`;
export const alertText = (a: Pick<NormalizedAlert, 'type' | 'message'>): string => `${a.type} ${a.message}`;

/** Live candidates for correlation: same cluster, another service, active within the window. */
export function correlationCandidates(
  alert: Pick<NormalizedAlert, 'cluster' | 'service'>,
  candidates: Incident[],
  now: Date,
  config: GroupingConfig,
): Incident[] {
  const since = now.getTime() - config.correlationWindowSeconds * 1000;
  return candidates.filter((c) => c.status !== 'resolved' && c.cluster === alert.cluster && c.service !== alert.service && Date.parse(c.lastSeen) >= since);
}

/**
 * `similarities` (candidate id → 0..1) comes from an embedding model when one is configured;
 * without it the local TF-IDF cosine is used.
 */
export function findCorrelatedIncident(
  alert: Pick<NormalizedAlert, 'cluster' | 'service' | 'message' | 'type'>,
  candidates: Incident[],
  now: Date,
  config: GroupingConfig,
  similarities?: ReadonlyMap<string, number>,
): Incident | undefined {
  const live = correlationCandidates(alert, candidates, now, config);
  const byRecency = (a: Incident, b: Incident) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen);
  if (config.dependencies) {
    // A caller's symptom joins the incident of a failing dependency (any depth down the call graph); a
    // dependency that starts failing after its callers' symptoms joins theirs. Siblings (two callees of one
    // caller) are not related by this: each opens its own incident unless a shared caller's joins them.
    // Upward matches use the incident's own service only: an incident that a caller joined must not pull in
    // that caller's other callees.
    const down = downstreamOf(alert.service, config.dependencies);
    const up = upstreamOf(alert.service, config.dependencies);
    // Deepest first: when the caller's path crosses two open incidents, the one further down is the cause.
    const deeper = (a: Incident, b: Incident) =>
      Number(downstreamOf(b.service, config.dependencies!).has(a.service)) - Number(downstreamOf(a.service, config.dependencies!).has(b.service));
    const neighbour =
      live.filter((c) => down.has(c.service) || (c.services ?? []).some((s) => down.has(s))).sort((a, b) => -deeper(a, b) || byRecency(a, b))[0] ??
      live.filter((c) => up.has(c.service)).sort(byRecency)[0];
    if (neighbour) return neighbour;
  }
  if (config.similarityThreshold !== undefined) {
    const text = alertText(alert);
    const scored = live
      .map((c) => ({ c, s: similarities?.get(c.id) ?? cosineSimilarity(text, incidentText(c)) }))
      .filter((x) => x.s >= config.similarityThreshold!)
      .sort((a, b) => b.s - a.s || byRecency(a.c, b.c));
    return scored[0]?.c;
  }
  return undefined;
}
