/** What healing needs from the outside world; adapters in functions/adapters, wiring in functions/wiring/healing.ts. */
import type { ArgoAppRef, ArgoCdApplication } from './argocd.ts';
import type { ActionPlan, AuditEntry, HealingRecord, HealingStatus, Severity, WorkloadState } from './types.ts';

export interface HealingListFilter {
  service?: string;
  status?: HealingStatus;
  incidentId?: string;
  limit: number;
}

export type ClaimResult = { granted: true; slot: number } | { granted: false; reason: string };

export interface HealingStore {
  /** False when a record with this id exists (a redelivered trigger). */
  create(record: HealingRecord): Promise<boolean>;
  get(id: string): Promise<HealingRecord | undefined>;
  /** False when `statusIn` is given and the record's status is not in it. */
  update(id: string, changes: Partial<HealingRecord>, condition?: { statusIn?: HealingStatus[] }): Promise<boolean>;
  /** Append-only: false (and nothing written) when the step already has its entry. */
  audit(id: string, entry: AuditEntry): Promise<boolean>;
  auditTrail(id: string): Promise<AuditEntry[]>;
  list(filter: HealingListFilter): Promise<HealingRecord[]>;
  /** The kill-switch flag and the service's cool-down for this issue, in one read. */
  safetyState(keys: { service: string; issue: string }): Promise<{ killSwitch: boolean; cooldownUntil?: string }>;
  /**
   * Atomically takes one of the service's `actionsPerHour` slots, starts the issue's cool-down and
   * checks the kill switch once more: 50 concurrent callers get at most `actionsPerHour` grants.
   */
  claimAction(input: { healingId: string; service: string; issue: string; now: Date; actionsPerHour: number; cooldownSeconds: number }): Promise<ClaimResult>;
  setKillSwitch(enabled: boolean, by: string, now: Date): Promise<void>;
}

export interface HealingCluster {
  /** Undefined when no cluster has this id. */
  clusterName(clusterId: string): Promise<string | undefined>;
  /** The cluster's API server URL (to match an Argo CD Application's destination); undefined when unknown. */
  clusterServer?(clusterId: string): Promise<string | undefined>;
  /** Why fleetops' account on the cluster may not heal (its recorded permission review), or undefined when it may or nobody knows. */
  permissionRefusal?(clusterId: string): Promise<string | undefined>;
  workload(clusterId: string, namespace: string, deployment: string): Promise<WorkloadState>;
  scale(clusterId: string, namespace: string, deployment: string, replicas: number): Promise<void>;
  setHpaBounds(clusterId: string, namespace: string, hpa: string, bounds: { minReplicas: number; maxReplicas: number }): Promise<void>;
  deletePod(clusterId: string, namespace: string, pod: string): Promise<void>;
  /**
   * `kubectl rollout undo [--to-revision]`: re-applies the template of the ReplicaSet at `toRevision`
   * (default: the previous one); returns that revision.
   */
  rollback(clusterId: string, namespace: string, deployment: string, toRevision?: string): Promise<{ revision: string }>;
  restoreTemplate(clusterId: string, namespace: string, deployment: string, template: unknown): Promise<void>;
}

/**
 * An Argo CD instance healing may act through (functions/adapters/argocd/argocd-client.ts). Only
 * read and rollback/sync are used; the token never leaves the adapter.
 */
export interface ArgoCdTarget {
  /** Whether this instance manages workloads of the registered cluster with this name. */
  covers(cluster: string): boolean;
  /** The registered cluster this instance runs in (what its `in-cluster` destination means), when known. */
  readonly inCluster?: string;
  application(ref: ArgoAppRef): Promise<ArgoCdApplication>;
  /** `POST /api/v1/applications/{name}/rollback` to one history id (no prune, no dry run). */
  rollback(ref: ArgoAppRef, historyId: number): Promise<void>;
  /** `POST /api/v1/applications/{name}/sync` to one revision (no prune, no dry run). */
  sync(ref: ArgoAppRef, revision: string): Promise<void>;
}

/** Healing ids and notes on the incident item (RCA owns `rcaId`, the alert store owns the rest). */
export interface IncidentHealingLinks {
  link(incidentId: string, healingId: string): Promise<void>;
  addNote(incidentId: string, note: { at: string; author: string; text: string }): Promise<void>;
}

export interface IncidentEscalation {
  /** Notifies again as escalated; false when the incident is gone, resolved or acknowledged. */
  escalate(incidentId: string): Promise<boolean>;
}

/** The service's unresolved incidents: their severity is the floor under any action's. */
export interface OpenIncidents {
  /** The most severe unresolved incident involving the service (cluster by name), if any. */
  openIncident(target: { cluster: string; namespace: string; service: string }): Promise<{ id: string; severity: Severity } | undefined>;
  /** One incident by id (any status): what an API request's `incidentId` is checked against. */
  incident?(id: string): Promise<{ cluster: string; namespace?: string; service: string; services?: string[] } | undefined>;
}

/** Critical services that depend on this one (the alert pipeline's graph, or configuration). */
export interface DependencyGraph {
  criticalDependents(target: { cluster: string; namespace: string; service: string }): Promise<string[]>;
}

export type { ActionPlan };
