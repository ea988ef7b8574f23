/** Shapes of the fleetops HTTP API (README "Contract"), as far as the plugin reads them. */

export interface Cluster {
  id: string;
  name: string;
  environment: string;
  labels: Record<string, string>;
  server?: string;
  version?: string;
  status: string;
  createdAt?: string;
}

export interface ClusterOverview {
  clusterId: string;
  name: string;
  environment: string;
  healthScore: number;
  readyNodes: number;
  totalNodes: number;
  errorRate: number | null;
  flagged: boolean;
  reasons: string[];
}

export interface FleetOverview {
  generatedAt: string;
  fleet: { clusters: number; avgErrorRate: number | null; avgHealthScore: number | null };
  clusters: ClusterOverview[];
}

export type Severity = 'low' | 'medium' | 'high' | 'critical' | string;

export interface Incident {
  id: string;
  cluster: string;
  namespace: string;
  service: string;
  type: string;
  types?: string[];
  title?: string;
  severity: Severity;
  status: 'open' | 'resolved' | string;
  owner?: string;
  alertCount: number;
  firstSeen: string;
  lastSeen: string;
  rcaId?: string;
  healingIds?: string[];
  acknowledgedBy?: string;
}

export interface ServiceHealth {
  cluster: string;
  namespace: string;
  service: string;
  status: 'anomaly' | 'normal' | string;
  score: number;
  severity?: string;
  features: Partial<Record<'cpu_usage' | 'memory_usage' | 'error_rate' | 'latency_p95' | 'request_rate', number | null>>;
  at: string;
}

export interface RootCause {
  category: string;
  resource: string;
  description: string;
  evidence: string[];
  confidence: number;
}

export interface RcaReport {
  summary: string;
  symptoms: string[];
  rootCauses: RootCause[];
  contributingFactors: string[];
  timeline: (string | { at?: string; time?: string; event?: string; description?: string })[];
  remediation: string[];
  prevention: string[];
  engine: 'rules' | 'bedrock' | string;
}

export interface Rca {
  id: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | string;
  report?: RcaReport;
  error?: string;
}

export type HealingStatus = 'PENDING_APPROVAL' | 'EXECUTING' | 'SUCCEEDED' | 'FAILED' | 'REJECTED' | 'SKIPPED' | string;

export interface HealingRun {
  id: string;
  incidentId?: string;
  cluster: string;
  namespace: string;
  service: string;
  issueType: string;
  severity: Severity;
  action: string;
  status: HealingStatus;
  reason: string;
  createdAt: string;
  approvedBy?: string;
}

export interface Deployment {
  id: string;
  release?: string;
  namespace?: string;
  status: string;
  createdAt?: string;
  waves: { name: string; status: string; clusters: { clusterId: string; status: string; revision?: number }[] }[];
}

export interface Scorecard {
  entity: string;
  score: number;
  passing: boolean;
  checks: { name: string; weight: number; passed: boolean; detail?: string }[];
}

export interface CostItem {
  key: string;
  cost: number;
  previous: number | null;
  changePct: number | null;
  daily: { date: string; cost: number }[];
}

export interface EntityCost extends CostItem {
  window?: string;
  currency?: string;
}

/** Who the signed-in Backstage user is to fleetops (the dev server or the fleetops backend route answers this). */
/** What `GET /v1/whoami` says about the caller (`subject` as `user`). */
export interface FleetopsIdentity {
  user: string;
  /** fleetops' kind of credential (`oidc` for a Backstage user's token, `bootstrap` / `api-key` for a shared one). */
  kind?: string;
  displayName: string;
  /** The fleetops role the user's token maps to: viewer < operator < approver < admin. */
  role: 'viewer' | 'operator' | 'approver' | 'admin' | null;
}
