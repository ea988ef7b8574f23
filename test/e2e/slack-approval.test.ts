import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { apiClient, type Api } from '../support/local-stack.ts';
import { startSimulator, type RunningSimulator } from '../../sim/index.ts';
import { kreq, waitFor } from '../integration/sim/helpers.ts';
import { pressSlackButton } from '../support/slack-fake.ts';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.ts';

/** Approving healing from a Slack button resumes the waiting workflow, and the answer says who approved. */
const SECRET = 'slack-signing-secret-approval-0123456789';
const APPROVER = 'UAPPROVER';
let cloud: LocalCloud;
let sim: RunningSimulator;
let clusterId = '';

const api: Api = (method, path, body) => apiClient(cloud)(method, path, body);

const press = (actionId: string, value: string, user: string) => pressSlackButton(cloud.url, SECRET, actionId, value, user);

const replicas = async () => (await kreq(sim.clusters[0]!, 'GET', '/apis/apps/v1/namespaces/shop/deployments/order-service')).body.spec.replicas as number;

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['dev'], tickMs: 300 });
  cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    schedules: false,
    dataDir: mkdtempSync(join(tmpdir(), 'fleetops-slack-approval-')),
    env: {
      FLEETOPS_SLACK_SIGNING_SECRET: SECRET,
      FLEETOPS_SLACK_APPROVERS: APPROVER,
      FLEETOPS_HEALING_VERIFY_WAIT_SECONDS: '3',
      FLEETOPS_HEALING_POLICY: JSON.stringify({ services: { 'dev/shop/order-service': { approvalTimeoutSeconds: 120, cooldownSeconds: 0 } } }),
    },
  });
  const c = sim.clusters[0]!;
  const res = await api('POST', '/v1/clusters', { name: 'dev', environment: 'dev', kubeconfig: await leastPrivilegeKubeconfig(c) });
  expect(res.status).toBe(201);
  clusterId = res.body.id;
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
  await sim?.stop();
});

describe('healing approval from Slack', () => {
  it('a non-approver’s press changes nothing; an approver’s resumes the workflow and the message names them', async () => {
    await kreq(sim.clusters[0]!, 'POST', '/sim/v1/faults', { type: 'cpu-spike', namespace: 'shop', deployment: 'order-service' });
    const before = await replicas();
    const started = await api('POST', '/v1/healing', { clusterId, namespace: 'shop', service: 'order-service', issueType: 'high_cpu', severity: 'high' });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    await waitFor(async () => (await api('GET', `/v1/healing/${id}`)).body.status === 'PENDING_APPROVAL', 'pending approval', 30_000);

    const refused = await press('healing_approve', id, 'UREADER');
    expect(refused.status).toBe(200);
    expect(refused.body.text).toMatch(/not on the fleetops approvers list/);
    expect((await api('GET', `/v1/healing/${id}`)).body.status).toBe('PENDING_APPROVAL');

    const approved = await press('healing_approve', id, APPROVER);
    expect(approved.status).toBe(200);
    expect(approved.body.replace_original).toBe(true);
    expect(approved.body.text).toContain(`approved by <@${APPROVER}>`);
    expect(JSON.stringify(approved.body.blocks)).not.toContain('healing_approve'); // the buttons are gone

    const done = await waitFor(
      async () => {
        const r = await api('GET', `/v1/healing/${id}`);
        return ['SUCCEEDED', 'FAILED'].includes(r.body.status) ? r.body : undefined;
      },
      'healing to finish',
      120_000,
      1000,
    );
    expect(done.status, done.reason).toBe('SUCCEEDED');
    expect(done.approvedBy).toContain(APPROVER);
    expect(await replicas()).toBe(before + 2);

    const late = await press('healing_approve', id, APPROVER);
    expect(late.body.text).not.toMatch(/approved by/);
  }, 240_000);
});
