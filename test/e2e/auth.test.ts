/**
 * Who may call what, over HTTP on the local stack, for every route of /openapi.json (so a new route
 * is covered the day it is added): no credential, a wrong-issuer, forged or expired token → 401;
 * a role below the route's → 403; an ingest credential anywhere but POST /v1/alerts* → 403.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, roleRank, type Role } from '../../functions/core/identity/identity.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { startLocalOidcIssuer, type LocalOidcIssuer } from '../../local/oidc/issuer.ts';

let cloud: LocalCloud;
let stranger: LocalOidcIssuer;
let operations: { method: string; path: string; id: string; role: Role; ingest: boolean }[];
const tokens = {} as Record<Role, string>;
let expired: string;
let wrongIssuer: string;
let forged: string;
let ingest: string;
let ingestId: string;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, inMemory: true, schedules: false, localOidc: true, dataDir: mkdtempSync(join(tmpdir(), 'fleetops-auth-')) });
  stranger = await startLocalOidcIssuer();
  const oidc = cloud.oidc!;
  for (const role of ROLES) tokens[role] = await oidc.tokenFor(role);
  expired = await oidc.tokenFor('admin', { expiresInSeconds: -3600 });
  wrongIssuer = await stranger.tokenFor('admin');
  forged = await oidc.mint({ sub: 'mallory', groups: ['fleetops-admins'], foreignKey: true });

  const document = (await (await fetch(`${cloud.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, any>> };
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, op]) => op['x-fleetops-role'])
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        id: op.operationId,
        role: op['x-fleetops-role'],
        ingest: op['x-fleetops-ingest'] === true,
      })),
  );

  // An admin (here the OIDC admin, not the bootstrap token) creates the ingest credential.
  const created = await call('POST', '/v1/credentials/ingest', tokens.admin, { source: 'alertmanager-test' });
  expect(created.status).toBe(201);
  ingest = created.body.secret;
  ingestId = created.body.credential.id;
}, 120_000);
afterAll(async () => {
  await cloud?.stop();
  await stranger?.stop();
});

/** Path templates filled with harmless values (ids that do not exist). */
const concrete = (path: string) => path.replace('{entityRef}', 'component%3Adefault%2Fnothing').replace(/\{\w+\}/g, 'does-not-exist');

async function call(method: string, path: string, token: string | undefined, body?: unknown) {
  const response = await fetch(cloud.url + concrete(path), {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(method === 'GET' || method === 'DELETE' ? {} : { body: JSON.stringify(body ?? {}) }),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}

const alert = {
  source: 'alertmanager-test',
  cluster: 'prod',
  namespace: 'shop',
  service: 'auth-e2e',
  type: 'HighErrorRate',
  severity: 'low',
  message: 'auth e2e',
};

describe('every authenticated route of /openapi.json', () => {
  it('covers every /v1 route except Slack’s, each with a role', () => {
    expect(operations.length).toBeGreaterThan(40);
    expect(operations.map((o) => o.id)).toEqual(expect.arrayContaining(['approveHealing', 'setHealingKillSwitch', 'ingestAlert', 'createIngestCredential']));
    for (const o of operations) expect(ROLES, o.id).toContain(o.role);
  });

  it('answers 401 without a credential, or with a wrong-issuer, forged, expired or unknown one', async () => {
    const bad: [string, string | undefined][] = [
      ['none', undefined],
      ['wrong issuer', wrongIssuer],
      ['forged signature', forged],
      ['expired', expired],
      ['unknown ingest credential', `fo_ing_0123456789abcdef_${'A'.repeat(43)}`],
      ['unknown token', 'not-the-bootstrap-token-at-all'],
    ];
    for (const o of operations) {
      for (const [name, token] of bad) {
        const response = await call(o.method, o.path, token);
        expect(response.status, `${o.id} with ${name}`).toBe(401);
        expect(response.body, `${o.id} with ${name}`).toEqual({ error: { code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) } });
      }
    }
  });

  it('answers 403 to every role below the route’s, with the JSON error', async () => {
    let checked = 0;
    for (const o of operations) {
      for (const role of ROLES.filter((r) => roleRank(r) < roleRank(o.role))) {
        const response = await call(o.method, o.path, tokens[role]);
        expect(response.status, `${o.id} as ${role}`).toBe(403);
        expect(response.body.error.code, `${o.id} as ${role}`).toBe('INSUFFICIENT_ROLE');
        checked++;
      }
    }
    // viewer on an approver route is among them (approve / reject healing).
    expect(operations.filter((o) => o.role === 'approver').length).toBeGreaterThan(0);
    expect(checked).toBeGreaterThan(30);
  });

  it('lets the route’s own role through authentication (whatever the handler then says about the empty request)', async () => {
    for (const o of operations) {
      const response = await call(o.method, o.path, tokens[o.role]);
      expect([401, 403], `${o.id} as ${o.role}: ${JSON.stringify(response.body)}`).not.toContain(response.status);
    }
  });

  it('refuses an ingest credential on every route but POST /v1/alerts*, with 403', async () => {
    for (const o of operations.filter((op) => !op.ingest)) {
      const response = await call(o.method, o.path, ingest);
      expect(response.status, o.id).toBe(403);
      expect(response.body.error.code, o.id).toBe('INGEST_ONLY');
    }
  });

  it('accepts an ingest credential, and a human operator, on the alert routes', async () => {
    const ingestRoutes = operations
      .filter((o) => o.ingest)
      .map((o) => o.id)
      .sort();
    expect(ingestRoutes).toEqual(['ingestAlert', 'ingestAlertmanager']);
    expect((await call('POST', '/v1/alerts', ingest, alert)).status).toBe(202);
    const webhook = {
      version: '4',
      status: 'firing',
      receiver: 'fleetops',
      groupKey: '{}:{alertname="KubePodCrashLooping"}',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'KubePodCrashLooping', cluster: 'prod', namespace: 'shop', service: 'auth-e2e-am', severity: 'warning' },
          annotations: { summary: 'auth e2e' },
          startsAt: new Date().toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint: 'a1b2c3d4e5f60718',
        },
      ],
    };
    expect((await call('POST', '/v1/alerts/alertmanager', ingest, webhook)).status).toBe(202);
    expect((await call('POST', '/v1/alerts', tokens.operator, { ...alert, service: 'auth-e2e-2' })).status).toBe(202);
    expect((await call('POST', '/v1/alerts', tokens.viewer, alert)).status).toBe(403);
    // An ingest credential speaks for its own source only.
    const impostor = await call('POST', '/v1/alerts', ingest, { ...alert, source: 'another-source' });
    expect(impostor).toMatchObject({ status: 403, body: { error: { code: 'WRONG_SOURCE' } } });
    // Alertmanager webhooks are stored as source alertmanager: a datadog credential may not send them.
    const datadog = await call('POST', '/v1/credentials/ingest', tokens.admin, { source: 'datadog' });
    expect(datadog.status).toBe(201);
    const webhookAsDatadog = await call('POST', '/v1/alerts/alertmanager', datadog.body.secret, webhook);
    expect(webhookAsDatadog).toMatchObject({ status: 403, body: { error: { code: 'WRONG_SOURCE' } } });
    expect((await call('POST', '/v1/alerts', datadog.body.secret, { ...alert, source: 'datadog', service: 'auth-e2e-dd' })).status).toBe(202);
    expect((await call('POST', '/v1/alerts/alertmanager', tokens.operator, webhook)).status).toBe(202);
    expect((await call('POST', '/v1/alerts/alertmanager', cloud.apiToken, webhook)).status).toBe(202);
    // The sources fleetops's own pull stamps are evidence the grouping rules trust: nobody may claim them.
    for (const source of ['kube-state', 'anomaly', 'Anomaly', 'forecast']) {
      const issued = await call('POST', '/v1/credentials/ingest', tokens.admin, { source });
      expect(issued, source).toMatchObject({ status: 400, body: { error: { code: 'RESERVED_SOURCE' } } });
      const claimed = await call('POST', '/v1/alerts', tokens.admin, { ...alert, source, service: 'auth-e2e-claim' });
      expect(claimed.status, source).toBe(400);
      expect(claimed.body.error.message, source).toMatch(/reserved for alerts fleetops raises itself/);
    }
  });

  it('stops accepting an ingest credential once revoked, while its rotated successor works', async () => {
    const next = await call('POST', '/v1/credentials/ingest', cloud.apiToken, { source: 'alertmanager-test' });
    expect(next.status).toBe(201);
    const listed = await call('GET', '/v1/credentials', tokens.admin);
    expect(JSON.stringify(listed.body)).not.toContain(ingest.slice(24));
    expect(listed.body.items.filter((c: any) => c.source === 'alertmanager-test' && c.status === 'active')).toHaveLength(2);
    expect((await call('DELETE', `/v1/credentials/${ingestId}`, tokens.admin)).status).toBe(200);
    expect((await call('POST', '/v1/alerts', ingest, alert)).status).toBe(401);
    expect((await call('POST', '/v1/alerts', next.body.secret, alert)).status).toBe(202);
  });

  it('keeps the bootstrap token as admin and names who is calling', async () => {
    expect((await call('GET', '/v1/whoami', cloud.apiToken)).body).toEqual({
      kind: 'bootstrap',
      subject: 'bootstrap',
      displayName: 'bootstrap admin token',
      role: 'admin',
    });
    expect((await call('GET', '/v1/whoami', tokens.approver)).body).toMatchObject({
      kind: 'oidc',
      subject: `${cloud.oidc!.issuer}#april-approver`,
      role: 'approver',
    });
    const key = await call('POST', '/v1/credentials/api-keys', cloud.apiToken, { name: 'report-script', role: 'viewer' });
    expect((await call('GET', '/v1/whoami', key.body.secret)).body).toMatchObject({ kind: 'api-key', role: 'viewer' });
    expect((await call('GET', '/v1/clusters', key.body.secret)).status).toBe(200);
    expect((await call('PUT', '/v1/healing/kill-switch', key.body.secret, { disabled: true })).status).toBe(403);
  });

  it('answers unknown /v1 paths 401 without a credential and 404 with any valid one', async () => {
    expect((await call('GET', '/v1/nothing-here', undefined)).status).toBe(401);
    expect((await call('GET', '/v1/nothing-here', tokens.viewer)).status).toBe(404);
  });
});
