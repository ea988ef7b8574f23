/**
 * Which fleetops features a cluster's credentials allow, from the SelfSubjectRulesReview answers of its
 * namespaces (what `kubectl auth can-i --list -n <ns>` shows). Pure: the gateway fetches the rules.
 */
/** One resource rule of a SelfSubjectRulesReview status. */
export interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
}

/** The rules that apply in one namespace; `incomplete` when the server could not list them all (e.g. a webhook authoriser). */
export interface NamespaceRules {
  namespace: string;
  rules: ResourceRule[];
  incomplete: boolean;
}

export const FEATURES = ['detection', 'rca', 'healing', 'deploy', 'scorecards'] as const;
export type Feature = (typeof FEATURES)[number];

/** `unknown` when the rules could not be read, or were incomplete and lacked something. */
export type Allowed = boolean | 'unknown';

export interface ClusterPermissions {
  checkedAt: string;
  /** Namespaces reviewed (rules for `deploy` are namespaced; the others are judged in the cluster's own namespaces). */
  namespaces: string[];
  features: {
    detection: Allowed;
    rca: Allowed;
    healing: Allowed;
    scorecards: Allowed;
    /** The reviewed namespaces fleetops may deploy into, or false when none. */
    deploy: string[] | false | 'unknown';
  };
  /** Per feature not allowed: the permissions it lacks, as `verb resource` (`in <ns>` when only some namespaces lack it). */
  missing: Partial<Record<Feature, string[]>>;
  /** Why the features are unknown (the review failed). */
  error?: string;
}

interface Need {
  verb: string;
  group: string;
  resource: string;
}

const need = (verb: string, resource: string, group = ''): Need => ({ verb, group, resource });

/** What each feature calls on a cluster (the adapters' calls; rbac-manifest.ts grants them). */
export const FEATURE_NEEDS: Record<Exclude<Feature, 'deploy'>, Need[]> = {
  detection: [need('list', 'pods'), need('list', 'nodes'), need('list', 'deployments', 'apps')],
  rca: [need('list', 'pods'), need('list', 'events'), need('get', 'pods/log'), need('list', 'deployments', 'apps'), need('list', 'replicasets', 'apps')],
  healing: [
    need('update', 'deployments/scale', 'apps'),
    need('update', 'deployments', 'apps'),
    need('delete', 'pods'),
    need('list', 'horizontalpodautoscalers', 'autoscaling'),
    need('patch', 'horizontalpodautoscalers', 'autoscaling'),
  ],
  scorecards: [need('list', 'servicemonitors', 'monitoring.coreos.com')],
};

/** helm upgrade --install into one namespace: its release Secrets and the workloads a chart renders. */
export const DEPLOY_NEEDS: Need[] = [
  need('get', 'secrets'),
  need('list', 'secrets'),
  need('create', 'secrets'),
  need('update', 'secrets'),
  need('get', 'deployments', 'apps'),
  need('create', 'deployments', 'apps'),
  need('patch', 'deployments', 'apps'),
  need('create', 'services'),
  need('patch', 'services'),
];

const matches = (values: string[], value: string) => values.includes('*') || values.includes(value);

function ruleAllows(rule: ResourceRule, n: Need): boolean {
  // A rule limited to named objects never allows list or create (they name no object).
  if (rule.resourceNames?.length) return false;
  const subresource = n.resource.split('/')[1];
  const resourceMatches =
    rule.resources.includes('*') || rule.resources.includes(n.resource) || (subresource !== undefined && rule.resources.includes(`*/${subresource}`));
  return matches(rule.verbs, n.verb) && matches(rule.apiGroups, n.group) && resourceMatches;
}

export const allows = (rules: ResourceRule[], n: Need) => rules.some((r) => ruleAllows(r, n));

const label = (n: Need) => `${n.verb} ${n.group ? `${n.resource.replace(/^([^/]+)/, `$1.${n.group}`)}` : n.resource}`;

/** Missing permissions across namespaces: `verb resource`, with ` in <ns>` when only some namespaces lack it. */
function missingIn(reviews: NamespaceRules[], needs: Need[]): string[] {
  const out: string[] = [];
  for (const n of needs) {
    const lacking = reviews.filter((r) => !allows(r.rules, n)).map((r) => r.namespace);
    if (lacking.length === reviews.length) out.push(label(n));
    else out.push(...lacking.map((ns) => `${label(n)} in ${ns}`));
  }
  return out;
}

/**
 * Features over the reviews: a feature needs its permissions in every one of `homeNamespaces` (the namespaces fleetops
 * watches); deploy is listed per reviewed namespace. A lack seen in an incomplete review is `unknown`, not false.
 */
export function grantedFeatures(reviews: NamespaceRules[], homeNamespaces: string[], checkedAt: string): ClusterPermissions {
  const home = reviews.filter((r) => homeNamespaces.includes(r.namespace));
  const judged = home.length ? home : reviews;
  const incomplete = reviews.some((r) => r.incomplete);
  const missing: ClusterPermissions['missing'] = {};
  const judge = (feature: Exclude<Feature, 'deploy'>): Allowed => {
    const lacks = missingIn(judged, FEATURE_NEEDS[feature]);
    if (!lacks.length) return true;
    missing[feature] = lacks;
    return incomplete ? 'unknown' : false;
  };
  const features = {
    detection: judge('detection'),
    rca: judge('rca'),
    healing: judge('healing'),
    scorecards: judge('scorecards'),
    deploy: false as ClusterPermissions['features']['deploy'],
  };
  const deployable = reviews.filter((r) => DEPLOY_NEEDS.every((n) => allows(r.rules, n))).map((r) => r.namespace);
  if (deployable.length) features.deploy = deployable.sort();
  else {
    missing.deploy = missingIn(judged, DEPLOY_NEEDS);
    features.deploy = incomplete ? 'unknown' : false;
  }
  return { checkedAt, namespaces: reviews.map((r) => r.namespace).sort(), features, missing };
}

/** The review could not be made (403 on SelfSubjectRulesReview, a timeout): every feature unknown, registration goes on. */
export function unknownPermissions(checkedAt: string, namespaces: string[], error: string): ClusterPermissions {
  const u = 'unknown' as const;
  return { checkedAt, namespaces, features: { detection: u, rca: u, healing: u, scorecards: u, deploy: u }, missing: {}, error };
}

/**
 * Why a deploy into `namespace` must not start, when the recorded review says so; undefined when it may (or when
 * the namespace was not reviewed, or the review failed: then helm finds out).
 */
export function deployRefusal(cluster: { name: string; permissions?: ClusterPermissions }, namespace: string): string | undefined {
  const p = cluster.permissions;
  if (!p || !p.namespaces.includes(namespace)) return undefined;
  const deploy = p.features.deploy;
  if (deploy === 'unknown' || (Array.isArray(deploy) && deploy.includes(namespace))) return undefined;
  return (
    `deploy not permitted: fleetops' account on ${cluster.name} may not deploy to namespace ${namespace} ` +
    `(grant it with GET /v1/rbac-manifest?access=deploy&deployNamespaces=${namespace})`
  );
}

/** Why healing must not start on this cluster, when the recorded review says its writes are not granted. */
export function healingRefusal(cluster: { name: string; permissions?: ClusterPermissions }): string | undefined {
  if (cluster.permissions?.features.healing !== false) return undefined;
  const lacks = cluster.permissions.missing.healing ?? [];
  return (
    `healing not permitted: fleetops' account on ${cluster.name} lacks ${lacks.join(', ') || "healing's writes"} ` +
    `(grant it with GET /v1/rbac-manifest?access=heal)`
  );
}
