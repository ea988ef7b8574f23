/**
 * Change sources against the simulator through the real client (and DynamoDB Local for fleetops' release history):
 * the metadata-only config map list never carries the data, a config map recreated a moment ago is a `config` change
 * of the shop deployments that reference it, and a fleetops deploy of a release is a `deploy` change of its deployments.
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

    const target: RcaTarget = {
      rcaId: 'r',
      clusterId: 'c-changes',
      cluster: 'changes',
      namespace: 'shop',
      service: 'frontend',
      severity: 'critical',
      at: iso(0),
    };
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
    const target: RcaTarget = {
      rcaId: 'r',
      clusterId: 'c-changes',
      cluster: 'changes',
      namespace: 'shop',
      service: 'payment-service',
      severity: 'critical',
      at: new Date().toISOString(),
    };
    const scales = (await collectChanges(client, undefined, 'c-changes', target, 100)).filter((c) => c.kind === 'scale');
    expect(scales.map((c) => [c.node, c.detail])).toContainEqual(['payment-service', 'HPA payment-service created (min 1, max 2)']);
  });
});
