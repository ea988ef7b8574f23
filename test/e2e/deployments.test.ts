// Deployments end to end: the local stack, two simulated clusters, the real helm from the layer zip.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentIdFor } from '../../functions/core/deploy/identity.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { ensureHelmKubectl } from '../../local/layers/helm-kubectl.ts';
import { startSimulator, type RunningSimulator, type SimulatedClusterInfo } from '../../sim/index.ts';
import { kreq } from '../integration/sim/helpers.ts';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.ts';

const CHART = resolve(import.meta.dirname, '../fixtures/charts/hello');

let cloud: LocalCloud;
let sim: RunningSimulator;
const clusterIds: Record<string, string> = {};
const simCluster = (name: string): SimulatedClusterInfo => sim.clusters.find((c) => c.name === name)!;

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(cloud.url + path, {
    method,
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}

const executionOf = (id: string) => `arn:aws:states:local:000000000000:execution:fleetops-deploy:${id}`;

async function finished(id: string) {
  const execution = await cloud.workflows.wait(executionOf(id));
  expect(execution, `no execution for ${id}`).toBeDefined();
  const view = (await api('GET', `/v1/deployments/${id}`)).body;
  if (execution?.status !== 'SUCCEEDED') console.log(JSON.stringify({ execution: { status: execution?.status, error: execution?.error }, view }));
  return view;
}

async function deploymentImage(cluster: string, namespace: string, name: string): Promise<string | undefined> {
  const r = await kreq(simCluster(cluster), 'GET', `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`);
  return r.status === 200 ? r.body.spec.template.spec.containers[0].image : undefined;
}

const twoWaves = (release: string, values: Record<string, unknown>, strategy: Record<string, number> = {}) => ({
  release,
  namespace: 'apps',
  chart: { path: CHART },
  values,
  waves: [
    { name: 'dev', selector: { environment: 'dev' } },
    { name: 'prod', selector: { environment: 'prod', labels: { tier: 'production' } } },
  ],
  strategy: { rolloutTimeoutSeconds: 60, verifySeconds: 2, ...strategy },
});

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['dev', 'prod'], tickMs: 300 });
  cloud = await startLocalCloud({ port: 0, inMemory: true, schedules: false, dataDir: mkdtempSync(join(tmpdir(), 'fleetops-deploy-')) });
  for (const info of sim.clusters) {
    const labels = { tier: info.name === 'prod' ? 'production' : 'development' };
    const response = await api('POST', '/v1/clusters', { name: info.name, environment: info.name, labels, kubeconfig: await leastPrivilegeKubeconfig(info) });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    clusterIds[info.name] = response.body.id;
  }
  // The layer zip's helm, extracted once up front so the deploy timings below leave it out.
  ensureHelmKubectl(cloud.dataDir);
}, 240_000);

afterAll(async () => {
  await cloud?.stop();
  await sim?.stop();
});

describe('POST /v1/deployments', () => {
  let firstId: string;

  it('installs the release in dev, verifies it, then in prod', async () => {
    const started = performance.now();
    const response = await api('POST', '/v1/deployments', twoWaves('hello', { image: { tag: '1.1.0' } }));
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    firstId = response.body.id;
    const view = await finished(firstId);
    console.log(JSON.stringify({ measurement: 'two-wave deploy (dev → prod), local stack', ms: Math.round(performance.now() - started) }));

    expect(view.status, JSON.stringify(view)).toBe('SUCCEEDED');
    expect(view.waves.map((w: any) => [w.name, w.status])).toEqual([
      ['dev', 'SUCCEEDED'],
      ['prod', 'SUCCEEDED'],
    ]);
    expect(view.waves[0].clusters).toEqual([expect.objectContaining({ clusterId: clusterIds.dev, status: 'SUCCEEDED', revision: 1 })]);
    expect(view.waves[1].clusters).toEqual([expect.objectContaining({ clusterId: clusterIds.prod, status: 'SUCCEEDED', revision: 1 })]);
    for (const cluster of ['dev', 'prod']) expect(await deploymentImage(cluster, 'apps', 'hello')).toBe('registry.example.com/hello:1.1.0');
    // The revision applied to prod came after dev had been verified.
    expect(view.waves[1].clusters[0].status).toBe('SUCCEEDED');
    // helm stored its release in a Secret of the namespace, as in a real cluster.
    const secrets = await kreq(simCluster('dev'), 'GET', '/api/v1/namespaces/apps/secrets?labelSelector=owner%3Dhelm,name%3Dhello');
    expect(secrets.body.items.map((s: any) => s.metadata.name)).toEqual(['sh.helm.release.v1.hello.v1']);
  }, 240_000);

  it('answers a repeated request with the same id and does not deploy again', async () => {
    const again = await api('POST', '/v1/deployments', twoWaves('hello', { image: { tag: '1.1.0' } }));
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(firstId);
    const view = await finished(firstId);
    expect(view.waves[0].clusters[0].revision).toBe(1);
    const secrets = await kreq(simCluster('dev'), 'GET', '/api/v1/namespaces/apps/secrets?labelSelector=owner%3Dhelm,name%3Dhello');
    expect(secrets.body.items).toHaveLength(1);
  }, 120_000);

  it('rolls a failing wave back with helm rollback, never reaches prod, and opens an incident', async () => {
    const bad = await api('POST', '/v1/deployments', twoWaves('hello', { image: { tag: 'nonexistent' } }, { rolloutTimeoutSeconds: 40 }), {
      'idempotency-key': 'bad-image-1',
    });
    expect(bad.status).toBe(202);
    const view = await finished(bad.body.id);

    expect(view.status).toBe('FAILED');
    expect(view.waves[0]).toMatchObject({ name: 'dev', status: 'ROLLED_BACK' });
    expect(view.waves[0].clusters[0]).toMatchObject({ status: 'ROLLED_BACK', revision: 2 });
    expect(view.waves[0].clusters[0].message).toMatch(/ImagePullBackOff|timed out/);
    expect(view.waves[1]).toMatchObject({ name: 'prod', status: 'SKIPPED', clusters: [expect.objectContaining({ status: 'PENDING' })] });
    expect(view.waves[1].clusters[0].revision).toBeUndefined();
    // dev is back on the good image (helm rollback to revision 1 made revision 3); prod never saw the bad one.
    expect(await deploymentImage('dev', 'apps', 'hello')).toBe('registry.example.com/hello:1.1.0');
    expect(await deploymentImage('prod', 'apps', 'hello')).toBe('registry.example.com/hello:1.1.0');
    const secrets = await kreq(simCluster('dev'), 'GET', '/api/v1/namespaces/apps/secrets?labelSelector=owner%3Dhelm,name%3Dhello');
    expect(secrets.body.items).toHaveLength(3);

    await cloud.bus.drain();
    const incidents = (await api('GET', '/v1/incidents?status=open')).body.items;
    const incident = incidents.find((i: any) => i.type === 'DeploymentFailed' && i.service === 'hello');
    expect(incident, JSON.stringify(incidents)).toMatchObject({ cluster: 'dev', namespace: 'apps' });
  }, 240_000);

  it('refuses what could become a helm flag or reach a forbidden host, with a 400', async () => {
    const cases: [string, unknown][] = [
      ['release as a flag', { ...twoWaves('x', {}), release: '--post-renderer=/bin/sh' }],
      ['namespace as a flag', { ...twoWaves('x', {}), namespace: '-n' }],
      ['chart version as a flag', { ...twoWaves('x', {}), chart: { repoUrl: 'https://charts.example.com', name: 'x', version: '--devel' } }],
      ['chart name as a flag', { ...twoWaves('x', {}), chart: { repoUrl: 'https://charts.example.com', name: '-x', version: '1.0.0' } }],
      ['plain http repository', { ...twoWaves('x', {}), chart: { repoUrl: 'http://charts.example.com', name: 'x', version: '1.0.0' } }],
      ['metadata address', { ...twoWaves('x', {}), chart: { repoUrl: 'https://169.254.169.254/charts', name: 'x', version: '1.0.0' } }],
      ['relative chart path', { ...twoWaves('x', {}), chart: { path: '../../etc' } }],
      ['unknown field', { ...twoWaves('x', {}), set: ['a=b'] }],
    ];
    for (const [what, body] of cases) {
      const response = await api('POST', '/v1/deployments', body);
      expect(response.status, what).toBe(400);
      expect(response.body.error.code, what).toMatch(/^[A-Z_]+$/);
    }
  });

  it('lists the deployments newest first, each as GET /v1/deployments/{id} shows it, filtered by status', async () => {
    const all = await api('GET', '/v1/deployments');
    expect(all.status).toBe(200);
    const ids = all.body.items.map((d: any) => d.id);
    expect(ids.indexOf(firstId)).toBeGreaterThan(-1);
    const failedId = all.body.items.find((d: any) => d.status === 'FAILED')?.id;
    expect(ids.indexOf(failedId)).toBeLessThan(ids.indexOf(firstId));
    expect(all.body.items.find((d: any) => d.id === firstId)).toEqual((await api('GET', `/v1/deployments/${firstId}`)).body);
    expect((await api('GET', '/v1/deployments?status=FAILED')).body.items.map((d: any) => d.id)).toEqual([failedId]);
    expect((await api('GET', '/v1/deployments?status=SUCCEEDED&limit=1')).body.items.map((d: any) => d.id)).toEqual([firstId]);
    expect((await api('GET', '/v1/deployments?limit=1')).body.items).toHaveLength(1);
    for (const bad of ['status=DONE', 'limit=0', 'limit=101', 'other=1']) {
      const response = await api('GET', `/v1/deployments?${bad}`);
      expect(response.status, bad).toBe(400);
      expect(response.body.error.code, bad).toMatch(/^[A-Z_]+$/);
    }
  });

  it('answers 404 for an unknown deployment', async () => {
    expect((await api('GET', '/v1/deployments/d-unknown')).status).toBe(404);
  });
});

describe('ECR image pushes', () => {
  it('start the deployment their trigger maps them to, once per event', async () => {
    const trigger = await api('PUT', '/v1/deploy-triggers/checkout', {
      repository: 'shop/checkout',
      release: 'checkout',
      namespace: 'checkout',
      chart: { path: CHART },
      values: { replicaCount: 1 },
      waves: [{ name: 'dev', selector: { environment: 'dev' } }],
      strategy: { verifySeconds: 1 },
    });
    expect(trigger.status, JSON.stringify(trigger.body)).toBe(200);

    const event = {
      id: 'ecr-event-1',
      source: 'aws.ecr',
      detailType: 'ECR Image Action',
      detail: { 'action-type': 'PUSH', result: 'SUCCESS', 'repository-name': 'shop/checkout', 'image-tag': '2.0.0' },
    };
    await cloud.bus.put([event]);
    await cloud.bus.put([event]); // a redelivery
    await cloud.bus.drain();

    const id = deploymentIdFor('ecr', `ecr-event-1\ncheckout`);
    const view = await finished(id);
    expect(view).toMatchObject({ id, status: 'SUCCEEDED', trigger: 'ecr:shop/checkout:2.0.0' });
    expect(view.waves[0].clusters).toEqual([expect.objectContaining({ clusterId: clusterIds.dev, status: 'SUCCEEDED', revision: 1 })]);
    const image = await deploymentImage('dev', 'checkout', 'checkout');
    expect(image).toMatch(/\.dkr\.ecr\..+\.amazonaws\.com\/shop\/checkout:2\.0\.0$/);
    // The redelivered event ran nothing: one release revision only.
    const secrets = await kreq(simCluster('dev'), 'GET', '/api/v1/namespaces/checkout/secrets?labelSelector=owner%3Dhelm');
    expect(secrets.body.items).toHaveLength(1);
    expect(await deploymentImage('prod', 'checkout', 'checkout')).toBeUndefined();
  }, 240_000);
});
