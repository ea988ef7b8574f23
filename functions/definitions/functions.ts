/**
 * What each Lambda may touch. CDK turns these into least-privilege grants; handlers not listed
 * get the defaults (no data access).
 */
export interface FunctionAccess {
  table?: 'read' | 'readwrite';
  /** Secrets under the stack's prefix (kubeconfigs). */
  secrets?: 'read' | 'readwrite';
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

export interface FunctionSettings {
  memoryMb?: number;
  timeoutSeconds?: number;
  access: FunctionAccess;
}

export const FUNCTION_SETTINGS: Record<string, FunctionSettings> = {
  health: { access: {} },
  openapi: { access: {} },
  'not-found': { access: {} },
  alerts: { timeoutSeconds: 29, access: { table: 'readwrite', publish: true, ses: true, bedrock: true } },
  incidents: { access: { table: 'readwrite', publish: true, ses: true } },
  'ingest-event': { timeoutSeconds: 60, access: { table: 'readwrite', publish: true, ses: true, bedrock: true } },
  'ingest-kube-state': { timeoutSeconds: 60, access: { table: 'readwrite', publish: true, ses: true, bedrock: true } },
  'incident-escalation': { timeoutSeconds: 60, access: { table: 'readwrite', publish: true, ses: true } },
  metrics: { access: { table: 'readwrite', secrets: 'read', workflows: ['metric-pull'], eks: true } },
  'train-models': { memoryMb: 2048, timeoutSeconds: 900, access: { table: 'readwrite' } },
  'plan-metric-pull': { access: { table: 'read' } },
  'pull-metrics': { memoryMb: 1024, timeoutSeconds: 120, access: { table: 'readwrite', secrets: 'read', publish: true, eks: true } },
  clusters: { access: { table: 'readwrite', secrets: 'readwrite', publish: true, eks: true } },
  // Slack: reads clusters, incidents, anomalies; acks, silences; starts RCA / healing decisions / deploys once those exist.
  slack: { timeoutSeconds: 10, access: { table: 'readwrite', publish: true, ses: true, workflows: ['rca'], taskCallbacks: true } },
  'slack-followup': { timeoutSeconds: 30, access: { table: 'readwrite' } },
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
};

export function settingsFor(handler: string): FunctionSettings {
  return FUNCTION_SETTINGS[handler] ?? { access: {} };
}
