// A cluster granted only the read tier of the served RBAC manifest (GET /v1/rbac-manifest?access=read): registration
// says which features that allows (SelfSubjectRulesReview), an RCA of an injected fault works, and a deploy to it fails
// with "deploy not permitted" before helm runs: no release Secret, no workload, the namespace untouched.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { startSimulator, type RunningSimulator, type SimulatedClusterInfo } from '../../sim/index.ts';
import { kreq, waitFor } from '../integration/sim/helpers.ts';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.ts';
import { apiClient, type Api } from '../support/local-stack.ts';

const CHART = resolve(import.meta.dirname, '../fixtures/charts/hello');

let sim: RunningSimulator;
let cloud: LocalCloud;
let api: Api;
let info: SimulatedClusterInfo;
let clusterId: string;
let registered: any;

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['readonly'], tickMs: 300 });
  info = sim.clusters[0]!;
  cloud = await startLocalCloud({ port: 0, inMemory: true, schedules: false, dataDir: mkdtempSync(join(tmpdir(), 'fleetops-least-privilege-')) });
  api = apiClient(cloud);
  const kubeconfig = await leastPrivilegeKubeconfig(info, { access: 'read' });
  const response = await api('POST', '/v1/clusters', { name: 'readonly', environment: 'readonly', kubeconfig, namespaces: ['shop'] });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  registered = response.body;
  clusterId = response.body.id;
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
  await sim?.stop();
});

describe('a cluster granted read only', () => {
  it('registration says so: detection, RCA and scorecards yes; healing and deploy no, with what they lack', async () => {
    expect(registered.permissions.features).toEqual({ detection: true, rca: true, scorecards: true, healing: false, deploy: false });
    expect(registered.permissions.missing.healing).toEqual(expect.arrayContaining(['update deployments.apps/scale', 'delete pods']));
    expect(registered.permissions.missing.deploy).toEqual(expect.arrayContaining(['create secrets', 'create deployments.apps']));
    expect(registered.permissions.namespaces).toContain('shop');
    expect((await api('GET', `/v1/clusters/${clusterId}`)).body.permissions).toEqual(registered.permissions);
  });

  it('gets a successful RCA of an injected crash loop', async () => {
    // The fault goes through the simulator's own control API, with its admin token.
    const fault = await kreq(info, 'POST', '/sim/v1/faults', { type: 'crash-loop', namespace: 'shop', deployment: 'payment-service' });
    expect(fault.status).toBe(201);
    await waitFor(
      async () => (await kreq(info, 'GET', '/api/v1/namespaces/shop/events')).body.items.some((e: any) => e.reason === 'BackOff'),
      'back-off',
      30_000,
    );
    const started = await api('POST', '/v1/rca', { clusterId, namespace: 'shop', service: 'payment-service' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const rca = await waitFor(
      async () => {
        const r = await api('GET', `/v1/rca/${started.body.id}`);
        return r.body.status !== 'RUNNING' ? r.body : undefined;
      },
      'the RCA',
      120_000,
      500,
    );
    expect(rca.status, JSON.stringify(rca)).toBe('SUCCEEDED');
    expect(JSON.stringify(rca.report.rootCauses)).toMatch(/CrashLoop|BackOff|crash/i);
    await kreq(info, 'DELETE', `/sim/v1/faults/${fault.body.id}`);
  }, 180_000);

  it('refuses a deploy with "deploy not permitted" before any helm call', async () => {
    const response = await api('POST', '/v1/deployments', {
      release: 'hello',
      namespace: 'shop',
      chart: { path: CHART },
      values: { image: { tag: '1.0.0' } },
      waves: [{ name: 'readonly', selector: { environment: 'readonly' } }],
      strategy: { rolloutTimeoutSeconds: 60, verifySeconds: 2 },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    await cloud.workflows.wait(`arn:aws:states:local:000000000000:execution:fleetops-deploy:${response.body.id}`);
    const view = (await api('GET', `/v1/deployments/${response.body.id}`)).body;
    expect(view.status, JSON.stringify(view)).toBe('FAILED');
    expect(view.waves[0].clusters[0]).toMatchObject({ clusterId, status: 'FAILED' });
    expect(view.waves[0].clusters[0].revision).toBeUndefined();
    expect(view.waves[0].clusters[0].message).toBe(
      "deploy not permitted: fleetops' account on readonly may not deploy to namespace shop (grant it with GET /v1/rbac-manifest?access=deploy&deployNamespaces=shop)",
    );
    // helm never ran: it would have written its release Secret (helm's storage) before creating anything.
    const releases = await kreq(info, 'GET', '/api/v1/namespaces/shop/secrets?labelSelector=owner%3Dhelm');
    expect(releases.body.items).toEqual([]);
    expect((await kreq(info, 'GET', '/apis/apps/v1/namespaces/shop/deployments/hello')).status).toBe(404);
  }, 180_000);
});
