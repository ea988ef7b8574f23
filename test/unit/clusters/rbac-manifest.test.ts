import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { rbacManifest } from '../../../functions/core/clusters/rbac-manifest.ts';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

function docs(options: Parameters<typeof rbacManifest>[0] = {}): Array<Record<string, any>> {
  const parsed = parseAllDocuments(rbacManifest(options));
  if (!Array.isArray(parsed)) throw new Error('no documents');
  for (const d of parsed) expect(d.errors).toEqual([]);
  return parsed.map((d) => d.toJS());
}

/** "group/resource" → sorted verbs. */
function permissions(rules: Rule[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const r of rules) for (const g of r.apiGroups) for (const res of r.resources) for (const v of r.verbs) (out[`${g}/${res}`] ??= new Set()).add(v);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

describe('rbacManifest', () => {
  it('parses into the expected objects', () => {
    const kinds = docs().map((d) => `${d.kind}/${d.metadata.name}`);
    expect(kinds).toEqual([
      'Namespace/fleetops',
      'ServiceAccount/fleetops',
      'ClusterRole/fleetops-operator',
      'ClusterRoleBinding/fleetops-operator',
      'ClusterRole/fleetops-healer',
      'ClusterRoleBinding/fleetops-healer',
      'Secret/fleetops-token',
    ]);
    const sa = docs().find((d) => d.kind === 'ServiceAccount')!;
    expect(sa.metadata.namespace).toBe('fleetops');
    const binding = docs().find((d) => d.kind === 'ClusterRoleBinding')!;
    expect(docs({ access: 'heal' })).toEqual(docs());
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'fleetops-operator' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'fleetops', namespace: 'fleetops' }]);
    const secret = docs().find((d) => d.kind === 'Secret')!;
    expect(secret.type).toBe('kubernetes.io/service-account-token');
    expect(secret.metadata.annotations['kubernetes.io/service-account.name']).toBe('fleetops');
  });

  it('grants exactly the needed verbs (heal: reads plus healing writes)', () => {
    const rules = docs()
      .filter((d) => d.kind === 'ClusterRole')
      .flatMap((d) => d.rules);
    const read = ['get', 'list', 'watch'];
    expect(permissions(rules)).toEqual({
      '/pods': ['delete', 'get', 'list', 'watch'],
      '/pods/log': ['get'],
      'monitoring.coreos.com/servicemonitors': ['list'],
      '/nodes': read,
      '/namespaces': read,
      '/events': read,
      '/services': read,
      '/endpoints': read,
      '/configmaps': ['get', 'list'],
      'events.k8s.io/events': read,
      'apps/deployments': ['get', 'list', 'update', 'watch'],
      'apps/deployments/scale': ['update'],
      'autoscaling/horizontalpodautoscalers': ['list', 'patch'],
      'apps/replicasets': read,
      'apps/statefulsets': read,
      'metrics.k8s.io/pods': ['get', 'list'],
      'metrics.k8s.io/nodes': ['get', 'list'],
    });
  });

  it('deploy namespaces get a Role and RoleBinding each, scoped to that namespace, with helm storage and the golden chart kinds', () => {
    const all = parseAllDocuments(rbacManifest({ deployNamespaces: ['web', 'staging', 'web'] })).map((d) => d.toJS());
    const roles = all.filter((d) => d.kind === 'Role');
    expect(roles.map((r) => r.metadata.namespace)).toEqual(['web', 'staging']);
    const bindings = all.filter((d) => d.kind === 'RoleBinding');
    expect(bindings.map((b) => [b.metadata.namespace, b.roleRef.kind, b.subjects[0].name, b.subjects[0].namespace])).toEqual([
      ['web', 'Role', 'fleetops', 'fleetops'],
      ['staging', 'Role', 'fleetops', 'fleetops'],
    ]);
    const perms = permissions(roles[0].rules);
    expect(perms['/secrets']).toEqual(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
    expect(perms['apps/deployments']).toContain('create');
    expect(perms['/namespaces']).toEqual(['get', 'patch']);
    expect(JSON.stringify(roles[0].rules)).not.toContain('*');
    expect(Object.keys(perms).some((k) => /roles|bindings|pods\/exec/.test(k))).toBe(false);
    expect(() => rbacManifest({ deployNamespaces: ['Bad_NS'] })).toThrow(/DNS-1123/);
    // None by default: deploying is opt-in per namespace.
    expect(docs().some((d) => d.kind === 'Role')).toBe(false);
  });

  it('secret change namespaces get a Role with list on secrets alone, each in its own namespace; none by default', () => {
    const all = parseAllDocuments(rbacManifest({ secretChangeNamespaces: ['shop', 'pay', 'shop'], deployNamespaces: ['web'] })).map((d) => d.toJS());
    const roles = all.filter((d) => d.kind === 'Role' && d.metadata.name === 'fleetops-secret-changes');
    expect(roles.map((r) => r.metadata.namespace)).toEqual(['shop', 'pay']);
    for (const r of roles) expect(permissions(r.rules)).toEqual({ '/secrets': ['list'] });
    const bindings = all.filter((d) => d.kind === 'RoleBinding' && d.metadata.name === 'fleetops-secret-changes');
    expect(bindings.map((b) => [b.metadata.namespace, b.roleRef.kind, b.roleRef.name, b.subjects[0].name, b.subjects[0].namespace])).toEqual([
      ['shop', 'Role', 'fleetops-secret-changes', 'fleetops', 'fleetops'],
      ['pay', 'Role', 'fleetops-secret-changes', 'fleetops', 'fleetops'],
    ]);
    // The deploy Role is unaffected, and the ClusterRole still grants no secrets.
    expect(all.filter((d) => d.kind === 'Role' && d.metadata.name === 'fleetops-deployer').map((r) => r.metadata.namespace)).toEqual(['web']);
    expect(JSON.stringify(all.filter((d) => d.kind === 'ClusterRole').map((d) => d.rules))).not.toContain('secrets');
    expect(docs().some((d) => JSON.stringify(d).includes('fleetops-secret-changes'))).toBe(false);
    expect(() => rbacManifest({ secretChangeNamespaces: ['shop', 'Bad_NS'] })).toThrow(/secret change namespace "Bad_NS" is not a DNS-1123 label/);
  });

  it('read: one ClusterRole without a single write; deploy: heal plus the deploy Roles; contradictions are refused', () => {
    const read = docs({ access: 'read' });
    expect(read.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Namespace/fleetops',
      'ServiceAccount/fleetops',
      'ClusterRole/fleetops-operator',
      'ClusterRoleBinding/fleetops-operator',
      'Secret/fleetops-token',
    ]);
    const verbs = new Set(read.flatMap((d) => (d.rules ?? []) as Rule[]).flatMap((r) => r.verbs));
    expect([...verbs].sort()).toEqual(['get', 'list', 'watch']);
    const perms = permissions(read.find((d) => d.kind === 'ClusterRole')!.rules);
    expect(perms['/pods/log']).toEqual(['get']);
    expect(perms['monitoring.coreos.com/servicemonitors']).toEqual(['list']);
    const deploy = docs({ access: 'deploy', deployNamespaces: ['web'] });
    expect(deploy.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      ...docs().map((d) => `${d.kind}/${d.metadata.name}`),
      'Role/fleetops-deployer',
      'RoleBinding/fleetops-deployer',
    ]);
    expect(docs({ deployNamespaces: ['web'] })).toEqual(deploy); // what the route served before the tiers
    expect(() => rbacManifest({ access: 'deploy' })).toThrow(/access=deploy needs the namespaces/);
    expect(() => rbacManifest({ access: 'read', deployNamespaces: ['web'] })).toThrow(/access=read does not/);
    expect(() => rbacManifest({ access: 'heal', deployNamespaces: ['web'] })).toThrow(/access=heal does not/);
  });

  it('has no wildcards, no secret access and no escalation verbs', () => {
    const rules = docs()
      .filter((d) => d.kind === 'ClusterRole')
      .flatMap((d) => d.rules as Rule[]);
    const text = JSON.stringify(rules);
    expect(text).not.toContain('*');
    for (const r of rules) {
      expect(r.resources).not.toContain('secrets');
      expect(r.resources.some((x) => /exec|attach|portforward|proxy|token|serviceaccounts|roles|bindings/.test(x))).toBe(false);
      expect(r.resources.filter((x) => x.includes('/'))).toEqual(r.resources.filter((x) => ['deployments/scale', 'pods/log'].includes(x)));
      expect(r.verbs.some((v) => ['create', 'escalate', 'bind', 'impersonate', 'deletecollection'].includes(v))).toBe(false);
      expect(Object.keys(r).sort()).toEqual(['apiGroups', 'resources', 'verbs']); // no resourceNames/nonResourceURLs surprises
    }
  });
});
