// Authentication and RBAC: tokens belong to ServiceAccounts, ClusterRoles/Roles and their bindings decide,
// TokenRequest mints bound tokens, the legacy token controller fills service-account-token Secrets,
// and SelfSubjectAccessReview / SelfSubjectRulesReview answer from the same rules.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Cluster } from './cluster.ts';
import { nowIso, type Obj } from './util.ts';

export const ADMIN_SA_NAMESPACE = 'kube-system';
export const ADMIN_SA_NAME = 'sim-admin';
const RBAC_V1 = 'rbac.authorization.k8s.io/v1';

export interface UserInfo {
  username: string;
  uid: string;
  groups: string[];
  /** the ServiceAccount the token belongs to */
  serviceAccount: { namespace: string; name: string };
}

/** What one request asks for, as the Kubernetes authorizer sees it. */
export interface Attributes {
  verb: string;
  /** resource request (true) or non-resource URL (false) */
  resourceRequest: boolean;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  namespace?: string;
  path?: string;
}

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface IssuedToken {
  namespace: string;
  name: string;
  saUid: string;
  /** epoch ms; undefined for the admin token (never expires) */
  expiresAt?: number;
  /** a Secret-bound token is valid while the Secret exists */
  secret?: string;
}

const saUsername = (ns: string, name: string): string => `system:serviceaccount:${ns}:${name}`;

export const serviceAccountGroups = (ns: string): string[] => ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'];

/** The bootstrap RBAC a real control plane creates (the subset fleetops and kubectl rely on), plus the admin ServiceAccount. */
export function seedRbac(c: Cluster): void {
  const labels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
  const annotations = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };
  const clusterRole = (name: string, rules: PolicyRule[], extraLabels: Record<string, string> = {}): void => {
    c.store.create('clusterroles', { apiVersion: RBAC_V1, kind: 'ClusterRole', metadata: { name, labels: { ...labels, ...extraLabels }, annotations }, rules });
  };
  const binding = (name: string, role: string, subjects: Obj[]): void => {
    c.store.create('clusterrolebindings', {
      apiVersion: RBAC_V1,
      kind: 'ClusterRoleBinding',
      metadata: { name, labels, annotations },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects,
    });
  };
  clusterRole('cluster-admin', [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ]);
  const discoveryUrls = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];
  clusterRole('system:discovery', [{ nonResourceURLs: discoveryUrls, verbs: ['get'] }]);
  clusterRole('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]);
  clusterRole('system:basic-user', [
    { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  ]);
  const read = ['get', 'list', 'watch'];
  clusterRole(
    'view',
    [
      {
        apiGroups: [''],
        resources: [
          'pods',
          'pods/log',
          'pods/status',
          'services',
          'endpoints',
          'events',
          'configmaps',
          'persistentvolumeclaims',
          'serviceaccounts',
          'namespaces',
        ],
        verbs: read,
      },
      {
        apiGroups: ['apps'],
        resources: ['deployments', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'],
        verbs: read,
      },
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: read },
    ],
    { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' },
  );
  const authenticated = [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' }];
  binding('system:discovery', 'system:discovery', authenticated);
  binding('system:basic-user', 'system:basic-user', authenticated);
  binding('system:public-info-viewer', 'system:public-info-viewer', [
    ...authenticated,
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:unauthenticated' },
  ]);
  c.store.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: ADMIN_SA_NAME, namespace: ADMIN_SA_NAMESPACE } });
  binding(`${ADMIN_SA_NAME}-cluster-admin`, 'cluster-admin', [{ kind: 'ServiceAccount', name: ADMIN_SA_NAME, namespace: ADMIN_SA_NAMESPACE }]);
}

export class TokenAuthority {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly c: Cluster;
  constructor(c: Cluster) {
    this.c = c;
  }

  /** Registers the kubeconfig's token as the admin ServiceAccount's (seedRbac must have run). */
  registerAdmin(token: string): void {
    const sa = this.c.store.get('serviceaccounts', ADMIN_SA_NAMESPACE, ADMIN_SA_NAME);
    if (!sa) throw new Error('admin ServiceAccount missing: seedRbac first');
    this.tokens.set(token, { namespace: ADMIN_SA_NAMESPACE, name: ADMIN_SA_NAME, saUid: sa.metadata.uid });
  }

  /** TokenRequest: a token bound to the ServiceAccount (and its uid), valid for expirationSeconds. */
  issue(sa: Obj, expirationSeconds: number): { token: string; expirationTimestamp: string } {
    const token = `sim.${randomBytes(32).toString('base64url')}`;
    const expiresAt = Date.now() + expirationSeconds * 1000;
    this.tokens.set(token, { namespace: sa.metadata.namespace, name: sa.metadata.name, saUid: sa.metadata.uid, expiresAt });
    return { token, expirationTimestamp: nowIso(expiresAt) };
  }

  /** Legacy Secret token (type kubernetes.io/service-account-token). */
  issueForSecret(sa: Obj, secretName: string): string {
    const token = `sim.${randomBytes(32).toString('base64url')}`;
    this.tokens.set(token, { namespace: sa.metadata.namespace, name: sa.metadata.name, saUid: sa.metadata.uid, secret: secretName });
    return token;
  }

  /** The user a bearer token authenticates as, or undefined (401). */
  authenticate(header: string | undefined): UserInfo | undefined {
    const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
    if (!m) return undefined;
    const presented = m[1].trim();
    let found: IssuedToken | undefined;
    const p = Buffer.from(presented);
    for (const [t, info] of this.tokens) {
      const b = Buffer.from(t);
      if (b.length === p.length && timingSafeEqual(b, p)) found = info;
    }
    if (!found) return undefined;
    if (found.expiresAt !== undefined && Date.now() > found.expiresAt) return undefined;
    const sa = this.c.store.get('serviceaccounts', found.namespace, found.name);
    if (!sa || sa.metadata.uid !== found.saUid) return undefined; // bound token: dies with its ServiceAccount
    if (found.secret) {
      const s = this.c.store.get('secrets', found.namespace, found.secret);
      if (!s || Buffer.from(String(s.data?.token ?? ''), 'base64').toString() !== presented) return undefined;
    }
    return {
      username: saUsername(found.namespace, found.name),
      uid: found.saUid,
      groups: serviceAccountGroups(found.namespace),
      serviceAccount: { namespace: found.namespace, name: found.name },
    };
  }
}

/** Legacy token controller: fills service-account-token Secrets; also keeps a `default` ServiceAccount in every namespace. */
export function runTokenController(c: Cluster, tokens: TokenAuthority | undefined): void {
  for (const ns of c.store.list('namespaces')) {
    if (ns.status?.phase === 'Terminating') continue;
    if (!c.store.has('serviceaccounts', ns.metadata.name, 'default')) {
      c.store.create('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns.metadata.name } });
    }
  }
  if (!tokens) return;
  for (const s of c.store.list('secrets')) {
    if (s.type !== 'kubernetes.io/service-account-token' || s.data?.token) continue;
    const saName = s.metadata.annotations?.['kubernetes.io/service-account.name'];
    const sa = saName ? c.store.get('serviceaccounts', s.metadata.namespace, saName) : undefined;
    if (!sa) continue; // the real controller waits for the ServiceAccount too
    const ca = c.store.get('configmaps', s.metadata.namespace, 'kube-root-ca.crt')?.data?.['ca.crt'] ?? '';
    const token = tokens.issueForSecret(sa, s.metadata.name);
    s.metadata.annotations = { ...s.metadata.annotations, 'kubernetes.io/service-account.uid': sa.metadata.uid };
    s.data = {
      ...(s.data ?? {}),
      token: Buffer.from(token).toString('base64'),
      'ca.crt': Buffer.from(ca).toString('base64'),
      namespace: Buffer.from(s.metadata.namespace).toString('base64'),
    };
    c.store.update('secrets', s);
  }
}

// ---- the authorizer ----

const has = (list: string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

function nonResourceMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceMatches(rule, a.path ?? '');
  if (!rule.resources?.length) return false;
  if (!has(rule.apiGroups, a.apiGroup ?? '')) return false;
  if (!resourceMatches(rule, a.resource ?? '', a.subresource)) return false;
  if (rule.resourceNames?.length) return !!a.name && rule.resourceNames.includes(a.name);
  return true;
}

function subjectMatches(subject: Obj, user: UserInfo, bindingNamespace: string | undefined): boolean {
  switch (subject?.kind) {
    case 'ServiceAccount': {
      const ns = subject.namespace ?? bindingNamespace;
      return user.username === saUsername(ns, subject.name);
    }
    case 'User':
      return user.username === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    default:
      return false;
  }
}

/** Rules that apply to the user in a namespace (cluster-wide ones always; a RoleBinding's only in its namespace). */
export function rulesFor(c: Cluster, user: UserInfo, namespace: string | undefined): PolicyRule[] {
  const out: PolicyRule[] = [];
  const roleRules = (ref: Obj, ns: string | undefined): PolicyRule[] => {
    if (ref?.kind === 'ClusterRole') return c.store.get('clusterroles', undefined, ref.name)?.rules ?? [];
    if (ref?.kind === 'Role' && ns) return c.store.get('roles', ns, ref.name)?.rules ?? [];
    return [];
  };
  for (const b of c.store.list('clusterrolebindings')) {
    if ((b.subjects ?? []).some((s: Obj) => subjectMatches(s, user, undefined))) out.push(...roleRules(b.roleRef, undefined));
  }
  if (namespace) {
    for (const b of c.store.list('rolebindings', namespace)) {
      if ((b.subjects ?? []).some((s: Obj) => subjectMatches(s, user, namespace))) out.push(...roleRules(b.roleRef, namespace));
    }
  }
  return out;
}

export function authorize(c: Cluster, user: UserInfo, a: Attributes): boolean {
  return rulesFor(c, user, a.namespace).some((r) => ruleAllows(r, a));
}

/** The message the real API server puts in a 403 Status. */
export function forbiddenMessage(user: UserInfo, a: Attributes): string {
  if (!a.resourceRequest) return `forbidden: User "${user.username}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${subject} is forbidden: User "${user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup ?? ''}" ${scope}`;
}

/** SelfSubjectAccessReview status for spec.resourceAttributes / spec.nonResourceAttributes. */
export function accessReview(c: Cluster, user: UserInfo, spec: Obj): { allowed: boolean; reason?: string } {
  let a: Attributes;
  if (spec?.nonResourceAttributes) {
    a = { verb: String(spec.nonResourceAttributes.verb ?? ''), resourceRequest: false, path: String(spec.nonResourceAttributes.path ?? '') };
  } else {
    const r = spec?.resourceAttributes ?? {};
    a = {
      verb: String(r.verb ?? ''),
      resourceRequest: true,
      apiGroup: String(r.group ?? ''),
      resource: String(r.resource ?? ''),
      subresource: r.subresource ? String(r.subresource) : undefined,
      name: r.name ? String(r.name) : undefined,
      namespace: r.namespace ? String(r.namespace) : undefined,
    };
  }
  if (!a.verb) return { allowed: false, reason: 'no verb' };
  const allowed = authorize(c, user, a);
  return allowed ? { allowed: true, reason: 'RBAC: allowed by a binding' } : { allowed: false };
}

/** SelfSubjectRulesReview status: every rule that applies in spec.namespace, split as the real API server does. */
export function rulesReview(c: Cluster, user: UserInfo, namespace: string): Obj {
  const resourceRules: Obj[] = [];
  const nonResourceRules: Obj[] = [];
  for (const r of rulesFor(c, user, namespace || undefined)) {
    if (r.resources?.length) {
      resourceRules.push({
        verbs: r.verbs,
        apiGroups: r.apiGroups ?? [],
        resources: r.resources,
        ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
      });
    }
    if (r.nonResourceURLs?.length) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
  }
  return { resourceRules, nonResourceRules, incomplete: false };
}

/** 422 causes for RBAC objects (roleRef and subjects), as the API server validates them. */
export function validateRbac(kind: string, obj: Obj, old?: Obj): { reason: string; message: string; field: string }[] {
  const causes: { reason: string; message: string; field: string }[] = [];
  if (kind === 'ClusterRole' || kind === 'Role') {
    (obj.rules ?? []).forEach((r: Obj, i: number) => {
      if (!Array.isArray(r?.verbs) || !r.verbs.length)
        causes.push({ reason: 'FieldValueRequired', message: 'Required value: verbs must contain at least one value', field: `rules[${i}].verbs` });
      if (r?.nonResourceURLs?.length && kind === 'Role')
        causes.push({
          reason: 'FieldValueInvalid',
          message: 'Invalid value: namespaced rules cannot apply to non-resource URLs',
          field: `rules[${i}].nonResourceURLs`,
        });
      if (!r?.nonResourceURLs?.length && !Array.isArray(r?.apiGroups))
        causes.push({
          reason: 'FieldValueRequired',
          message: 'Required value: resource rules must supply at least one api group',
          field: `rules[${i}].apiGroups`,
        });
    });
  }
  if (kind === 'ClusterRoleBinding' || kind === 'RoleBinding') {
    const ref = obj.roleRef;
    if (!ref?.name) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'roleRef.name' });
    const kinds = kind === 'ClusterRoleBinding' ? ['ClusterRole'] : ['ClusterRole', 'Role'];
    if (!kinds.includes(ref?.kind))
      causes.push({
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: "${ref?.kind ?? ''}": supported values: ${kinds.map((k) => `"${k}"`).join(', ')}`,
        field: 'roleRef.kind',
      });
    if (old && JSON.stringify(old.roleRef) !== JSON.stringify(ref))
      causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: cannot change roleRef', field: 'roleRef' });
    (obj.subjects ?? []).forEach((s: Obj, i: number) => {
      if (!['ServiceAccount', 'User', 'Group'].includes(s?.kind))
        causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: "${s?.kind ?? ''}"`, field: `subjects[${i}].kind` });
      if (!s?.name) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `subjects[${i}].name` });
      if (s?.kind === 'ServiceAccount' && kind === 'ClusterRoleBinding' && !s.namespace)
        causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `subjects[${i}].namespace` });
    });
  }
  return causes;
}

// ---- escalation prevention ----

/** The parts of `rules` the user does not hold (in `namespace`, or cluster-wide), one entry per uncovered combination. */
export function notHeld(c: Cluster, user: UserInfo, rules: PolicyRule[], namespace: string | undefined): string[] {
  const held = rulesFor(c, user, namespace);
  const covered = (a: Attributes): boolean => held.some((r) => ruleAllows(r, a));
  const missing: string[] = [];
  for (const rule of rules ?? []) {
    for (const verb of rule.verbs ?? []) {
      for (const path of rule.nonResourceURLs ?? []) {
        if (!covered({ verb, resourceRequest: false, path })) missing.push(`{NonResourceURLs:["${path}"], Verbs:["${verb}"]}`);
      }
      for (const apiGroup of rule.apiGroups ?? []) {
        for (const res of rule.resources ?? []) {
          const [resource, subresource] = res.split('/', 2);
          for (const name of rule.resourceNames?.length ? rule.resourceNames : [undefined]) {
            if (!covered({ verb, resourceRequest: true, apiGroup, resource, subresource, name, namespace })) {
              missing.push(`{APIGroups:["${apiGroup}"], Resources:["${res}"],${name ? ` ResourceNames:["${name}"],` : ''} Verbs:["${verb}"]}`);
            }
          }
        }
      }
    }
  }
  return [...new Set(missing)];
}

/**
 * The API server's escalation check on RBAC writes: a Role/ClusterRole may only grant what its author holds (or the
 * author has `escalate`), a binding may only bind a role whose permissions its author holds (or has `bind` on it).
 * Returns the Forbidden message, or undefined when the write is allowed.
 */
export function escalationProblem(c: Cluster, user: UserInfo, kind: string, obj: Obj, namespace: string | undefined): string | undefined {
  const group = 'rbac.authorization.k8s.io';
  const who = `user "${user.username}" (groups=[${user.groups.map((g) => `"${g}"`).join(' ')}])`;
  const qualified = `${kind.toLowerCase()}s.${group} "${obj.metadata?.name ?? ''}"`;
  if (kind === 'Role' || kind === 'ClusterRole') {
    const resource = kind === 'Role' ? 'roles' : 'clusterroles';
    if (authorize(c, user, { verb: 'escalate', resourceRequest: true, apiGroup: group, resource, name: obj.metadata?.name, namespace })) return undefined;
    const missing = notHeld(c, user, obj.rules ?? [], kind === 'Role' ? namespace : undefined);
    return missing.length ? `${qualified} is forbidden: ${who} is attempting to grant RBAC permissions not currently held:\n${missing.join('\n')}` : undefined;
  }
  if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') {
    const ref = obj.roleRef ?? {};
    const resource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
    if (
      authorize(c, user, {
        verb: 'bind',
        resourceRequest: true,
        apiGroup: group,
        resource,
        name: ref.name,
        namespace: ref.kind === 'Role' ? namespace : kind === 'RoleBinding' ? namespace : undefined,
      })
    )
      return undefined;
    const role = ref.kind === 'Role' ? c.store.get('roles', namespace, ref.name) : c.store.get('clusterroles', undefined, ref.name);
    const missing = notHeld(c, user, role?.rules ?? [], kind === 'RoleBinding' ? namespace : undefined);
    return missing.length ? `${qualified} is forbidden: ${who} is attempting to grant RBAC permissions not currently held:\n${missing.join('\n')}` : undefined;
  }
  return undefined;
}
