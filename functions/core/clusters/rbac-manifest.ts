/**
 * The least-privilege RBAC a user applies to a cluster before registering it, in three tiers (`access`):
 * - `read`: the ClusterRole `fleetops-operator`, reads only (workloads, events, metrics, pod logs for RCA,
 *   ServiceMonitors for scorecards): detection, RCA, cost, scorecards.
 * - `heal` (the default): read plus the ClusterRole `fleetops-healer`, the few writes healing needs (scale,
 *   rollout undo, pod delete, HPA bounds). Going back to `read` is `kubectl delete clusterrolebinding fleetops-healer`.
 * - `deploy`: heal plus, per namespace in `deployNamespaces`, a Role and RoleBinding `fleetops-deployer` covering
 *   helm's release Secrets and what the golden chart creates.
 * No secrets, no wildcards, no exec/attach/port-forward cluster-wide.
 * Secret changes in the RCA's change timeline are opt-in per namespace too: `secretChangeNamespaces` adds a Role and
 * RoleBinding `fleetops-secret-changes` with `list` on secrets. fleetops asks for metadata only, but RBAC cannot say
 * so: whoever holds the token could read those Secrets' values, so no namespace gets it by default.
 * Checked against the simulator's RBAC with kubectl and helm (test/integration/kube/rbac-parity.test.ts).
 */
import { stringify } from 'yaml';
import { ValidationError } from '../errors.ts';

export const FLEETOPS_NAMESPACE = 'fleetops';
export const FLEETOPS_SERVICE_ACCOUNT = 'fleetops';
/** The reads every tier grants (the name predates the tiers, when this role also held healing's writes). */
export const FLEETOPS_CLUSTER_ROLE = 'fleetops-operator';
export const FLEETOPS_HEALER_ROLE = 'fleetops-healer';
export const FLEETOPS_TOKEN_SECRET = 'fleetops-token';
export const FLEETOPS_DEPLOYER_ROLE = 'fleetops-deployer';
export const FLEETOPS_SECRET_CHANGES_ROLE = 'fleetops-secret-changes';

const READ = ['get', 'list', 'watch'];

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The `read` tier: everything fleetops reads, no writes. */
export const FLEETOPS_READ_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['pods', 'nodes', 'namespaces', 'events', 'services', 'endpoints'], verbs: READ },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
  // RCA evidence: container logs (tail, bounded) of the pods of the service under investigation.
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets'], verbs: READ },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['list'] },
  { apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list'] },
  // Scorecards: does a ServiceMonitor select the service (a 404 without the CRD means "absent"; a 403 would fail).
  { apiGroups: ['monitoring.coreos.com'], resources: ['servicemonitors'], verbs: ['list'] },
];

/**
 * The `heal` tier adds healing's writes, exactly: scale (PUT deployments/scale), rollback and undo (PUT deployments),
 * restart (DELETE pods), and raising an HPA instead of fighting it (merge-patch).
 */
export const FLEETOPS_HEAL_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
  { apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'], verbs: ['update'] },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['patch'] },
];

export const ACCESS_TIERS = ['read', 'heal', 'deploy'] as const;
export type AccessTier = (typeof ACCESS_TIERS)[number];

const WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** A deploy target namespace: helm's release storage (Secrets) and the kinds the golden chart renders, nothing else. */
export const FLEETOPS_DEPLOYER_RULES: PolicyRule[] = [
  // helm upgrade --install --create-namespace server-side-applies the (existing) Namespace; a RoleBinding covers
  // requests on its own namespace object. The namespace itself must exist: creating one needs cluster scope.
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'patch'] },
  { apiGroups: [''], resources: ['secrets'], verbs: WRITE },
  { apiGroups: [''], resources: ['services', 'configmaps', 'serviceaccounts'], verbs: WRITE },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: WRITE },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: WRITE },
  { apiGroups: ['monitoring.coreos.com'], resources: ['servicemonitors'], verbs: WRITE },
];

/** A namespace whose Secrets' changes the RCA timeline shows: a metadata-only list (the adapter asks for nothing else). */
export const FLEETOPS_SECRET_CHANGES_RULES: PolicyRule[] = [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }];

export interface RbacManifestOptions {
  /**
   * The tier; `deploy` needs `deployNamespaces`, `read` and `heal` take none. Unset: `heal`, plus a deploy Role
   * for each `deployNamespaces` entry (what this route served before the tiers).
   */
  access?: AccessTier;
  namespace?: string;
  serviceAccount?: string;
  /** Namespaces fleetops may deploy into (each gets a Role + RoleBinding); none by default. */
  deployNamespaces?: string[];
  /** Namespaces whose Secret changes (names and write times) the RCA lists (a Role + RoleBinding each); none by default. */
  secretChangeNamespaces?: string[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function checkTier(options: RbacManifestOptions): AccessTier {
  const deployNamespaces = options.deployNamespaces ?? [];
  if (options.access === undefined) return deployNamespaces.length ? 'deploy' : 'heal';
  if (options.access === 'deploy' && !deployNamespaces.length)
    throw new ValidationError('deployNamespaces: access=deploy needs the namespaces fleetops may deploy into', undefined, 'DEPLOY_NAMESPACES_REQUIRED');
  if (options.access !== 'deploy' && deployNamespaces.length)
    throw new ValidationError(
      `deployNamespaces: grants deploys, which access=${options.access} does not; ask for access=deploy`,
      undefined,
      'ACCESS_TIER_CONFLICT',
    );
  return options.access;
}

export function rbacManifestDocuments(options: RbacManifestOptions = {}): Array<Record<string, unknown>> {
  const tier = checkTier(options);
  const namespace = options.namespace ?? FLEETOPS_NAMESPACE;
  const sa = options.serviceAccount ?? FLEETOPS_SERVICE_ACCOUNT;
  const labels = { 'app.kubernetes.io/name': 'fleetops', 'app.kubernetes.io/component': 'cluster-access' };
  const namespacedRole = (what: string, namespaces: string[] | undefined, role: string, rules: PolicyRule[]) => {
    const unique = [...new Set(namespaces ?? [])];
    for (const ns of unique) if (ns.length > 63 || !DNS_LABEL.test(ns)) throw new Error(`${what} namespace ${JSON.stringify(ns)} is not a DNS-1123 label`);
    return unique.flatMap((ns) => [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: role, namespace: ns, labels }, rules },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: role, namespace: ns, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
        subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
      },
    ]);
  };
  const deployer = namespacedRole('deploy', tier === 'deploy' ? options.deployNamespaces : [], FLEETOPS_DEPLOYER_ROLE, FLEETOPS_DEPLOYER_RULES);
  const secretChanges = namespacedRole('secret change', options.secretChangeNamespaces, FLEETOPS_SECRET_CHANGES_ROLE, FLEETOPS_SECRET_CHANGES_RULES);
  const clusterRole = (role: string, rules: PolicyRule[]) => [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: role, labels }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: role, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace }],
    },
  ];
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace, labels } },
    ...clusterRole(FLEETOPS_CLUSTER_ROLE, FLEETOPS_READ_RULES),
    ...(tier === 'read' ? [] : clusterRole(FLEETOPS_HEALER_ROLE, FLEETOPS_HEAL_RULES)),
    {
      // Kubernetes ≥1.24 no longer creates these automatically; the token controller fills `data.token`.
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: FLEETOPS_TOKEN_SECRET, namespace, labels, annotations: { 'kubernetes.io/service-account.name': sa } },
    },
    ...deployer,
    ...secretChanges,
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
