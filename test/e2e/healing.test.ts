import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healingIdForRca } from '../../functions/core/healing/workflow.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { apiClient, type Api } from '../support/local-stack.ts';
import { startSimulator, type RunningSimulator, type SimulatedClusterInfo } from '../../sim/index.ts';
import { kreq, waitFor } from '../integration/sim/helpers.ts';
import { startFakeArgoCd, type FakeArgoCd } from '../support/fake-argocd.ts';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.ts';

let cloud: LocalCloud;
let sim: RunningSimulator;
let argo: FakeArgoCd;
const ids: Record<string, string> = {};
const info: Record<string, SimulatedClusterInfo> = {};

const POLICY = {
  services: {
    // The 50-trigger test exercises the hourly limit, not the cool-down.
    'prod/shop/payment-service': { cooldownSeconds: 0, autoCeiling: 'medium' },
    'dev/shop/order-service': { approvalTimeoutSeconds: 120 },
    'dev/shop/payment-service': { approvalTimeoutSeconds: 2 },
  },
};

const api: Api = (method, path, body) => apiClient(cloud)(method, path, body);

async function replicas(cluster: string, deployment: string): Promise<number> {
  const res = await kreq(info[cluster], 'GET', `/apis/apps/v1/namespaces/shop/deployments/${deployment}`);
  return res.body.spec.replicas;
}

async function heal(cluster: string, service: string, issueType: string, severity: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api('POST', '/v1/healing', { clusterId: ids[cluster], namespace: 'shop', service, issueType, severity, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id;
}

async function finished(id: string, timeoutMs = 120_000): Promise<any> {
  return waitFor(
    async () => {
      const res = await api('GET', `/v1/healing/${id}`);
      return ['SUCCEEDED', 'FAILED', 'REJECTED', 'SKIPPED'].includes(res.body?.status) && res.body.audit.some((a: any) => a.step === 'notify')
        ? res.body
        : undefined;
    },
    `healing ${id} to finish`,
    timeoutMs,
    1000,
  );
}

async function fault(cluster: string, type: string, deployment: string): Promise<string> {
  const res = await kreq(info[cluster], 'POST', '/sim/v1/faults', { type, namespace: 'shop', deployment });
  expect(res.status).toBe(201);
  return res.body.id;
}

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['dev', 'prod'], tickMs: 300 });
  // An Argo CD managing the prod cluster only: Argo-managed workloads on dev have no target.
  argo = await startFakeArgoCd({
    apps: [
      {
        key: 'shop-user-service',
        history: [
          { id: 7, revision: '1111111111111111111111111111111111111111', deployedAt: '2026-11-01T00:00:00Z' },
          { id: 8, revision: '2222222222222222222222222222222222222222', deployedAt: '2026-11-30T00:00:00Z' },
        ],
        resources: [
          { kind: 'Service', namespace: 'shop', name: 'user-service' },
          { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'user-service' },
        ],
      },
    ],
  });
  cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    schedules: false,
    dataDir: mkdtempSync(join(tmpdir(), 'fleetops-heal-')),
    env: {
      FLEETOPS_HEALING_VERIFY_WAIT_SECONDS: '5',
      FLEETOPS_HEALING_POLICY: JSON.stringify(POLICY),
      FLEETOPS_ARGOCD_URL: argo.url,
      FLEETOPS_ARGOCD_TOKEN: argo.token,
      FLEETOPS_ARGOCD_CA_DATA: argo.caData,
      FLEETOPS_ARGOCD_CLUSTERS: 'prod',
    },
  });
  for (const c of sim.clusters) {
    info[c.name] = c;
    const res = await api('POST', '/v1/clusters', { name: c.name, environment: c.name, kubeconfig: await leastPrivilegeKubeconfig(c) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids[c.name] = res.body.id;
  }
}, 240_000);

afterAll(async () => {
  await cloud?.stop();
  await sim?.stop();
  await argo?.close();
});

/** Labels the deployment as Argo CD's and rolls out a new (healthy) revision, so there is one to go back to. */
async function argoManaged(cluster: string, deployment: string, app: string): Promise<{ revision: string; image: string }> {
  const path = `/apis/apps/v1/namespaces/shop/deployments/${deployment}`;
  const before = (await kreq(info[cluster], 'GET', path)).body;
  const revision = String(Number(before.metadata.annotations['deployment.kubernetes.io/revision']) + 1);
  const patched = await kreq(
    info[cluster],
    'PATCH',
    path,
    { metadata: { labels: { 'argocd.argoproj.io/instance': app } }, spec: { template: { metadata: { annotations: { 'example.com/synced-from': 'git' } } } } },
    { contentType: 'application/merge-patch+json' },
  );
  expect(patched.status, patched.text).toBe(200);
  const settled = await waitFor(
    async () => {
      const d = (await kreq(info[cluster], 'GET', path)).body;
      const n = d.spec.replicas;
      return d.metadata.annotations['deployment.kubernetes.io/revision'] === revision &&
        d.status.updatedReplicas === n &&
        d.status.readyReplicas === n &&
        (d.status.replicas ?? 0) === n
        ? d
        : undefined;
    },
    `${deployment} rolled out to revision ${revision}`,
    30_000,
  );
  return { revision, image: settled.spec.template.spec.containers[0].image };
}

describe('healing in the local stack against the simulator', () => {
  it('a medium cpu-spike scales the deployment out by 2 and verifies it; the incident links the run and gets a note', async () => {
    const alert = await api('POST', '/v1/alerts', {
      source: 'test',
      cluster: 'dev',
      namespace: 'shop',
      service: 'frontend',
      type: 'HighCpu',
      severity: 'medium',
      message: 'cpu high',
    });
    const incidentId = alert.body.incidents[0];
    await fault('dev', 'cpu-spike', 'frontend');
    const before = await replicas('dev', 'frontend');
    const id = await heal('dev', 'frontend', 'high_cpu', 'medium', { incidentId });
    const done = await finished(id);
    expect(done.status, done.reason).toBe('SUCCEEDED');
    expect(done.action).toBe('scale_out');
    expect(await replicas('dev', 'frontend')).toBe(before + 2);
    expect(done.verification.verdict).toBe('resolved');
    expect(done.verification.symptomAfter).toBeLessThan(0.8);
    expect(done.verification.symptomBefore).toBeGreaterThan(0.8);
    // Audit: every step, in order, each with who/what/when/result.
    expect(done.audit.map((a: any) => a.step)).toEqual(['begin', 'safety', 'decide', 'claim', 'snapshot', 'execute', 'verify', 'record', 'notify']);
    const execute = done.audit.find((a: any) => a.step === 'execute');
    expect(execute).toMatchObject({ actor: 'fleetops', before: { replicas: before }, after: { replicas: before + 2 }, result: 'done' });
    const incident = (await api('GET', `/v1/incidents/${incidentId}`)).body;
    // The incident's own RCA may start (and link) its run too, depending on which finishes first.
    expect(incident.healingIds).toContain(id);
    for (const other of incident.healingIds.filter((h: string) => h !== id)) expect(other).toBe(healingIdForRca(incident.rcaId, 'high_cpu'));
    expect(incident.notes.map((n: any) => n.text).join('\n')).toMatch(new RegExp(`Healing ${id}: scale frontend .* verified`));
    const listed = await api('GET', '/v1/healing?service=frontend&status=SUCCEEDED');
    expect(listed.body.items.map((i: any) => i.id)).toContain(id);
    expect(listed.body.items[0]).not.toHaveProperty('taskToken');
  }, 180_000);

  it('a crash loop ends as a manual hand-over with suggestions', async () => {
    await fault('dev', 'crash-loop', 'user-service');
    const before = await replicas('dev', 'user-service');
    const id = await heal('dev', 'user-service', 'pod_crash_loop', 'medium');
    const done = await finished(id);
    expect(done.status).toBe('SKIPPED');
    expect(done.action).toBe('manual_handover');
    expect(done.reason).toMatch(/manual hand-over/);
    expect(done.suggestions.join('\n')).toMatch(/Logs:.*--previous/);
    expect(done.suggestions.join('\n')).toMatch(/Config:/);
    expect(done.suggestions.join('\n')).toMatch(/Dependencies:/);
    expect(done.suggestions.join('\n')).toMatch(/Rollback/);
    expect(await replicas('dev', 'user-service')).toBe(before);
  }, 180_000);

  it('high severity waits in PENDING_APPROVAL without touching the cluster, then acts once approved (who is recorded)', async () => {
    await fault('dev', 'cpu-spike', 'order-service');
    const before = await replicas('dev', 'order-service');
    const id = await heal('dev', 'order-service', 'high_cpu', 'high');
    await waitFor(async () => (await api('GET', `/v1/healing/${id}`)).body.status === 'PENDING_APPROVAL', 'pending approval', 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await replicas('dev', 'order-service')).toBe(before);
    expect((await api('GET', `/v1/healing/${id}`)).body).not.toHaveProperty('taskToken');
    const approved = await api('POST', `/v1/healing/${id}/approve`, { by: 'alice@example.com' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const again = await api('POST', `/v1/healing/${id}/approve`, { by: 'bob@example.com' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('NOT_PENDING');
    const done = await finished(id);
    expect(done.status, done.reason).toBe('SUCCEEDED');
    // The approver is the verified caller (here the bootstrap token), never the `by` in the body (issue 19).
    expect(done.approvedBy).toBe('bootstrap (bootstrap admin token)');
    expect(done.approvedBySubject).toBe('bootstrap');
    expect(await replicas('dev', 'order-service')).toBe(before + 2);
    expect(done.audit.find((a: any) => a.step === 'approval')).toMatchObject({
      actor: 'bootstrap (bootstrap admin token)',
      result: 'approved',
      after: { subject: 'bootstrap', role: 'admin' },
    });
    expect(JSON.stringify(done)).not.toContain('alice@example.com');
  }, 180_000);

  it('an approval that does not come in time ends REJECTED with the reason', async () => {
    const before = await replicas('dev', 'payment-service');
    const id = await heal('dev', 'payment-service', 'high_cpu', 'critical');
    const done = await finished(id);
    expect(done.status).toBe('REJECTED');
    expect(done.reason).toMatch(/approval expired/);
    expect(await replicas('dev', 'payment-service')).toBe(before);
    const late = await api('POST', `/v1/healing/${id}/approve`, {});
    expect(late.status).toBe(409);
  }, 180_000);

  it('dryRun plans without touching the cluster', async () => {
    const before = await replicas('prod', 'frontend');
    const id = await heal('prod', 'frontend', 'high_cpu', 'low', { dryRun: true });
    const done = await finished(id);
    expect(done.status).toBe('SKIPPED');
    expect(done.reason).toMatch(/^dry run: would scale frontend out from 2 to 4/);
    expect(done.plan).toMatchObject({ kind: 'scale_out', from: before, to: before + 2 });
    expect(await replicas('prod', 'frontend')).toBe(before);
    expect(done.audit.some((a: any) => a.step === 'execute')).toBe(false);
  }, 180_000);

  it('50 concurrent triggers on one service give at most 3 actions; all 50 are recorded, the rest SKIPPED with a reason', async () => {
    const runs = await Promise.all(Array.from({ length: 50 }, () => heal('prod', 'payment-service', 'high_cpu', 'low')));
    // One list call per poll instead of 50: the runs finish when all 50 have a final status.
    const final = ['SUCCEEDED', 'FAILED', 'REJECTED', 'SKIPPED'];
    const listedRuns = await waitFor(
      async () => {
        const items = (await api('GET', '/v1/healing?service=payment-service&limit=500')).body.items.filter((i: any) => runs.includes(i.id));
        return items.length === 50 && items.every((i: any) => final.includes(i.status)) ? items : undefined;
      },
      '50 runs to finish',
      240_000,
      2000,
    );
    const acting = listedRuns.filter((d: any) => d.status !== 'SKIPPED');
    const done = [...(await Promise.all(acting.map((d: any) => finished(d.id)))), ...listedRuns.filter((d: any) => d.status === 'SKIPPED')];
    const acted = done.filter((d: any) => d.audit?.some((a: any) => a.step === 'execute'));
    const skipped = done.filter((d: any) => d.status === 'SKIPPED');
    expect(acted.length).toBeGreaterThan(0);
    expect(acted.length).toBeLessThanOrEqual(3);
    const others = done.filter((d: any) => d.status !== 'SKIPPED' && !acted.includes(d)).map((d: any) => `${d.status}: ${d.reason}`);
    expect(skipped.length, `runs neither acting nor skipped: ${JSON.stringify(others.slice(0, 5))}`).toBe(50 - acted.length);
    for (const s of skipped) expect(s.reason).toMatch(/rate limit: 3 actions/);
    expect(listedRuns).toHaveLength(50);
  }, 400_000);

  it('a heal that makes things worse is undone from the snapshot, FAILED', async () => {
    // Revision 2 is broken (image pull), revision 3 is the good template again: rolling back goes to the broken one.
    const broken = await fault('prod', 'image-pull-backoff', 'order-service');
    await new Promise((r) => setTimeout(r, 1500));
    await kreq(info.prod, 'DELETE', `/sim/v1/faults/${broken}`);
    await waitFor(
      async () => {
        const d = (await kreq(info.prod, 'GET', '/apis/apps/v1/namespaces/shop/deployments/order-service')).body;
        return (
          d.metadata.annotations['deployment.kubernetes.io/revision'] === '3' &&
          d.status.updatedReplicas === 2 &&
          d.status.readyReplicas === 2 &&
          (d.status.replicas ?? 0) === 2
        );
      },
      'order-service back on a good revision',
      30_000,
    );
    const template = (await kreq(info.prod, 'GET', '/apis/apps/v1/namespaces/shop/deployments/order-service')).body.spec.template;
    const id = await heal('prod', 'order-service', 'bad_deploy', 'low');
    const done = await finished(id);
    expect(done.status, done.reason).toBe('FAILED');
    expect(done.verification.verdict).toBe('worse');
    expect(done.undone).toBe(true);
    expect(done.reason).toMatch(/made things worse.*undone/);
    expect(done.audit.map((a: any) => a.step)).toContain('undo');
    const after = (await kreq(info.prod, 'GET', '/apis/apps/v1/namespaces/shop/deployments/order-service')).body.spec.template;
    expect(after.spec.containers[0].image).toBe(template.spec.containers[0].image);
  }, 180_000);

  it('an RcaCompleted event starts a run (once, even when redelivered)', async () => {
    const detail = {
      rcaId: 'rca-e2e-1',
      clusterId: ids.prod,
      cluster: 'prod',
      namespace: 'shop',
      service: 'user-service',
      severity: 'medium',
      engine: 'rules',
      issueType: 'pod_crash_loop',
    };
    for (let i = 0; i < 2; i++) {
      const res = await api('POST', '/v1/events', { source: 'fleetops.rca', 'detail-type': 'RcaCompleted', detail });
      expect(res.status).toBe(202);
    }
    const id = healingIdForRca('rca-e2e-1', 'pod_crash_loop');
    const done = await finished(id);
    expect(done.status).toBe('SKIPPED');
    expect(done.trigger).toBe('rca');
    const listed = await api('GET', '/v1/healing?service=user-service&limit=500');
    expect(listed.body.items.filter((i: any) => i.id === id)).toHaveLength(1);
  }, 180_000);

  it('bad input is a 4xx with an error code', { timeout: 60_000 }, async () => {
    const res = await api('POST', '/v1/healing', { clusterId: ids.dev, namespace: 'shop', service: 'frontend', issueType: 'nope', severity: 'medium' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toMatch(/^[A-Z_]+$/);
    expect(
      (await api('POST', '/v1/healing', { clusterId: 'missing', namespace: 'shop', service: 'frontend', issueType: 'high_cpu', severity: 'medium' })).status,
    ).toBe(404);
    expect((await api('POST', '/v1/healing/nope/approve')).status).toBe(404);
  });
  it('bad_deploy on an Argo-managed deployment with an Argo CD target rolls back through Argo CD and does not patch the deployment', async () => {
    const before = await argoManaged('prod', 'user-service', 'shop-user-service');
    // Dry run first: plans the Argo CD call (reads the application) without making it.
    const dry = await finished(await heal('prod', 'user-service', 'bad_deploy', 'low', { dryRun: true }));
    expect(dry.status).toBe('SKIPPED');
    expect(dry.reason).toMatch(
      /^dry run: would roll user-service back through Argo CD application shop-user-service to history id 7 \(revision 1{40}\).*Argo CD was not called$/,
    );
    expect(argo.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/applications/shop-user-service']);

    const id = await heal('prod', 'user-service', 'bad_deploy', 'low');
    const done = await finished(id);
    expect(done.status, done.reason).toBe('SUCCEEDED');
    expect(done.action).toBe('rollback');
    expect(done.gitOps).toEqual({ tool: 'argocd', app: 'shop-user-service' });
    expect(done.reason).toMatch(/^verified: rolled back through Argo CD application shop-user-service to history id 7 \(revision 1{40}\); /);
    expect(done.plan.argocd).toEqual({
      application: 'shop-user-service',
      historyId: 7,
      revision: '1'.repeat(40),
      fromHistoryId: 8,
      fromRevision: '2'.repeat(40),
    });
    expect(done.snapshot.argocd).toEqual({ application: 'shop-user-service', historyId: 8, revision: '2'.repeat(40) });
    const execute = done.audit.find((a: any) => a.step === 'execute');
    expect(execute.result).toBe(`rolled back through Argo CD application shop-user-service to history id 7 (revision ${'1'.repeat(40)})`);
    // Exactly one rollback call, with Argo CD's body and the bearer token.
    const rollbacks = argo.requests.filter((r) => r.method === 'POST');
    expect(rollbacks).toEqual([
      {
        method: 'POST',
        path: '/api/v1/applications/shop-user-service/rollback',
        authorization: `Bearer ${argo.token}`,
        contentType: 'application/json',
        body: '{"id":7,"prune":false,"dryRun":false}',
      },
    ]);
    // The deployment was not patched behind Argo CD's back: same revision, same template.
    const after = (await kreq(info.prod, 'GET', '/apis/apps/v1/namespaces/shop/deployments/user-service')).body;
    expect(after.metadata.annotations['deployment.kubernetes.io/revision']).toBe(before.revision);
    expect(after.spec.template.spec.containers[0].image).toBe(before.image);
    // The token is in no record or audit entry.
    expect(JSON.stringify(done)).not.toContain(argo.token);
  }, 180_000);

  it('bad_deploy on an Argo-managed deployment without an Argo CD target for its cluster is proposed, not applied', async () => {
    const before = await argoManaged('dev', 'payment-service', 'shop-payment-service');
    const calls = argo.requests.length;
    const done = await finished(await heal('dev', 'payment-service', 'bad_deploy', 'low'));
    expect(done.status).toBe('SKIPPED');
    expect(done.action).toBe('rollback');
    expect(done.reason).toMatch(
      /^managed by Argo CD application shop-payment-service: proposed "Roll payment-service back from revision \d+ to \d+.*" instead of patching it behind Argo CD's back; apply it through Git$/,
    );
    expect(argo.requests.length).toBe(calls);
    const after = (await kreq(info.dev, 'GET', '/apis/apps/v1/namespaces/shop/deployments/payment-service')).body;
    expect(after.metadata.annotations['deployment.kubernetes.io/revision']).toBe(before.revision);
  }, 180_000);
});
