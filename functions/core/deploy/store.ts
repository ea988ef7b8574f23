import type { ClusterDeployRecord, ClusterDeployStatus, DeploymentRecord, DeploymentStatus, ReleaseHistoryEntry, WaveRecord, WaveStatus } from './types.ts';
import type { DeployTriggerSpec } from './triggers.ts';

export interface DeploymentView {
  record: DeploymentRecord;
  waves: WaveRecord[];
  clusters: ClusterDeployRecord[];
}

/** Deployments, their waves and per-cluster progress, release history and ECR triggers. */
export interface DeploymentStore {
  /** Conditional create; false when a deployment with this id exists (a retry or redelivery). */
  create(record: DeploymentRecord): Promise<boolean>;
  get(id: string): Promise<DeploymentView | undefined>;
  /** Deployments newest first (by creation time), optionally only those in one status; at most `limit`. */
  list(options: { status?: DeploymentStatus; limit: number }): Promise<DeploymentView[]>;
  /** Writes the wave plan once; a replayed plan keeps the first one (returned). */
  savePlan(id: string, waves: WaveRecord[]): Promise<WaveRecord[]>;
  setStatus(id: string, status: DeploymentStatus, at: string, message?: string): Promise<void>;
  setWaveStatus(id: string, index: number, status: WaveStatus): Promise<void>;
  setClusterStatus(
    id: string,
    waveIndex: number,
    clusterId: string,
    changes: Partial<Omit<ClusterDeployRecord, 'waveIndex' | 'clusterId'>> & { status: ClusterDeployStatus; updatedAt: string },
  ): Promise<void>;
  /** Marks the deployment's failure as handled; true only for the first caller (incident and notification once). */
  claimFailureReport(id: string): Promise<boolean>;
  appendHistory(entry: ReleaseHistoryEntry): Promise<void>;
  releaseHistory(clusterId: string, namespace: string, release: string, limit?: number): Promise<ReleaseHistoryEntry[]>;

  putTrigger(id: string, trigger: DeployTriggerSpec): Promise<void>;
  listTriggers(): Promise<(DeployTriggerSpec & { id: string })[]>;
  deleteTrigger(id: string): Promise<boolean>;
}
