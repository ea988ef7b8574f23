/** Shared shapes of the alert pipeline. Pure data, no I/O. */

import type { Severity } from '../platform/severity.ts';

export { SEVERITIES, maxSeverity, severityRank, type Severity } from '../platform/severity.ts';

export type AlertStatus = 'firing' | 'resolved';
export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

export interface NormalizedAlert {
  /** Dedup identity: hash of the configured dedup labels (default cluster, namespace, service, type). */
  fingerprint: string;
  /** Identity of this one alert instance (Alertmanager's fingerprint, the alarm ARN, ...): what a resolve refers to. */
  alertId: string;
  source: string;
  cluster: string;
  namespace: string;
  service: string;
  type: string;
  severity: Severity;
  status: AlertStatus;
  message: string;
  labels: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  groupKey?: string;
  /** Services of the same namespace failing at the same moment (one metric pull): a grouping hint, never part of the identity. */
  related?: string[];
  /** Detection signals the anomaly is about (error_rate, latency_p95, cpu_usage, ...): what a callee can explain. Never part of the identity. */
  signals?: string[];
  /**
   * What the pull measured on the service when it fired: its error ratio (0..1), requests/s and p95 latency. Tells
   * how much of the symptom its callees' calls can account for. Never part of the identity.
   */
  observed?: {
    errorRatio?: number;
    requestsPerSecond?: number;
    latencyP95Seconds?: number;
    /** Set when its incident opened: whether every call it makes was healthy then (the mesh's edges). */
    callsHealthy?: boolean;
  };
}

/** `Incident.resolution` of the incidents a cluster's deregistration closed. */
export const CLUSTER_DEREGISTERED = 'cluster-deregistered';
/**
 * `Incident.resolution` of an incident closed because everything firing in it moved to another incident (a symptom a
 * callee's incident explains, one split off as another fault): its fault may be going on there.
 */
export const ALERTS_MOVED = 'alerts-moved';

/** The incident as the API and the events show it (CONTRACT.md), plus a few optional extras. */
export interface Incident {
  id: string;
  cluster: string;
  namespace: string;
  service: string;
  type: string;
  severity: Severity;
  status: IncidentStatus;
  alertCount: number;
  firstSeen: string;
  lastSeen: string;
  rcaId?: string;
  healingIds?: string[];
  title?: string;
  importance?: number;
  /** False when the incident was silenced or scored below the notify threshold. */
  notify?: boolean;
  acknowledgedAt?: string;
  resolvedAt?: string;
  /**
   * Why it resolved, when not because its alerts ended: `cluster-deregistered` (nothing pulls the cluster any more),
   * `alerts-moved` (everything firing in it moved to another incident).
   */
  resolution?: string;
  /** Services whose alerts joined this incident (dependency grouping). */
  services?: string[];
  /** Every alert type that has joined the incident (CONTRACT `types`); older items fall back to `[type]`. */
  types?: string[];
  /** Notes other features add (healing: verified or undone actions). */
  notes?: { at: string; author: string; text: string }[];
  /** The owning team (alert label, routing config, or the catalog's owner ref). */
  owner?: string;
  /** The incident this one split off from: its symptom outlived, or was not explained by, that incident's fault. */
  splitFrom?: string;
  /** PredictedBreach incidents: when the forecast crosses the limit (ISO time). */
  predictedBreachAt?: string;
}
