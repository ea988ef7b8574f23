/**
 * Issue 19 over HTTP on the local stack: prod deploys through /v1/deployments need an approver
 * (the prod gate existed only in Slack), an Idempotency-Key reused with another body is a 422
 * instead of silently returning the first deployment, and manual RCAs are rate limited (429).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { startSimulator, type RunningSimulator } from '../../sim/index.ts';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.ts';

let cloud: LocalCloud;
let sim: RunningSimulator;
const tokens: Record<string, string> = {};

async function api(method: string, path: string, body: unknown, token: string, headers: Record<string, string> = {}) {
  const response = await fetch(cloud.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}

const request = (waves: { name: string; selector: Record<string, unknown> }[], tag = '1.0.0') => ({
  release: 'hello',
  namespace: 'apps',
  chart: { path: '/nonexistent/charts/hello' },
  values: { image: { tag } },
  waves,
  strategy: { rolloutTimeoutSeconds: 30, verifySeconds: 1 },
});
const NOWHERE = [{ name: 'qa', selector: { environment: 'qa' } }];
const PROD = [{ name: 'prod', selector: { environment: 'prod' } }];

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['dev', 'prod'], tickMs: 500 });
  cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    schedules: false,
    dataDir: mkdtempSync(join(tmpdir(), 'fleetops-deploy-authority-')),
    env: { FLEETOPS_RCA_MANUAL_PER_USER: '3', FLEETOPS_RCA_MANUAL_PER_SERVICE: '2' },
  });
  for (const info of sim.clusters) {
    const response = await api(
      'POST',
      '/v1/clusters',
      { name: info.name, environment: info.name, kubeconfig: await leastPrivilegeKubeconfig(info) },
      cloud.apiToken,
    );
    expect(response.status, JSON.stringify(response.body)).toBe(201);
  }
  tokens.operator = await cloud.oidc!.tokenFor('operator');
  tokens.approver = await cloud.oidc!.tokenFor('approver');
}, 240_000);

afterAll(async () => {
  await cloud?.stop();
  await sim?.stop();
});

describe('deploy authority', () => {
  it('refuses a prod wave to an operator (403) and lets an approver through', async () => {
    const refused = await api('POST', '/v1/deployments', request(PROD), tokens.operator!);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('PROD_APPROVAL_REQUIRED');
    // Spelled differently, still prod: the gate looks at the clusters the waves select.
    const sneaky = await api('POST', '/v1/deployments', request([{ name: 'all', selector: {} }]), tokens.operator!);
    expect(sneaky.status).toBe(403);
    const nonProd = await api('POST', '/v1/deployments', request(NOWHERE), tokens.operator!);
    expect(nonProd.status).toBe(202);
    const approved = await api('POST', '/v1/deployments', request(PROD), tokens.approver!);
    expect(approved.status).toBe(202);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for a reused key with another body, the same id for the same body', async () => {
    const key = { 'idempotency-key': 'release-hello-42' };
    const first = await api('POST', '/v1/deployments', request(NOWHERE, '1.0.0'), tokens.operator!, key);
    expect(first.status).toBe(202);
    const retry = await api('POST', '/v1/deployments', request(NOWHERE, '1.0.0'), tokens.operator!, key);
    expect(retry).toEqual({ status: 202, body: { id: first.body.id } });
    const reused = await api('POST', '/v1/deployments', request(NOWHERE, '2.0.0'), tokens.operator!, key);
    expect(reused.status).toBe(422);
    expect(reused.body).toEqual({ error: { code: 'IDEMPOTENCY_KEY_REUSED', message: expect.stringMatching(/different request body/) } });
  });
});

describe('manual RCA rate limit', () => {
  it('answers 429 with the JSON error past the per-service, then the per-caller limit', async () => {
    const rca = (service: string) => api('POST', '/v1/rca', { clusterId: 'dev', namespace: 'default', service }, tokens.operator!);
    expect((await rca('frontend')).status).toBe(202);
    expect((await rca('frontend')).status).toBe(202);
    const third = await rca('frontend');
    expect(third.status).toBe(429);
    expect(third.body.error).toEqual({ code: 'RCA_RATE_LIMITED', message: expect.stringMatching(/2 manual RCAs per 1 h for dev\/default\/frontend/) });
    expect((await rca('backend')).status).toBe(202);
    const fifth = await rca('other');
    expect(fifth.status).toBe(429);
    expect(fifth.body.error.message).toMatch(/3 manual RCAs per 1 h per caller/);
  });
});
