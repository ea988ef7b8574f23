/**
 * Healing: shapes shared by the strategies, the safety rules, the workflow steps and the API.
 * Status strings and the listed fields are the contract's (CONTRACT.md, "RCA and healing").
 */

export { ISSUE_TYPES, type IssueType } from '../issue-types.ts';
import type { IssueType } from '../issue-types.ts';

import type { Severity } from '../platform/severity.ts';

export { SEVERITIES, severityRank, type Severity } from '../platform/severity.ts';

export const HEALING_STATUSES = ['PENDING_APPROVAL', 'EXECUTING', 'SUCCEEDED', 'FAILED', 'REJECTED', 'SKIPPED'] as const;
export type HealingStatus = (typeof HEALING_STATUSES)[number];
export const FINAL_STATUSES: readonly HealingStatus[] = ['SUCCEEDED', 'FAILED', 'REJECTED', 'SKIPPED'];

/** What the RCA found that a strategy can use (the `RcaCompleted` event's detail). */
export interface RcaHints {
  rcaId?: string;
  topCause?: { category: string; resource: string; confidence: number };
  recentRollout?: { deployment: string; revision: string | number; at: string; changed: string[] };
}

export interface HealingRequest {
  clusterId: string;
  namespace: string;
  service: string;
  issueType: IssueType;
  severity: Severity;
  dryRun?: boolean;
  incidentId?: string;
  trigger: 'api' | 'rca';
  requestedBy: string;
  /** The requester's verified role (API requests): below approver, a heal of a service with no open incident is only proposed. */
  requestedByRole?: string;
  hints?: RcaHints;
  /**
   * Set when the request's authority is short of acting alone (a manual RCA without an open
   * incident, a model's choice outside what the rules found): the action is proposed for approval
   * whatever the severity. Says why.
   */
  proposal?: string;
}

export type ActionKind = 'scale_out' | 'restart_pod' | 'rollback' | 'memory_limit_bump' | 'manual_handover' | 'none';

export type ActionPlan =
  | {
      kind: 'scale_out';
      deployment: string;
      from: number;
      to: number;
      /** Present when an HPA owns the replica count: its bounds are raised instead of scaling behind it. */
      hpa?: { name: string; minReplicas: { from: number; to: number }; maxReplicas: { from: number; to: number } };
    }
  | { kind: 'restart_pod'; deployment: string; pod: string }
  | {
      kind: 'rollback';
      deployment: string;
      fromRevision: string;
      toRevision: string;
      /** The ReplicaSets (stable across revision renumbering): remembered as failing when the rollback made things worse. */
      fromReplicaSet?: string;
      toReplicaSet?: string;
      /** Present when the rollback goes through Argo CD (the workload is Argo-managed and a target is configured). */
      argocd?: ArgoRollbackPlan;
    }
  | {
      /** A rolling restart with raised memory limits (quantities as in the pod template). */
      kind: 'memory_limit_bump';
      deployment: string;
      containers: { name: string; from: string; to: string }[];
    };

/** An Argo CD rollback: to the history entry before the deployed one; undone by a sync back to `fromRevision`. */
export interface ArgoRollbackPlan {
  /** The Application's name as Argo CD's API takes it (without the `<namespace>_` prefix). */
  application: string;
  /** Apps in any namespace: the Application's namespace (`appNamespace`). */
  appNamespace?: string;
  historyId: number;
  revision: string;
  fromHistoryId: number;
  fromRevision: string;
}

export type Decision =
  | {
      kind: 'action';
      action: ActionPlan;
      summary: string;
      /** Set when the strategy wants a person to approve this action whatever the severity: says why. */
      approval?: string;
    }
  | { kind: 'handover'; summary: string; suggestions: string[] };

/** Who changes the workload when it is not us. */
export interface GitOpsOwner {
  tool: 'argocd' | 'flux';
  app: string;
}

/** What we read from the cluster to plan and to verify (no Kubernetes types: core stays pure). */
export interface PodState {
  name: string;
  ready: boolean;
  phase: string;
  restarts: number;
  /** e.g. CrashLoopBackOff, ErrImagePull. */
  waitingReason?: string;
  createdAt?: string;
  cpuCores?: number;
  memoryBytes?: number;
}

export interface WorkloadState {
  deployment: string;
  replicas: number;
  readyReplicas: number;
  revision: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The pod template, opaque here: snapshotted and put back by undo. */
  template: unknown;
  /** Per container, summed over containers of one pod; undefined when no limit is set. */
  cpuLimitCores?: number;
  memoryLimitBytes?: number;
  replicaSets: { name: string; revision: string; createdAt?: string; replicas: number }[];
  hpa?: { name: string; minReplicas: number; maxReplicas: number };
  pods: PodState[];
}

/** Before acting: enough to undo and to compare. */
export interface Snapshot {
  at: string;
  replicas: number;
  revision: string;
  /** The ReplicaSet of `revision` (the revision a rollback leaves was failing). */
  replicaSet?: string;
  template: unknown;
  hpa?: { name: string; minReplicas: number; maxReplicas: number };
  symptom: number;
  readyReplicas: number;
  /** Argo CD rollbacks: what the Application had deployed before (the undo syncs back to it). */
  argocd?: { application: string; appNamespace?: string; historyId?: number; revision: string };
}

export type Verdict = 'resolved' | 'unchanged' | 'worse';

export interface Verification {
  at: string;
  verdict: Verdict;
  symptomBefore: number;
  symptomAfter: number;
  readyBefore: number;
  readyAfter: number;
  replicas: number;
  revision: string;
  detail: string;
}

export interface HealingRecord {
  id: string;
  incidentId?: string;
  rcaId?: string;
  clusterId: string;
  cluster: string;
  namespace: string;
  service: string;
  issueType: IssueType;
  severity: Severity;
  action: ActionKind;
  status: HealingStatus;
  reason: string;
  createdAt: string;
  updatedAt: string;
  dryRun: boolean;
  trigger: 'api' | 'rca';
  requestedBy: string;
  requestedByRole?: string;
  hints?: RcaHints;
  plan?: ActionPlan;
  suggestions?: string[];
  gitOps?: GitOpsOwner;
  approvalRequired?: boolean;
  /** Why approval is required whatever the severity (see HealingRequest.proposal, Decision.approval). */
  proposal?: string;
  /** The severity of the service's open incident when it was higher than the request's (the floor). */
  severityFloor?: { severity: Severity; incidentId: string };
  approvalExpiresAt?: string;
  /** The workflow's `.waitForTaskToken` token; never shown by the API. */
  taskToken?: string;
  approvedBy?: string;
  /** The approver's verified identity (subject) and role, from the credential, never from a body. */
  approvedBySubject?: string;
  approvedByRole?: string;
  approvedAt?: string;
  rejectedBy?: string;
  rejectedAt?: string;
  snapshot?: Snapshot;
  verification?: Verification;
  undone?: boolean;
  /** Notifier kinds already told about each status (exactly-once notification on retries). */
  notified?: Record<string, string[]>;
}

export interface AuditEntry {
  /** Fixed per step, so a redelivered step finds its entry taken and never overwrites it. */
  step: string;
  at: string;
  actor: string;
  what: string;
  before?: unknown;
  after?: unknown;
  result: string;
}
