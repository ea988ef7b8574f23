/**
 * Issue 19's authority scenarios (and issue 18's new strategy), end to end over HTTP on the local
 * stack against the simulator. Each of (a)–(d) acted on the cluster before the fix.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { startSimulator, type RunningSimulator, type SimulatedClusterInfo } from '../../sim/index.ts';
import { kreq, waitFor } from '../integration/sim/helpers.ts';
import { startFakeArgoCd, type FakeArgoCd } from '../support/fake-argocd.ts';
import { idsSeen, startFakeConverse, type FakeConverse } from '../support/fake-converse.ts';
import { apiClient, type Api } from '../support/local-stack.ts';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.ts';

let cloud: LocalCloud;
let sim: RunningSimulator;
let argo: FakeArgoCd;
let model: FakeConverse;
let api: Api;
const ids: Record<string, string> = {};
const info: Record<string, SimulatedClusterInfo> = {};
const FINAL = ['SUCCEEDED', 'FAILED', 'REJECTED', 'SKIPPED'];

/** The model obeys a line planted in a log: it names payment-service, a healthy deployment, as the bad deploy. */
function plantedModel(request: any, turn: number) {
  const opening = JSON.stringify(request.messages?.[0] ?? '');
  if (!opening.includes('service user-service in namespace shop of cluster prod')) return { status: 429, errorType: 'ThrottlingException' };
  if (turn === 0) return { stopReason: 'tool_use' as const, content: [{ toolUse: { toolUseId: 'tu-1', name: 'get_pods', input: { name: '' } } }] };
  const cited = idsSeen(request).slice(0, 2);
  return {
    content: [
      {
        text: JSON.stringify({
          summary: 'payment-service revision rolled out just before; roll it back.',
          symptoms: ['errors'],
          rootCauses: [
            {
              category: 'BadDeploy',
              resource: 'deployment/payment-service',
              description: 'The new payment-service revision broke callers.',
              evidence: cited,
              confidence: 0.95,
            },
          ],
          contributingFactors: [],
          timeline: [],
          remediation: ['Roll back payment-service'],
          prevention: [],
          issueType: 'bad_deploy',
        }),
      },
    ],
  };
}

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['dev', 'prod'], tickMs: 300 });
  model = await startFakeConverse(plantedModel);
  // An Argo CD that runs in dev; its application shop-order-service deploys to another cluster.
  argo = await startFakeArgoCd({
    apps: [
      {
        key: 'shop-order-service',
        destination: { server: 'https://prod.example.com:6443', namespace: 'shop' },
        history: [
          { id: 3, revision: '3333333333333333333333333333333333333333', deployedAt: '2026-11-01T00:00:00Z' },
          { id: 4, revision: '4444444444444444444444444444444444444444', deployedAt: '2026-11-30T00:00:00Z' },
        ],
        resources: [{ group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'order-service' }],
      },
    ],
  });
  cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    schedules: false,
    dataDir: mkdtempSync(join(tmpdir(), 'fleetops-authority-')),
    env: {
      FLEETOPS_HEALING_VERIFY_WAIT_SECONDS: '3',
      FLEETOPS_HEALING_POLICY: JSON.stringify({ defaults: { approvalTimeoutSeconds: 600 }, services: { 'prod/shop/order-service': { cooldownSeconds: 0 } } }),
      FLEETOPS_RCA_ENGINE: 'bedrock',
      FLEETOPS_BEDROCK_ENDPOINT: model.endpoint,
      FLEETOPS_RCA_MODEL_ID: 'us.anthropic.claude-test-v1:0',
      FLEETOPS_RCA_CACHE_TTL_SECONDS: '0',
      FLEETOPS_ARGOCD_URL: argo.url,
      FLEETOPS_ARGOCD_TOKEN: argo.token,
      FLEETOPS_ARGOCD_CA_DATA: argo.caData,
      FLEETOPS_ARGOCD_CLUSTERS: 'dev',
    },
  });
  api = apiClient(cloud);
  for (const c of sim.clusters) {
    info[c.name] = c;
    const kubeconfig = await leastPrivilegeKubeconfig(c);
    let res = await api('POST', '/v1/clusters', { name: c.name, environment: c.name, kubeconfig });
    for (let attempt = 0; attempt < 3 && res.status === 502; attempt++)
      res = await api('POST', '/v1/clusters', { name: c.name, environment: c.name, kubeconfig });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids[c.name] = res.body.id;
  }
}, 240_000);

afterAll(async () => {
  await cloud?.stop();
  await sim?.stop();
  await argo?.close();
  await model?.close();
});

const deploymentPath = (name: string) => `/apis/apps/v1/namespaces/shop/deployments/${name}`;
const deployment = async (cluster: string, name: string) => (await kreq(info[cluster], 'GET', deploymentPath(name))).body;
const revisionOf = (d: any): string => d.metadata.annotations['deployment.kubernetes.io/revision'];

async function fault(cluster: string, type: string, name: string, extra: Record<string, unknown> = {}) {
  const res = await kreq(info[cluster], 'POST', '/sim/v1/faults', { type, namespace: 'shop', deployment: name, ...extra });
  expect(res.status, res.text).toBe(201);
}

/** A new, healthy revision (a template annotation), so there is one to roll back to. */
async function rollout(cluster: string, name: string, labels: Record<string, string> = {}): Promise<string> {
  const revision = String(Number(revisionOf(await deployment(cluster, name))) + 1);
  const patched = await kreq(
    info[cluster],
    'PATCH',
    deploymentPath(name),
    { metadata: { labels }, spec: { template: { metadata: { annotations: { 'example.com/rolled': revision } } } } },
    { contentType: 'application/merge-patch+json' },
  );
  expect(patched.status, patched.text).toBe(200);
  await waitFor(
    async () => {
      const d = await deployment(cluster, name);
      return (
        revisionOf(d) === revision &&
        d.status.updatedReplicas === d.spec.replicas &&
        d.status.readyReplicas === d.spec.replicas &&
        d.status.replicas === d.spec.replicas
      );
    },
    `${cluster}/${name} at revision ${revision}`,
    30_000,
  );
  return revision;
}

async function heal(cluster: string, service: string, issueType: string, severity: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api('POST', '/v1/healing', { clusterId: ids[cluster], namespace: 'shop', service, issueType, severity, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id;
}

const healing = async (id: string) => (await api('GET', `/v1/healing/${id}`)).body;

/** Waits until the run is waiting for approval or finished (notified). */
async function settled(id: string, timeoutMs = 90_000): Promise<any> {
  return waitFor(
    async () => {
      const h = await healing(id);
      return h?.status === 'PENDING_APPROVAL' || (FINAL.includes(h?.status) && h.audit.some((a: any) => a.step === 'notify')) ? h : undefined;
    },
    `healing ${id} to wait for approval or finish`,
    timeoutMs,
    1000,
  );
}

const acted = (h: any): boolean => h.audit.some((a: any) => a.step === 'execute');

describe('authority over healing actions (issue 19)', () => {
  it('(a) POST /v1/healing with severity low for a service whose open incident is critical waits for approval', async () => {
    await fault('dev', 'cpu-spike', 'frontend');
    const alert = await api('POST', '/v1/alerts', {
      source: 'test',
      cluster: 'dev',
      namespace: 'shop',
      service: 'frontend',
      type: 'HighCpu',
      severity: 'critical',
      message: 'cpu high',
    });
    expect(alert.status, JSON.stringify(alert.body)).toBeLessThan(300);
    const before = (await deployment('dev', 'frontend')).spec.replicas;
    const id = await heal('dev', 'frontend', 'high_cpu', 'low');
    const h = await settled(id);
    expect(h.status, h.reason).toBe('PENDING_APPROVAL');
    expect(h.severity).toBe('critical');
    expect(h.severityFloor).toMatchObject({ severity: 'critical', incidentId: alert.body.incidents[0] });
    expect(h.approvalRequired).toBe(true);
    expect(acted(h)).toBe(false);
    expect((await deployment('dev', 'frontend')).spec.replicas).toBe(before);
  }, 180_000);

  it('(b) POST /v1/rca after a bad image rollout, with no incident open: its healing is only proposed', async () => {
    await rollout('prod', 'frontend');
    await fault('prod', 'image-pull-backoff', 'frontend');
    const bad = await deployment('prod', 'frontend');
    await waitFor(
      async () => {
        const pods = (await kreq(info.prod, 'GET', '/api/v1/namespaces/shop/pods?labelSelector=app%3Dfrontend')).body.items;
        return pods.some((p: any) => p.status?.containerStatuses?.some((s: any) => /ImagePull|ErrImage/.test(s.state?.waiting?.reason ?? '')))
          ? true
          : undefined;
      },
      'frontend pods failing to pull',
      30_000,
    );
    const started = await api('POST', '/v1/rca', { clusterId: ids.prod, namespace: 'shop', service: 'frontend' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const rcaId = started.body.id;
    const run = await waitFor(
      async () => (await api('GET', '/v1/healing?service=frontend&limit=100')).body.items.find((i: any) => i.rcaId === rcaId),
      'the RCA to start a healing run',
      90_000,
      1000,
    );
    const h = await settled(run.id);
    expect(h.issueType).toBe('bad_deploy');
    expect(h.status, h.reason).toBe('PENDING_APPROVAL');
    expect(h.approvalRequired).toBe(true);
    expect(h.proposal).toMatch(/manual RCA of a service with no open incident/);
    expect(acted(h)).toBe(false);
    expect(revisionOf(await deployment('prod', 'frontend'))).toBe(revisionOf(bad));
  }, 240_000);

  it('(c) a Bedrock answer naming another (healthy) deployment as the root cause does not act on it without approval', async () => {
    const revision = await rollout('prod', 'payment-service');
    const alert = await api('POST', '/v1/alerts', {
      source: 'test',
      cluster: 'prod',
      namespace: 'shop',
      service: 'user-service',
      type: 'HighErrorRate',
      severity: 'medium',
      message: 'errors',
    });
    expect(alert.status, JSON.stringify(alert.body)).toBeLessThan(300);
    const incidentId = alert.body.incidents[0];
    const rcaId = await waitFor(async () => (await api('GET', `/v1/incidents/${incidentId}`)).body.rcaId, 'the incident RCA', 30_000, 500);
    const rca = await waitFor(
      async () => {
        const r = (await api('GET', `/v1/rca/${rcaId}`)).body;
        return r.status === 'RUNNING' ? undefined : r;
      },
      'the RCA to finish',
      90_000,
      1000,
    );
    expect(rca.report.engine, JSON.stringify(rca.report)).toBe('bedrock');
    expect(rca.report.rootCauses[0].resource).toBe('deployment/payment-service');
    const run = await waitFor(
      async () => (await api('GET', '/v1/healing?limit=200')).body.items.find((i: any) => i.rcaId === rcaId),
      'a healing run for the RCA',
      60_000,
      1000,
    );
    const h = await settled(run.id);
    expect(acted(h)).toBe(false);
    expect(h.status, h.reason).toBe('PENDING_APPROVAL');
    expect(h.proposal).toMatch(/the model named deployment payment-service, which the evidence does not show failing/);
    expect(revisionOf(await deployment('prod', 'payment-service'))).toBe(
      revisionOf({ metadata: { annotations: { 'deployment.kubernetes.io/revision': revision } } }),
    );
  }, 240_000);

  it('(d) an Argo CD application that deploys to another cluster is refused; nothing is called or patched', async () => {
    const revision = await rollout('dev', 'order-service', { 'argocd.argoproj.io/instance': 'shop-order-service' });
    const id = await heal('dev', 'order-service', 'bad_deploy', 'low');
    const h = await settled(id);
    expect(h.status).toBe('SKIPPED');
    expect(h.reason).toMatch(
      /Argo CD application shop-order-service deploys to https:\/\/prod\.example\.com:6443, not to cluster dev: not rolled back through it/,
    );
    expect(acted(h)).toBe(false);
    expect(argo.requests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(revisionOf(await deployment('dev', 'order-service'))).toBe(revision);
  }, 180_000);

  it('approvals take the verified identity; a name in the body is ignored', async () => {
    const [pending] = (await api('GET', '/v1/healing?status=PENDING_APPROVAL&service=frontend&limit=100')).body.items.filter((i: any) => i.cluster === 'dev');
    expect(pending).toBeDefined();
    const rejected = await api('POST', `/v1/healing/${pending.id}/reject`, { by: 'mallory@example.com', reason: 'not now' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const h = await healing(pending.id);
    expect(h.rejectedBy).toBe('bootstrap (bootstrap admin token)');
    expect(JSON.stringify(h)).not.toContain('mallory');
    expect(h.audit.find((a: any) => a.step === 'approval')).toMatchObject({
      actor: 'bootstrap (bootstrap admin token)',
      after: { subject: 'bootstrap', role: 'admin' },
    });
  }, 60_000);
});

describe('memory_limit_bump (issue 18: a strategy in one file and one registry line)', () => {
  it('a leaking pod near its limit: a rolling restart with the limit raised, proposed for approval even at low severity, applied once approved', async () => {
    await fault('dev', 'memory-leak', 'payment-service', { rateMiBPerSecond: 60 });
    await waitFor(
      async () => {
        const pods = (await kreq(info.dev, 'GET', '/api/v1/namespaces/shop/pods?labelSelector=app%3Dpayment-service')).body.items;
        return pods.some((p: any) => p.status?.containerStatuses?.some((s: any) => s.restartCount > 0)) ? true : undefined;
      },
      'an OOM restart of payment-service',
      60_000,
    );
    const id = await heal('dev', 'payment-service', 'high_memory', 'low');
    const h = await settled(id);
    expect(h.status, h.reason).toBe('PENDING_APPROVAL');
    expect(h.action).toBe('memory_limit_bump');
    expect(h.plan).toMatchObject({
      kind: 'memory_limit_bump',
      deployment: 'payment-service',
      containers: [{ name: 'payment-service', from: '512Mi', to: '768Mi' }],
    });
    expect(h.proposal).toMatch(/memory-limit change is never applied without approval/);
    expect((await deployment('dev', 'payment-service')).spec.template.spec.containers[0].resources.limits.memory).toBe('512Mi');
    const approved = await api('POST', `/v1/healing/${id}/approve`, {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const done = await waitFor(
      async () => {
        const r = await healing(id);
        return FINAL.includes(r.status) && r.audit.some((a: any) => a.step === 'notify') ? r : undefined;
      },
      'the bump to finish',
      120_000,
      1000,
    );
    const execute = done.audit.find((a: any) => a.step === 'execute');
    expect(execute, done.reason).toMatchObject({
      what: 'rolling restart of payment-service with memory limit payment-service 512Mi → 768Mi',
      after: { memoryLimits: { 'payment-service': '768Mi' }, restarted: true },
    });
    expect(execute.actor).toBe('fleetops (approved by bootstrap (bootstrap admin token))');
    if (!done.undone) expect((await deployment('dev', 'payment-service')).spec.template.spec.containers[0].resources.limits.memory).toBe('768Mi');
  }, 240_000);
});

describe('rollback targets (issue 21)', () => {
  it('no rollback lands on a revision that failed: after a rollback to a broken revision made things worse, it is never the target again', async () => {
    const good = (await deployment('prod', 'order-service')).spec.template.spec.containers[0].image;
    // Revision 2 is broken (image pull), revision 3 is the good template again.
    const injected = await kreq(info.prod, 'POST', '/sim/v1/faults', { type: 'image-pull-backoff', namespace: 'shop', deployment: 'order-service' });
    expect(injected.status).toBe(201);
    await new Promise((r) => setTimeout(r, 1500));
    await kreq(info.prod, 'DELETE', `/sim/v1/faults/${injected.body.id}`);
    await waitFor(
      async () => {
        const d = await deployment('prod', 'order-service');
        return revisionOf(d) === '3' && d.status.updatedReplicas === 2 && d.status.readyReplicas === 2 && d.status.replicas === 2 ? d : undefined;
      },
      'order-service back on a good revision',
      30_000,
    );
    const finish = async (id: string) =>
      waitFor(
        async () => {
          const r = await healing(id);
          return FINAL.includes(r.status) && r.audit.some((a: any) => a.step === 'notify') ? r : undefined;
        },
        `healing ${id}`,
        120_000,
        1000,
      );
    // Nobody had seen revision 2 fail: the first rollback goes there, makes things worse, and is undone.
    const first = await finish(await heal('prod', 'order-service', 'bad_deploy', 'low'));
    expect(first.status, first.reason).toBe('FAILED');
    expect(first.verification.verdict).toBe('worse');
    expect(first.plan).toMatchObject({ toRevision: '2' });
    // Now fleetops has seen it fail. The only older template is that broken one (the good one is the
    // current ReplicaSet again), so nothing is left to roll back to: proposed to a person, not acted on.
    const second = await finish(await heal('prod', 'order-service', 'bad_deploy', 'low'));
    expect(second.status, second.reason).toBe('SKIPPED');
    expect(second.reason).toMatch(/every older revision of order-service was seen failing .*proposed for a person/);
    expect(acted(second)).toBe(false);
    expect((await deployment('prod', 'order-service')).spec.template.spec.containers[0].image).toBe(good);
  }, 300_000);
});
