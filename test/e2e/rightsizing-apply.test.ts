/**
 * Applying a right-sizing recommendation over HTTP on the local stack: a workload deployed through
 * fleetops (the golden chart, real helm from the layer zip) to a dev and a prod simulated cluster,
 * pulled until it has a recommendation, applied through the deploy workflow to its cluster alone; on
 * prod only an approver may apply it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../functions/core/identity/identity.ts';
import { writeGoldenChart } from '../../local/golden-chart.ts';
import { ensureHelmKubectl } from '../../local/layers/helm-kubectl.ts';
import { kreq } from '../integration/sim/helpers.ts';
import { sleep, startHandPulledStack, type ApiResponse, type HandPulledStack } from '../support/local-stack.ts';

let stack: HandPulledStack;
const tokens = {} as Record<Role, string>;

async function as(role: Role | 'bootstrap', method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const token = role === 'bootstrap' ? stack.cloud.apiToken : tokens[role];
  const response = await fetch(stack.cloud.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}

const executionOf = (id: string) => `arn:aws:states:local:000000000000:execution:fleetops-deploy:${id}`;

async function finished(id: string) {
  const execution = await stack.cloud.workflows.wait(executionOf(id));
  const view = (await as('viewer', 'GET', `/v1/deployments/${id}`)).body;
  expect(execution?.status, JSON.stringify({ error: execution?.error, view })).toBe('SUCCEEDED');
  return view;
}

async function resourcesOn(cluster: string): Promise<{ requests: Record<string, string>; limits: Record<string, string> }> {
  const r = await kreq(
    stack.sim.clusters.find((c) => c.name === cluster)!,
    'GET',
    '/apis/apps/v1/namespaces/shop/deployments/ledger',
  );
  expect(r.status).toBe(200);
  return r.body.spec.template.spec.containers[0].resources;
}

async function recommendation(cluster: string) {
  const r = await as('viewer', 'GET', `/v1/recommendations?cluster=${cluster}&namespace=shop&service=ledger`);
  expect(r.status).toBe(200);
  expect(r.body.items, JSON.stringify(r.body.items)).toHaveLength(1);
  return r.body.items[0];
}

beforeAll(async () => {
  stack = await startHandPulledStack({ name: 'rightsizing-apply', clusters: ['dev', 'prod'], env: { FLEETOPS_HEALING_DISABLED: 'true' } });
  for (const role of ['viewer', 'operator', 'approver'] as const) tokens[role] = await stack.cloud.oidc!.tokenFor(role);
  ensureHelmKubectl(stack.cloud.dataDir);
  // An over-provisioned service, deployed through fleetops with the golden chart: 1 CPU and 1 GiB for a container that uses little.
  const chart = writeGoldenChart(join(stack.cloud.dataDir, 'e2e-charts'));
  const deployed = await as('approver', 'POST', '/v1/deployments', {
    release: 'ledger',
    namespace: 'shop',
    chart: { path: chart },
    values: {
      nameOverride: 'ledger',
      fullnameOverride: 'ledger',
      replicaCount: 1,
      autoscaling: { enabled: false },
      image: { repository: 'registry.example.com/shop/ledger', tag: '1.0.0' },
      resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
    },
    // One wave: both clusters at once (the test is about what comes after).
    waves: [{ name: 'all', selector: {} }],
    strategy: { rolloutTimeoutSeconds: 60, verifySeconds: 1 },
  });
  expect(deployed.status, JSON.stringify(deployed.body)).toBe(202);
  expect((await finished(deployed.body.id)).status).toBe('SUCCEEDED');
  // Enough pulls for a recommendation (3 samples per container at least).
  for (let i = 0; i < 4; i++) {
    await stack.pullNow();
    await sleep(500);
  }
}, 150_000);

afterAll(async () => {
  await stack?.stop();
});

describe('POST /v1/recommendations/{id}/apply', () => {
  it('deploys the recommended requests to the workload on its cluster alone, once however often it is applied', async () => {
    const rec = await recommendation('dev');
    expect(rec.current.requests).toEqual({ cpu: '1000m', memory: '1024Mi' });
    expect(parseInt(rec.recommended.requests.cpu)).toBeLessThan(1000);
    expect(parseInt(rec.recommended.requests.memory)).toBeLessThan(1024);

    const started = performance.now();
    const applied = await as('operator', 'POST', `/v1/recommendations/${rec.id}/apply`, { reason: 'e2e: over-provisioned' });
    expect(applied.status, JSON.stringify(applied.body)).toBe(202);
    expect(applied.body).toMatchObject({ created: true, release: 'ledger', namespace: 'shop', cluster: 'dev', resources: rec.recommended });
    const again = await as('operator', 'POST', `/v1/recommendations/${rec.id}/apply`);
    expect(again.body).toMatchObject({ deploymentId: applied.body.deploymentId, created: false });

    const view = await finished(applied.body.deploymentId);
    console.log(JSON.stringify({ measurement: 'apply recommendation → deploy finished, local stack', ms: Math.round(performance.now() - started) }));
    expect(view).toMatchObject({
      status: 'SUCCEEDED',
      trigger: `rightsizing:${rec.id}`,
      requestedBy: expect.stringContaining(stack.cloud.oidc!.issuer),
      reason: 'e2e: over-provisioned',
      waves: [{ name: 'rightsizing', status: 'SUCCEEDED', clusters: [{ clusterId: stack.clusterIds.dev, status: 'SUCCEEDED', revision: 2 }] }],
    });
    // The audit names the verified caller.
    expect((await as('operator', 'GET', '/v1/whoami')).body.subject).toBe(view.requestedBy);
    const dev = await resourcesOn('dev');
    expect(dev.requests).toEqual(rec.recommended.requests);
    expect(dev.limits).toMatchObject(rec.recommended.limits);
    // prod runs the release's values as they were.
    expect((await resourcesOn('prod')).requests).toEqual({ cpu: '1', memory: '1Gi' });
    // Applied, it is still the same deployment.
    expect((await as('operator', 'POST', `/v1/recommendations/${rec.id}/apply`)).body).toMatchObject({
      deploymentId: applied.body.deploymentId,
      created: false,
    });
  }, 120_000);

  it('on a prod cluster: 403 for an operator, with nothing started; an approver applies it', async () => {
    const rec = await recommendation('prod');
    const refused = await as('operator', 'POST', `/v1/recommendations/${rec.id}/apply`);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'PROD_APPROVAL_REQUIRED', message: expect.stringMatching(/approver/) } } });
    const before = (await as('viewer', 'GET', '/v1/deployments')).body.items.length;
    expect((await as('viewer', 'POST', `/v1/recommendations/${rec.id}/apply`)).status).toBe(403);
    expect((await as('viewer', 'GET', '/v1/deployments')).body.items.length).toBe(before);

    const applied = await as('approver', 'POST', `/v1/recommendations/${rec.id}/apply`);
    expect(applied.status, JSON.stringify(applied.body)).toBe(202);
    const view = await finished(applied.body.deploymentId);
    expect(view.waves[0].clusters).toEqual([expect.objectContaining({ clusterId: stack.clusterIds.prod, status: 'SUCCEEDED' })]);
    expect((await resourcesOn('prod')).requests).toEqual(rec.recommended.requests);
  }, 120_000);

  it('refuses what it cannot apply with the JSON error: not deployed by fleetops, unknown, values in the body', async () => {
    const frontend = (await as('viewer', 'GET', '/v1/recommendations?cluster=dev&namespace=shop&service=frontend')).body.items[0];
    const unmanaged = await as('operator', 'POST', `/v1/recommendations/${frontend.id}/apply`);
    expect(unmanaged).toMatchObject({ status: 409, body: { error: { code: 'NOT_DEPLOYED_BY_FLEETOPS', message: expect.stringMatching(/GitOps/) } } });
    const unknown = await as('operator', 'POST', '/v1/recommendations/rs-7d-000000000000-0000000000/apply');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    const rec = await recommendation('dev');
    const withValues = await as('operator', 'POST', `/v1/recommendations/${rec.id}/apply`, { resources: { requests: { cpu: '1m' } } });
    expect(withValues.status).toBe(400);
    expect(withValues.body.error.code).toMatch(/^[A-Z_]+$/);
  }, 30_000);
});
