import type { ArgoAppRef, ArgoCdApplication } from '../healing/argocd.ts';
import type { RcaReport } from './report.ts';

export type RcaStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface RcaRecord {
  id: string;
  status: RcaStatus;
  clusterId: string;
  cluster: string;
  namespace: string;
  service: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  incidentId?: string;
  at: string;
  createdAt: string;
  updatedAt: string;
  report?: RcaReport;
  error?: string;
  completedAt?: string;
}

/** RCA records: a conditional create, completion only from RUNNING. */
export interface RcaStore {
  /** False when an RCA with this id exists already (the start was a redelivery). */
  create(record: RcaRecord): Promise<boolean>;
  get(id: string): Promise<RcaRecord | undefined>;
  /** False when the RCA is no longer RUNNING (already completed or failed). */
  complete(id: string, report: RcaReport, at: Date): Promise<boolean>;
  fail(id: string, reason: string, at: Date): Promise<void>;
}

/** Argo CD, read only: the Applications that claim the workloads under investigation (healing's ArgoCdTarget fits). */
export interface ArgoCdApplications {
  /** Whether this instance manages workloads of the registered cluster with this name. */
  covers(cluster: string): boolean;
  /** The registered cluster this instance runs in (what its `in-cluster` destination means), when known. */
  readonly inCluster?: string;
  application(ref: ArgoAppRef): Promise<ArgoCdApplication>;
}
