/**
 * Change sources against the simulator through the real client (and DynamoDB Local for fleetops' release history):
 * the metadata-only config map list never carries the data, a config map recreated a moment ago is a `config` change
 * of the shop deployments that reference it, and a fleetops deploy of a release is a `deploy` change of its deployments.
 * Secrets are read with the token of the RBAC manifest fleetops serves (opted in for `shop` only) and never carry a
 * value; Argo CD syncs come from a local HTTPS server speaking Argo CD's API (test/support/fake-argocd.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoDeploymentStore } from '../../../functions/adapters/aws/dynamodb/deployment-store.ts';
import { collectChanges } from '../../../functions/adapters/rca/change-evidence.ts';
import type { DeploymentRecord } from '../../../functions/core/deploy/types.ts';
import type { RcaTarget } from '../../../functions/core/rca/evidence.ts';
import { startTestTable } from '../../support/dynamodb.ts';
import { KubernetesGateway } from '../../../functions/adapters/kube/kube-gateway.ts';
import { parseAndValidateKubeconfig } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import { configChanges } from '../../../functions/core/rca/changes.ts';
import type { KubeClusterClient } from '../../../functions/ports.ts';
import { startSimulator, type RunningSimulator } from '../../../sim/index.ts';
import { kreq } from '../sim/helpers.ts';
import { kubeconfigWithToken } from '../sim/layer.ts';
import { ArgoCdClient } from '../../../functions/adapters/argocd/argocd-client.ts';
import { rbacManifestDocuments } from '../../../functions/core/clusters/rbac-manifest.ts';
import { startFakeArgoCd } from '../../support/fake-argocd.ts';

let sim: RunningSimulator;
let client: KubeClusterClient;
let db: Awaited<ReturnType<typeof startTestTable>>;
let store: DynamoDeploymentStore;

beforeAll(async () => {
  db = await startTestTable();
  store = new DynamoDeploymentStore(createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), db.tableName);
  sim = await startSimulator({ clusters: ['changes'], tickMs: 300 });
  const creds = parseAndValidateKubeconfig(sim.clusters[0].kubeconfigYaml, { allowLoopback: true });
  client = await new KubernetesGateway({ allowLoopback: true }).client({ clusterId: 'changes', credentialsVersion: '1', creds });
});

afterAll(async () => {
  await sim?.stop();
  await db?.stop();
});

/** An RCA of `service` in shop on the simulated cluster `changes`, its symptoms first seen at `at` (now unless told). */
function rcaOf(service: string, at = new Date().toISOString()): RcaTarget {
  return { rcaId: 'r', clusterId: 'c-changes', cluster: 'changes', namespace: 'shop', service, severity: 'critical', at };
}

describe('config map changes on the simulator (issue 21)', () => {
  it('lists config maps without their data and attributes a fresh one to the deployments that use it', async () => {
    const info = sim.clusters[0];
    expect((await kreq(info, 'DELETE', '/api/v1/namespaces/shop/configmaps/shop-settings')).status).toBe(200);
    const created = await kreq(info, 'POST', '/api/v1/namespaces/shop/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shop-settings' },
      data: { LOG_LEVEL: 'debug', CURRENCY: 'EUR' },
    });
    expect(created.status, created.text).toBe(201);

    const metas = await client.listConfigMapMetadata('shop', 100);
    expect(metas.map((m) => m.name)).toContain('shop-settings');
    expect(JSON.stringify(metas)).not.toContain('EUR');
    for (const m of metas) expect(Object.keys(m)).not.toContain('data');

    const deployments = await client.listDeployments('shop', 100);
    const changes = configChanges(metas, deployments, new Date());
    const nodes = changes.filter((c) => c.detail === 'config map shop-settings created').map((c) => c.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes).toEqual(expect.arrayContaining(['frontend']));
    expect(changes.every((c) => c.kind === 'config')).toBe(true);
  });
});

describe('fleetops deploys on the simulator (issue 21)', () => {
  it('a deploy of the release that owns frontend is a deploy change of frontend at its applied time; the rollback is one too', async () => {
    const info = sim.clusters[0];
    const patched = await kreq(
      info,
      'PATCH',
      '/apis/apps/v1/namespaces/shop/deployments/frontend',
      { metadata: { annotations: { 'meta.helm.sh/release-name': 'storefront' } } },
      { contentType: 'application/merge-patch+json' },
    );
    expect(patched.status, patched.text).toBe(200);
    const now = Date.now();
    const iso = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const record = {
      id: 'dep-change-1',
      trigger: 'ecr:storefront:2.0',
      release: 'storefront',
      namespace: 'shop',
      chart: { path: '/charts/web' },
      valuesHash: 'h',
      waves: [{ name: 'dev', selector: {} }],
      strategy: { rolloutTimeoutSeconds: 60, verifySeconds: 0, maxConcurrency: 1 },
      status: 'FAILED',
      createdAt: iso(12),
      updatedAt: iso(5),
    } as unknown as DeploymentRecord;
    expect(await store.create(record)).toBe(true);
    await store.savePlan(record.id, [{ index: 0, name: 'dev', status: 'RUNNING', clusters: [{ clusterId: 'c-changes', cluster: 'changes' }] }]);
    await store.setClusterStatus(record.id, 0, 'c-changes', { status: 'FAILED', revision: 4, appliedAt: iso(10), updatedAt: iso(6) });
    const entry = {
      clusterId: 'c-changes',
      namespace: 'shop',
      release: 'storefront',
      deploymentId: record.id,
      revision: 4,
      valuesHash: 'h',
      chart: 'web',
      trigger: record.trigger,
    };
    await store.appendHistory({ ...entry, outcome: 'FAILED', at: iso(6) });
    await store.appendHistory({ ...entry, outcome: 'ROLLED_BACK', at: iso(5) });

    const target = rcaOf('frontend', iso(0));
    const changes = await collectChanges(client, store, 'c-changes', target, 100);
    const deploys = changes.filter((c) => c.kind === 'deploy');
    expect(deploys.map((c) => [c.node, c.at])).toEqual([
      ['frontend', Math.floor(Date.parse(iso(10)) / 1000)],
      ['frontend', Math.floor(Date.parse(iso(5)) / 1000)],
    ]);
    expect(deploys[0].detail).toContain('release storefront revision 4 (trigger ecr:storefront:2.0; FAILED, ROLLED_BACK)');
    // another cluster's history of the same release is not this one's
    expect(await collectChanges(client, store, 'c-other', { ...target, clusterId: 'c-other' }, 100).then((c) => c.filter((x) => x.kind === 'deploy'))).toEqual(
      [],
    );
  });
});

describe('HPA changes on the simulator (issue 21)', () => {
  it('an HPA created a moment ago is a scale change of the deployment it scales', async () => {
    const info = sim.clusters[0];
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'payment-service' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'payment-service' },
        minReplicas: 1,
        maxReplicas: 2,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
    };
    const created = await kreq(info, 'POST', '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers', hpa);
    expect(created.status, created.text).toBe(201);
    const target = rcaOf('payment-service');
    const scales = (await collectChanges(client, undefined, 'c-changes', target, 100)).filter((c) => c.kind === 'scale');
    expect(scales.map((c) => [c.node, c.detail])).toContainEqual(['payment-service', 'HPA payment-service created (min 1, max 2)']);
  });
});

/** Where the admin API puts each kind of the RBAC manifest. */
function pathOf(doc: Record<string, any>): string {
  const ns = doc.metadata.namespace;
  const rbac = '/apis/rbac.authorization.k8s.io/v1';
  switch (doc.kind) {
    case 'Namespace':
      return '/api/v1/namespaces';
    case 'ServiceAccount':
      return `/api/v1/namespaces/${ns}/serviceaccounts`;
    case 'Secret':
      return `/api/v1/namespaces/${ns}/secrets`;
    case 'ClusterRole':
      return `${rbac}/clusterroles`;
    case 'ClusterRoleBinding':
      return `${rbac}/clusterrolebindings`;
    case 'Role':
      return `${rbac}/namespaces/${ns}/roles`;
    case 'RoleBinding':
      return `${rbac}/namespaces/${ns}/rolebindings`;
    default:
      throw new Error(`unexpected kind ${doc.kind}`);
  }
}

const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

describe('secret changes on the simulator, with the RBAC fleetops serves (issue 21)', () => {
  const value = 'pg-p4ssw0rd-never-leaves';
  const b64 = Buffer.from(value).toString('base64');

  it('lists secrets as metadata only with the opted-in Role, and a secret created a moment ago is a change of the deployment that uses it', async () => {
    const info = sim.clusters[0];
    // What a user does: apply the manifest (secret changes opted in for shop only) and mint the ServiceAccount's token.
    for (const doc of rbacManifestDocuments({ secretChangeNamespaces: ['shop'] })) {
      const r = await kreq(info, 'POST', pathOf(doc), doc);
      expect(r.status, `${doc.kind} ${r.text}`).toBe(201);
    }
    const tr = await kreq(info, 'POST', '/api/v1/namespaces/fleetops/serviceaccounts/fleetops/token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 3600 },
    });
    expect(tr.status, tr.text).toBe(201);
    const token = tr.body.status.token as string;
    const fleetops = await new KubernetesGateway({ allowLoopback: true }).client({
      clusterId: 'changes-sa',
      credentialsVersion: '1',
      creds: parseAndValidateKubeconfig(kubeconfigWithToken(info.server, info.caData, token, 'fleetops'), { allowLoopback: true }),
    });

    // A secret applied the way kubectl apply does it (its values in last-applied-configuration too), used by user-service.
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'user-db',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ kind: 'Secret', data: { PASSWORD: b64 } }) },
      },
      type: 'Opaque',
      data: { PASSWORD: b64 },
    };
    expect((await kreq(info, 'POST', '/api/v1/namespaces/shop/secrets', secret)).status).toBe(201);
    const patched = await kreq(
      info,
      'PATCH',
      '/apis/apps/v1/namespaces/shop/deployments/user-service',
      { spec: { template: { spec: { containers: [{ name: 'user-service', envFrom: [{ secretRef: { name: 'user-db' } }] }] } } } },
      { contentType: 'application/strategic-merge-patch+json' },
    );
    expect(patched.status, patched.text).toBe(200);

    // On the wire: the simulator answers the metadata-only Accept as a real API server does, without the data.
    const wire = await kreq(info, 'GET', '/api/v1/namespaces/shop/secrets', undefined, { token, accept: METADATA_ONLY });
    expect(wire.status, wire.text).toBe(200);
    expect(wire.body.kind).toBe('PartialObjectMetadataList');
    expect(wire.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toContain('user-db');
    expect(wire.body.items.every((i: Record<string, unknown>) => i.kind === 'PartialObjectMetadata' && !('data' in i))).toBe(true);
    // A get negotiates PartialObjectMetadata the same way; a list-only media type falls through to the next one.
    const one = await kreq(info, 'GET', '/api/v1/namespaces/shop/secrets/user-db', undefined, {
      accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json',
    });
    expect([one.body.kind, one.body.metadata.name, 'data' in one.body]).toEqual(['PartialObjectMetadata', 'user-db', false]);
    expect((await kreq(info, 'GET', '/api/v1/namespaces/shop/secrets/user-db', undefined, { accept: METADATA_ONLY })).body.kind).toBe('Secret');
    // Metadata alone still holds the value (kubectl's annotation), so the adapter keeps less than that.
    expect(wire.text).toContain('last-applied-configuration');
    // The Role grants list, nothing else; other namespaces are not granted at all.
    expect((await kreq(info, 'GET', '/api/v1/namespaces/shop/secrets/user-db', undefined, { token })).status).toBe(403);
    await expect(fleetops.listSecretMetadata('default', 100)).rejects.toMatchObject({ code: 'CLUSTER_FORBIDDEN' });

    // Through the adapter: names and times only (the annotation holding the value is dropped as well).
    const metas = await fleetops.listSecretMetadata('shop', 100);
    expect(metas.map((m) => m.name)).toContain('user-db');
    expect(JSON.stringify(metas)).not.toContain(b64);
    expect(JSON.stringify(metas)).not.toContain('last-applied-configuration');

    const target = rcaOf('user-service');
    const changes = await collectChanges(fleetops, undefined, 'c-changes', target, 100);
    expect(changes.filter((c) => c.kind === 'secret').map((c) => [c.node, c.detail])).toEqual([['user-service', 'secret user-db created']]);
    expect(JSON.stringify(changes)).not.toContain(b64);
    expect(JSON.stringify(changes)).not.toContain(value);

    // Without the opt-in (a namespace with no Role) the secret source fails alone: the other sources still answer.
    const elsewhere = await collectChanges(fleetops, undefined, 'c-changes', { ...target, namespace: 'default' }, 100);
    expect(elsewhere.filter((c) => c.kind === 'secret')).toEqual([]);
    expect((await collectChanges(fleetops, undefined, 'c-changes', target, 100)).some((c) => c.kind === 'rollout' && c.node === 'user-service')).toBe(true);
  });
});

describe('Argo CD syncs (issue 21)', () => {
  it('a recent sync of the Application that verifiably manages a deployment is a sync change of it; a label alone proves nothing', async () => {
    const info = sim.clusters[0];
    const deployedAt = new Date(Date.now() - 4 * 60_000).toISOString();
    const argo = await startFakeArgoCd({
      apps: [
        {
          key: 'shop-web',
          history: [
            { id: 1, revision: 'a1a1a1', deployedAt: new Date(Date.now() - 3 * 86400_000).toISOString() },
            { id: 2, revision: 'b2b2b2', deployedAt },
          ],
          resources: [{ group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'frontend' }],
          destination: { server: info.server, namespace: 'shop' },
        },
        {
          // An Application deploying to another cluster: order-service's label naming it must not count.
          key: 'team-b/orders',
          history: [{ id: 9, revision: 'c3c3c3', deployedAt }],
          resources: [{ group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'order-service' }],
          destination: { server: 'https://elsewhere.example.com:6443', namespace: 'shop' },
        },
      ],
    });
    try {
      const label = async (deployment: string, app: string) => {
        const r = await kreq(
          info,
          'PATCH',
          `/apis/apps/v1/namespaces/shop/deployments/${deployment}`,
          { metadata: { labels: { 'argocd.argoproj.io/instance': app } } },
          { contentType: 'application/merge-patch+json' },
        );
        expect(r.status, r.text).toBe(200);
      };
      await label('frontend', 'shop-web');
      await label('payment-service', 'shop-web'); // claims shop-web, which does not list it
      await label('order-service', 'team-b_orders');
      const argocd = new ArgoCdClient({
        baseUrl: argo.url,
        token: () => argo.token,
        caPem: argo.caPem,
        policy: { allowLoopback: true, timeoutMs: 5000 },
        clusters: ['changes'],
      });
      const target = rcaOf('frontend');
      const changes = await collectChanges(client, undefined, 'c-changes', target, 100, { argo: { argocd, server: info.server } });
      expect(changes.filter((c) => c.kind === 'sync')).toEqual([
        {
          node: 'frontend',
          at: Math.floor(Date.parse(deployedAt) / 1000),
          kind: 'sync',
          detail: 'Argo CD application shop-web synced revision b2b2b2 (history id 2; before: a1a1a1)',
        },
      ]);
      // Each claimed Application read once, with GETs only: the RCA never syncs or rolls back.
      expect(argo.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
        'GET /api/v1/applications/orders?appNamespace=team-b',
        'GET /api/v1/applications/shop-web',
      ]);

      // An instance that does not cover this cluster is not asked; one that is down leaves the other sources standing.
      argo.requests.length = 0;
      const other = new ArgoCdClient({ baseUrl: argo.url, token: () => argo.token, caPem: argo.caPem, policy: { allowLoopback: true }, clusters: ['prod'] });
      const none = await collectChanges(client, undefined, 'c-changes', target, 100, { argo: { argocd: other, server: info.server } });
      expect(none.filter((c) => c.kind === 'sync')).toEqual([]);
      expect(argo.requests).toEqual([]);
      argo.hang = true;
      const slow = new ArgoCdClient({ baseUrl: argo.url, token: () => argo.token, caPem: argo.caPem, policy: { allowLoopback: true, timeoutMs: 1000 } });
      const down = await collectChanges(client, undefined, 'c-changes', target, 100, { argo: { argocd: slow, server: info.server } });
      expect(down.filter((c) => c.kind === 'sync')).toEqual([]);
      expect(down.some((c) => c.kind === 'config')).toBe(true);
    } finally {
      await argo.close();
    }
  });
});
