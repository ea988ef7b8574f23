/**
 * The least-privilege RBAC a user applies to a cluster before registering it: what fleetops reads
 * (workloads, events, metrics) and the few writes healing needs (scale, rollout undo, pod delete, HPA bounds).
 * No secrets, no wildcards, no exec/attach/port-forward.
 */
import { stringify } from 'yaml';

export const FLEETOPS_NAMESPACE = 'fleetops';
export const FLEETOPS_SERVICE_ACCOUNT = 'fleetops';
export const FLEETOPS_CLUSTER_ROLE = 'fleetops-operator';
export const FLEETOPS_TOKEN_SECRET = 'fleetops-token';

const READ = ['get', 'list', 'watch'];

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export const FLEETOPS_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['pods', 'nodes', 'namespaces', 'events', 'services', 'endpoints'], verbs: READ },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
  { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets'], verbs: READ },
  // Healing's writes, exactly: scale (PUT deployments/scale), rollback and undo (PUT deployments),
  // restart (DELETE pods, above), and raising an HPA instead of fighting it (list + merge-patch).
  { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'], verbs: ['update'] },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['list', 'patch'] },
  { apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list'] },
];

export interface RbacManifestOptions {
  namespace?: string;
  serviceAccount?: string;
}

export function rbacManifestDocuments(options: RbacManifestOptions = {}): Array<Record<string, unknown>> {
  const namespace = options.namespace ?? FLEETOPS_NAMESPACE;
  const sa = options.serviceAccount ?? FLEETOPS_SERVICE_ACCOUNT;
  const labels = { 'app.kubernetes.io/name': 'fleetops', 'app.kubernetes.io/component': 'cluster-access' };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace, labels } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: FLEETOPS_CLUSTER_ROLE, labels }, rules: FLEETOPS_RULES },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: FLEETOPS_CLUSTER_ROLE, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: FLEETOPS_CLUSTER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
    },
    {
      // Kubernetes ≥1.24 no longer creates these automatically; the token controller fills `data.token`.
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: FLEETOPS_TOKEN_SECRET, namespace, labels, annotations: { 'kubernetes.io/service-account.name': sa } },
    },
  ];
}

/** Multi-document YAML for `kubectl apply -f -`. */
export function rbacManifest(options: RbacManifestOptions = {}): string {
  return rbacManifestDocuments(options)
    .map((doc) => stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 }))
    .join('---\n');
}

/** How to fetch the long-lived token once the manifest is applied. */
export function tokenCommand(options: RbacManifestOptions = {}): string {
  const namespace = options.namespace ?? FLEETOPS_NAMESPACE;
  return `kubectl -n ${namespace} get secret ${FLEETOPS_TOKEN_SECRET} -o jsonpath='{.data.token}' | base64 -d`;
}
