/**
 * What each Lambda may touch. CDK turns these into least-privilege grants; handlers not listed
 * get the defaults (no data access).
 */
export interface FunctionAccess {
  table?: 'read' | 'readwrite';
  /** Secrets under the stack's prefix (kubeconfigs). */
  secrets?: 'read' | 'readwrite';
  /**
   * With `readwrite`: the paths under the prefix it may create, overwrite and delete (required).
   * Only the clusters function writes `clusters/*` (kubeconfigs, Prometheus tokens); deploy entry
   * points write `deployments/*` (a deployment's values) and nothing else.
   */
  secretWritePaths?: ('clusters/*' | 'deployments/*')[];
  /** pricing:GetProducts (the AWS Price List API: node prices for cost allocation). */
  pricing?: boolean;
  /** xray:GetServiceGraph (edge evidence of clusters traced with X-Ray). */
  xray?: boolean;
  /** PutEvents on the fleetops bus. */
  publish?: boolean;
  /** State machines it may start / answer / describe. */
  workflows?: string[];
  taskCallbacks?: boolean;
  bedrock?: boolean;
  ses?: boolean;
  /** EKS DescribeCluster + sts:AssumeRole for registered EKS clusters. */
  eks?: boolean;
}

/** Lambda layers (folders under layers/) a function needs; a layer may pin the architecture. */
export type LayerName = 'helm-kubectl';

export interface FunctionSettings {
  memoryMb?: number;
  timeoutSeconds?: number;
  /** Concurrency kept for this function alone (the account pool cannot be drained by others). */
  reservedConcurrency?: number;
  access: FunctionAccess;
  /** Default arm64; helm-kubectl's binaries are x86-64 only. */
  architecture?: 'arm64' | 'x86_64';
  layers?: LayerName[];
}

export const FUNCTION_SETTINGS: Record<string, FunctionSettings> = {
  health: { access: {} },
  openapi: { access: {} },
  // Reads the credential table: unknown /v1 paths answer 401 before 404 for every kind of credential.
  'not-found': { access: { table: 'read' } },
  // Ingest credentials and API keys (issue 19).
  credentials: { access: { table: 'readwrite' } },
  alerts: { timeoutSeconds: 29, reservedConcurrency: 20, access: { table: 'readwrite', publish: true, ses: true, bedrock: true } },
  incidents: { access: { table: 'readwrite', publish: true, ses: true } },
  'ingest-event': { timeoutSeconds: 60, access: { table: 'readwrite', publish: true, ses: true, bedrock: true } },
  'ingest-kube-state': { timeoutSeconds: 60, access: { table: 'readwrite', publish: true, ses: true, bedrock: true } },
  'ingest-predicted-breach': { timeoutSeconds: 60, access: { table: 'readwrite', publish: true, ses: true, bedrock: true } },
  'incident-escalation': { timeoutSeconds: 60, access: { table: 'readwrite', publish: true, ses: true } },
  metrics: { access: { table: 'readwrite', secrets: 'read', workflows: ['metric-pull'], eks: true } },
  'train-models': { memoryMb: 2048, timeoutSeconds: 900, access: { table: 'readwrite', publish: true } },
  // readwrite: its idempotency record (functions/idempotency.ts).
  'plan-metric-pull': { access: { table: 'readwrite' } },
  'pull-metrics': { memoryMb: 1024, timeoutSeconds: 120, access: { table: 'readwrite', secrets: 'read', publish: true, eks: true, pricing: true, xray: true } },
  clusters: { access: { table: 'readwrite', secrets: 'readwrite', secretWritePaths: ['clusters/*'], publish: true, eks: true } },
  // Slack: reads clusters, incidents, anomalies; acks, silences; starts RCA / healing decisions / deploys once those exist.
  slack: {
    timeoutSeconds: 10,
    access: {
      table: 'readwrite',
      secrets: 'readwrite',
      secretWritePaths: ['deployments/*'],
      publish: true,
      ses: true,
      workflows: ['rca', 'deploy'],
      taskCallbacks: true,
    },
  },
  // ses: the notifiers' settings and secrets (an automatic RCA's report goes to its incident's Slack conversation).
  'slack-followup': { timeoutSeconds: 30, access: { table: 'readwrite', ses: true } },
  'cluster-health': { timeoutSeconds: 60, access: { table: 'readwrite', secrets: 'read', publish: true, eks: true } },
  // --- Root-cause analysis ---
  rca: { access: { table: 'readwrite', workflows: ['rca'] } },
  'rca-trigger': { timeoutSeconds: 30, access: { table: 'readwrite', workflows: ['rca'] } },
  'rca-evidence': { memoryMb: 1024, timeoutSeconds: 30, access: { table: 'read', secrets: 'read', eks: true } },
  'rca-analyze': { memoryMb: 1024, timeoutSeconds: 120, access: { table: 'readwrite', secrets: 'read', publish: true, bedrock: true, eks: true } },
  'rca-failed': { access: { table: 'readwrite' } },
  // Healing (issue 9)
  healing: { timeoutSeconds: 29, access: { table: 'readwrite', secrets: 'read', workflows: ['healing'], taskCallbacks: true, eks: true } },
  'healing-step': { timeoutSeconds: 60, access: { table: 'readwrite', secrets: 'read', publish: true, ses: true, eks: true } },
  // Deployments (issue 11)
  deployments: { access: { table: 'readwrite', secrets: 'readwrite', secretWritePaths: ['deployments/*'], workflows: ['deploy'] } },
  'deploy-ecr': { timeoutSeconds: 60, access: { table: 'readwrite', secrets: 'readwrite', secretWritePaths: ['deployments/*'], workflows: ['deploy'] } },
  'deploy-steps': { timeoutSeconds: 60, access: { table: 'readwrite', secrets: 'read', publish: true, ses: true, bedrock: true, eks: true } },
  // Service catalog, scorecards and golden paths (issue 12)
  catalog: { access: { table: 'readwrite', secrets: 'readwrite', secretWritePaths: ['deployments/*'], workflows: ['deploy'] } },
  scorecards: { timeoutSeconds: 29, access: { table: 'readwrite', secrets: 'read', eks: true } },
  // Recomputes stale scorecards, stalest first, within its time budget; the stored cards are its cursor.
  'scorecards-refresh': { timeoutSeconds: 900, reservedConcurrency: 1, access: { table: 'readwrite', secrets: 'read', eks: true } },
  'catalog-pull': { timeoutSeconds: 120, access: { table: 'readwrite' } },
  // Cost and capacity (issue 22): reads only; the pull writes the cost rows.
  costs: { timeoutSeconds: 29, access: { table: 'read' } },
  // Applying a recommendation is a deploy entry point: it reads the release's values and writes the new ones under deployments/*.
  rightsizing: { timeoutSeconds: 29, access: { table: 'readwrite', secrets: 'readwrite', secretWritePaths: ['deployments/*'], workflows: ['deploy'] } },
  'deploy-helm': {
    memoryMb: 1024,
    timeoutSeconds: 600,
    architecture: 'x86_64',
    layers: ['helm-kubectl'],
    access: { table: 'readwrite', secrets: 'read', eks: true },
  },
};

export function settingsFor(handler: string): FunctionSettings {
  return FUNCTION_SETTINGS[handler] ?? { access: {} };
}
