/** Deployments: a Helm release rolled out across the fleet in waves. Pure data. */

export type DeploymentStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';
export type WaveStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ROLLED_BACK' | 'SKIPPED';
export type ClusterDeployStatus = 'PENDING' | 'DEPLOYING' | 'VERIFYING' | 'SUCCEEDED' | 'FAILED' | 'ROLLED_BACK';

export type ChartSpec = { path: string } | { repoUrl: string; name: string; version: string };

export interface MatchExpression {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface ClusterSelector {
  environment?: string;
  labels?: Record<string, string>;
  matchExpressions?: MatchExpression[];
  /** Only these registered clusters (fleetops' own deploys to one cluster, e.g. a right-sizing; not part of the API's selector). */
  clusterIds?: string[];
}

export interface WaveSpec {
  name: string;
  selector: ClusterSelector;
}

export interface DeployStrategy {
  rolloutTimeoutSeconds: number;
  verifySeconds: number;
  maxConcurrency: number;
}

export interface DeploymentSpec {
  release: string;
  namespace: string;
  chart: ChartSpec;
  waves: WaveSpec[];
  strategy: DeployStrategy;
}

/** What started it: `api` (POST /v1/deployments) or `ecr:<repository>:<tag>`. */
export type DeploymentTrigger = string;

export interface ClusterTarget {
  clusterId: string;
  cluster: string;
}

export interface DeploymentRecord extends DeploymentSpec {
  id: string;
  status: DeploymentStatus;
  trigger: DeploymentTrigger;
  /** sha256 of the values; the values themselves live in the secret store. */
  valuesHash: string;
  /** sha256 of the whole request (API): a reused Idempotency-Key with another body is refused. */
  requestHash?: string;
  /** The verified identity (`subject`) that asked for it through the API, and why, when it said. */
  requestedBy?: string;
  reason?: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  message?: string;
}

export interface WaveRecord {
  index: number;
  name: string;
  status: WaveStatus;
  clusters: ClusterTarget[];
}

export interface ClusterDeployRecord {
  waveIndex: number;
  clusterId: string;
  cluster: string;
  status: ClusterDeployStatus;
  /** The release revision this deploy produced. */
  revision?: number;
  /** The revision before it (the rollback target); 0 when this deploy installed the release. */
  previousRevision?: number;
  message?: string;
  /** When helm applied this deploy's revision: the rollout deadline and the anomaly watch start here. */
  appliedAt?: string;
  updatedAt: string;
}

/** One line of a release's history on one cluster: RCA's "recent rollout", healing's rollback target. */
export interface ReleaseHistoryEntry {
  clusterId: string;
  namespace: string;
  release: string;
  deploymentId: string;
  revision: number;
  valuesHash: string;
  chart: string;
  trigger: DeploymentTrigger;
  outcome: 'SUCCEEDED' | 'FAILED' | 'ROLLED_BACK';
  at: string;
}
