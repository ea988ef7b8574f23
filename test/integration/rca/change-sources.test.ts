/**
 * Config map changes against the simulator through the real client: the metadata-only list never carries the data,
 * and a config map recreated a moment ago is a `config` change of the shop deployments that reference it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesGateway } from '../../../functions/adapters/kube/kube-gateway.ts';
import { parseAndValidateKubeconfig } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import { configChanges } from '../../../functions/core/rca/changes.ts';
import type { KubeClusterClient } from '../../../functions/ports.ts';
import { startSimulator, type RunningSimulator } from '../../../sim/index.ts';
import { kreq } from '../sim/helpers.ts';

let sim: RunningSimulator;
let client: KubeClusterClient;

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['changes'], tickMs: 300 });
  const creds = parseAndValidateKubeconfig(sim.clusters[0].kubeconfigYaml, { allowLoopback: true });
  client = await new KubernetesGateway({ allowLoopback: true }).client({ clusterId: 'changes', credentialsVersion: '1', creds });
});

afterAll(async () => {
  await sim?.stop();
});

describe('config map changes on the simulator (issue 21)', () => {
  it('lists config maps without their data and attributes a fresh one to the deployments that use it', async () => {
    const info = sim.clusters[0];
    expect((await kreq(info, 'DELETE', '/api/v1/namespaces/shop/configmaps/shop-settings')).status).toBe(200);
    const created = await kreq(info, 'POST', '/api/v1/namespaces/shop/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-settings' }, data: { LOG_LEVEL: 'debug', CURRENCY: 'EUR' } });
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
