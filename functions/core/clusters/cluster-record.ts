import type { GuardrailSettings } from '../detection/guardrails.ts';
import type { ClusterPermissions } from './permissions.ts';

/** A cluster's Prometheus-compatible backend (Prometheus, AMP, Thanos, Mimir). The bearer token is in the SecretStore. */
export interface PrometheusSettings {
  url: string;
  auth: 'none' | 'bearer' | 'sigv4';
  /** SigV4 (AMP): must agree with the workspace host, which decides. */
  region?: string;
  /** Mimir / Cortex tenant, sent as X-Scope-OrgID. */
  tenantId?: string;
  rateWindow?: string;
  matchers?: Record<string, string>;
}

/** A cluster whose calls are traced with AWS X-Ray: its edge evidence when Prometheus has no mesh metrics. */
export interface XRaySettings {
  /** Default: the stack's region. */
  region?: string;
  /** The X-Ray group whose filter expression selects this cluster's traces (default: every trace of the account and region). */
  groupName?: string;
  /** X-Ray node name → workload name, where they differ. */
  names?: Record<string, string>;
}

/** What fleetops stores about a registered cluster. Never credentials: those live in the SecretStore. */
export interface ClusterRecord {
  id: string;
  name: string;
  environment: string;
  labels: Record<string, string>;
  server: string;
  version: string;
  status: 'active' | 'unreachable';
  createdAt: string;
  updatedAt: string;
  lastCheckedAt?: string;
  source: 'kubeconfig' | 'eks';
  /** Changes when credentials rotate, so pooled clients are rebuilt. A hash prefix, not the secret. */
  credentialsVersion: string;
  eks?: { clusterName: string; region: string; roleArn?: string };
  prometheus?: PrometheusSettings;
  xray?: XRaySettings;
  /** Namespaces the metric pull covers (default: the pull's configured defaults). */
  namespaces?: string[];
  /** Detection guardrails for this cluster's services (over the shipped defaults). */
  guardrails?: GuardrailSettings;
  /** What the credentials allow, from SelfSubjectRulesReview at registration and rotation. */
  permissions?: ClusterPermissions;
}

export interface ClusterStore {
  /** Fails with ConflictError when the name is taken. */
  create(record: ClusterRecord): Promise<void>;
  get(id: string): Promise<ClusterRecord | undefined>;
  getByName(name: string): Promise<ClusterRecord | undefined>;
  list(): Promise<ClusterRecord[]>;
  /** Returns false when it did not exist. */
  delete(id: string): Promise<boolean>;
  update(id: string, changes: Partial<Omit<ClusterRecord, 'id' | 'name' | 'createdAt'>>): Promise<ClusterRecord | undefined>;
  /** Sets the status only if it is still `expected`; true when this call changed it. */
  transitionStatus(id: string, expected: ClusterRecord['status'], next: ClusterRecord['status'], at: string): Promise<boolean>;
}

/** The public view: the contract's fields, nothing about credentials. */
export function toClusterResponse(record: ClusterRecord) {
  return {
    id: record.id,
    name: record.name,
    environment: record.environment,
    labels: record.labels,
    server: record.server,
    version: record.version,
    status: record.status,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(record.lastCheckedAt ? { lastCheckedAt: record.lastCheckedAt } : {}),
    source: record.source,
    ...(record.prometheus ? { prometheus: { url: record.prometheus.url, auth: record.prometheus.auth } } : {}),
    ...(record.xray ? { xray: record.xray } : {}),
    ...(record.namespaces ? { namespaces: record.namespaces } : {}),
    ...(record.guardrails ? { guardrails: record.guardrails } : {}),
    ...(record.permissions ? { permissions: record.permissions } : {}),
  };
}

/** Detail types the registry publishes under `fleetops.clusters`. */
export const CLUSTER_REGISTERED_DETAIL_TYPE = 'ClusterRegistered';
export const CLUSTER_DELETED_DETAIL_TYPE = 'ClusterDeleted';
