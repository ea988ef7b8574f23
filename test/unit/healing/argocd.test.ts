import { describe, expect, it } from 'vitest';
import { argoAppRef, argoRollback, type ArgoAppRef, type ArgoCdApplication } from '../../../functions/core/healing/argocd.ts';
import type { ArgoCdTarget, HealingCluster } from '../../../functions/core/healing/ports.ts';
import type { HealingRequest, WorkloadState } from '../../../functions/core/healing/types.ts';
import { apiWorkload, healingRequest, healingSteps } from '../../support/healing-fixtures.ts';

const WHERE = { namespace: 'shop', deployment: 'api', cluster: { name: 'prod', server: 'https://prod.example.com:6443/' } };

function application(overrides: Partial<ArgoCdApplication> = {}): ArgoCdApplication {
  return {
    name: 'shop-api',
    autoSync: false,
    sync: { status: 'Synced', revision: 'c3' },
    health: 'Degraded',
    history: [
      { id: 3, revision: 'c3', deployedAt: '2026-12-01T11:50:00Z' },
      { id: 1, revision: 'a1', deployedAt: '2026-11-01T00:00:00Z' },
      { id: 2, revision: 'b2', deployedAt: '2026-11-20T00:00:00Z' },
    ],
    resources: [
      { kind: 'Service', name: 'api', namespace: 'shop' },
      { group: 'apps', kind: 'Deployment', name: 'api', namespace: 'shop' },
    ],
    destination: { server: 'https://prod.example.com:6443', namespace: 'shop' },
    ...overrides,
  };
}

describe('Argo CD: which application, and whether it can roll back', () => {
  it('reads the instance label / tracking-id app name, with apps in any namespace', () => {
    expect(argoAppRef('shop-api')).toEqual({ name: 'shop-api' });
    expect(argoAppRef('team-a_shop-api')).toEqual({ name: 'shop-api', appNamespace: 'team-a' });
    expect(argoAppRef('a_b_c')).toBeUndefined();
    expect(argoAppRef('../etc')).toBeUndefined();
    expect(argoAppRef('Shop')).toBeUndefined();
  });

  it('rolls back to the history entry before the deployed (newest) one', () => {
    expect(argoRollback(application(), WHERE)).toEqual({
      ok: true,
      plan: { application: 'shop-api', historyId: 2, revision: 'b2', fromHistoryId: 3, fromRevision: 'c3' },
    });
  });

  it('refuses when Argo CD would: automated sync on', () => {
    const decision = argoRollback(application({ autoSync: true }), WHERE);
    expect(decision).toMatchObject({ ok: false, reason: expect.stringMatching(/automated sync is on: revert the change in Git/) });
  });

  it('refuses an application that does not list the deployment, one without earlier history, a multi-source one', () => {
    expect(argoRollback(application(), { ...WHERE, deployment: 'web' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/does not list deployment shop\/web/),
    });
    expect(argoRollback(application({ history: [{ id: 1, revision: 'a1' }] }), WHERE)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no earlier history entry/),
    });
    expect(
      argoRollback(
        application({
          history: [
            { id: 1, revisions: ['a', 'b'] },
            { id: 2, revisions: ['c', 'd'] },
          ],
        }),
        WHERE,
      ),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/several sources/) });
    // An empty resource list proves nothing: refused.
    expect(argoRollback(application({ resources: [] }), WHERE)).toMatchObject({ ok: false, reason: expect.stringMatching(/it lists none/) });
  });

  it('uses an application only if it deploys to the cluster and namespace of the workload (issue 19)', () => {
    // Another cluster (a prod app named by a label on a dev workload), by server or by name.
    expect(argoRollback(application(), { ...WHERE, cluster: { name: 'dev', server: 'https://dev.example.com:6443' } })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/deploys to https:\/\/prod.example.com:6443, not to cluster dev/),
    });
    expect(argoRollback(application({ destination: { name: 'prod', namespace: 'shop' } }), { ...WHERE, cluster: { name: 'prod' } }).ok).toBe(true);
    expect(argoRollback(application({ destination: { name: 'prod', namespace: 'shop' } }), { ...WHERE, cluster: { name: 'dev' } }).ok).toBe(false);
    // Another namespace, or a resource listed in another namespace.
    expect(argoRollback(application({ destination: { server: 'https://prod.example.com:6443', namespace: 'payments' } }), WHERE)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/namespace payments, not shop/),
    });
    expect(argoRollback(application({ resources: [{ group: 'apps', kind: 'Deployment', name: 'api', namespace: 'other' }] }), WHERE).ok).toBe(false);
    // No destination at all: refused.
    expect(argoRollback(application({ destination: undefined }), WHERE).ok).toBe(false);
    // Argo CD's own cluster (in-cluster) is this one only when the instance is known to run here.
    const inCluster = application({ destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' } });
    expect(argoRollback(inCluster, WHERE).ok).toBe(false);
    expect(argoRollback(inCluster, { ...WHERE, inCluster: 'prod' }).ok).toBe(true);
    expect(argoRollback(inCluster, { ...WHERE, inCluster: 'dev' }).ok).toBe(false);
  });
});

// ---- the workflow steps with in-memory ports ----

function workload(labels: Record<string, string>, overrides: Partial<WorkloadState> = {}): WorkloadState {
  return apiWorkload({
    labels,
    template: { spec: { containers: [{ name: 'api', image: 'api:3' }] } },
    replicaSets: [
      { name: 'api-b', revision: '2', createdAt: '2026-11-20T00:00:00Z', replicas: 0 },
      { name: 'api-c', revision: '3', createdAt: '2026-12-01T11:50:00Z', replicas: 2 },
    ],
    ...overrides,
  });
}

function setup(
  options: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    argo?: 'none' | 'configured' | 'other-cluster';
    app?: Partial<ArgoCdApplication>;
    appError?: Error;
    hpa?: boolean;
  } = {},
) {
  const clusterCalls: string[] = [];
  let state = workload(options.labels ?? { 'argocd.argoproj.io/instance': 'shop-api' }, {
    annotations: options.annotations ?? {},
    ...(options.hpa ? { hpa: { name: 'api', minReplicas: 2, maxReplicas: 4 } } : {}),
  });
  const cluster: HealingCluster = {
    clusterName: async () => 'prod',
    clusterServer: async () => 'https://prod.example.com:6443',
    workload: async () => structuredClone(state),
    scale: async (...a) => void clusterCalls.push(`scale ${a.slice(1).join(' ')}`),
    setHpaBounds: async (...a) => void clusterCalls.push(`hpa ${a[2]}`),
    deletePod: async (...a) => void clusterCalls.push(`delete ${a[2]}`),
    rollback: async () => {
      clusterCalls.push('rollout undo');
      return { revision: '4' };
    },
    restoreTemplate: async () => void clusterCalls.push('restore template'),
  };
  const argoCalls: { call: string; ref: ArgoAppRef; arg?: unknown }[] = [];
  const app = application(options.app);
  const argocd: ArgoCdTarget = {
    covers: (c) => options.argo !== 'other-cluster' || c !== 'prod',
    application: async (ref) => {
      argoCalls.push({ call: 'get', ref });
      if (options.appError) throw options.appError;
      return structuredClone(app);
    },
    rollback: async (ref, id) => void argoCalls.push({ call: 'rollback', ref, arg: id }),
    sync: async (ref, revision) => void argoCalls.push({ call: 'sync', ref, arg: revision }),
  };
  const { store, steps } = healingSteps(cluster, options.argo && options.argo !== 'none' ? { argocd } : {});
  const request = (issueType: HealingRequest['issueType'], extra: Partial<HealingRequest> = {}) => healingRequest({ issueType, ...extra });
  return { store, steps, clusterCalls, argoCalls, request, setState: (s: Partial<WorkloadState>) => (state = { ...state, ...s }) };
}

async function runToDecision(t: ReturnType<typeof setup>, issueType: HealingRequest['issueType'], extra: Partial<HealingRequest> = {}) {
  await t.steps.create('h1', t.request(issueType, extra));
  await t.steps.safety('h1');
  return t.steps.decide('h1');
}

describe('healing an Argo-managed workload', () => {
  it('without an Argo CD target: proposes the rollback, as before', async () => {
    const t = setup({ argo: 'none' });
    expect(await runToDecision(t, 'bad_deploy')).toEqual({ kind: 'final', approval: false });
    const record = t.store.records.get('h1')!;
    expect(record.status).toBe('SKIPPED');
    expect(record.reason).toBe(
      `managed by Argo CD application shop-api: proposed "Roll api back from revision 3 to 2 (kubectl rollout undo semantics)" instead of patching it behind Argo CD's back; apply it through Git`,
    );
    expect(record.gitOps).toEqual({ tool: 'argocd', app: 'shop-api' });
    expect(t.argoCalls).toEqual([]);
  });

  it('with a target that does not cover the cluster: proposes, without calling Argo CD', async () => {
    const t = setup({ argo: 'other-cluster' });
    await runToDecision(t, 'bad_deploy');
    expect(t.store.records.get('h1')!.status).toBe('SKIPPED');
    expect(t.argoCalls).toEqual([]);
  });

  it('bad_deploy rolls back through Argo CD to the previous history entry, never patching the deployment; the record and audit say so', async () => {
    const t = setup({ argo: 'configured' });
    expect(await runToDecision(t, 'bad_deploy')).toEqual({ kind: 'action', approval: false });
    const planned = t.store.records.get('h1')!;
    expect(planned.plan).toMatchObject({
      kind: 'rollback',
      argocd: { application: 'shop-api', historyId: 2, revision: 'b2', fromHistoryId: 3, fromRevision: 'c3' },
    });
    expect(planned.reason).toMatch(/^Roll api back through Argo CD application shop-api to history id 2 \(revision b2\)/);
    await t.steps.claim('h1');
    await t.steps.snapshot('h1');
    expect(t.store.records.get('h1')!.snapshot?.argocd).toEqual({ application: 'shop-api', historyId: 3, revision: 'c3' });
    await t.steps.execute('h1');
    expect(t.argoCalls.filter((c) => c.call !== 'get')).toEqual([{ call: 'rollback', ref: { name: 'shop-api' }, arg: 2 }]);
    expect(t.clusterCalls).toEqual([]);
    expect((await t.store.auditTrail('h1')).find((a) => a.step === 'execute')?.result).toBe(
      'rolled back through Argo CD application shop-api to history id 2 (revision b2)',
    );
    expect(await t.steps.verify('h1')).toEqual({ verdict: 'resolved' });
    expect((await t.store.auditTrail('h1')).find((a) => a.step === 'verify')?.after).toMatchObject({ argocd: { sync: 'Synced', health: 'Degraded' } });
    expect(await t.steps.record('h1')).toEqual({ status: 'SUCCEEDED' });
    expect(t.store.records.get('h1')!.reason).toMatch(/^verified: rolled back through Argo CD application shop-api to history id 2 \(revision b2\); /);
    expect(t.clusterCalls).toEqual([]);
  });

  it('the undo of an Argo CD rollback is a sync back to the revision deployed before', async () => {
    const t = setup({ argo: 'configured' });
    await runToDecision(t, 'bad_deploy');
    await t.steps.claim('h1');
    await t.steps.snapshot('h1');
    await t.steps.execute('h1');
    t.setState({ pods: [{ name: 'api-c-1', ready: false, phase: 'Running', restarts: 2, waitingReason: 'CrashLoopBackOff' }] });
    expect(await t.steps.verify('h1')).toEqual({ verdict: 'worse' });
    await t.steps.undo('h1');
    expect(t.argoCalls.filter((c) => c.call !== 'get')).toEqual([
      { call: 'rollback', ref: { name: 'shop-api' }, arg: 2 },
      { call: 'sync', ref: { name: 'shop-api' }, arg: 'c3' },
    ]);
    expect(t.clusterCalls).toEqual([]);
    expect((await t.store.auditTrail('h1')).find((a) => a.step === 'undo')?.result).toBe('synced Argo CD application shop-api back to revision c3');
    expect(await t.steps.record('h1')).toEqual({ status: 'FAILED' });
    expect(t.store.records.get('h1')!.reason).toMatch(/made things worse.*undone/);
  });

  it('high_error_rate with the rollout as the top cause also goes through Argo CD; tracking-id annotation with apps in any namespace', async () => {
    const t = setup({ argo: 'configured', labels: {}, annotations: { 'argocd.argoproj.io/tracking-id': 'team-a_shop-api:apps/Deployment:shop/api' } });
    const hints = {
      topCause: { category: 'deployment change', resource: 'deployment/api', confidence: 0.9 },
      recentRollout: { deployment: 'api', revision: '3', at: '2026-12-01T11:50:00Z', changed: ['image'] },
    };
    expect(await runToDecision(t, 'high_error_rate', { hints })).toEqual({ kind: 'action', approval: false });
    await t.steps.claim('h1');
    await t.steps.snapshot('h1');
    await t.steps.execute('h1');
    expect(t.argoCalls.filter((c) => c.call === 'rollback')).toEqual([{ call: 'rollback', ref: { name: 'shop-api', appNamespace: 'team-a' }, arg: 2 }]);
  });

  it('dry run plans the Argo CD rollback without making it', async () => {
    const t = setup({ argo: 'configured' });
    expect(await runToDecision(t, 'bad_deploy', { dryRun: true })).toEqual({ kind: 'final', approval: false });
    const record = t.store.records.get('h1')!;
    expect(record.status).toBe('SKIPPED');
    expect(record.reason).toMatch(
      /^dry run: would roll api back through Argo CD application shop-api to history id 2 \(revision b2\).*Argo CD was not called$/,
    );
    expect(record.plan).toMatchObject({ argocd: { historyId: 2 } });
    expect(t.argoCalls.map((c) => c.call)).toEqual(['get']);
  });

  it('proposes, saying why, when Argo CD cannot roll back (auto-sync) or cannot be read', async () => {
    const auto = setup({ argo: 'configured', app: { autoSync: true } });
    await runToDecision(auto, 'bad_deploy');
    expect(auto.store.records.get('h1')!.status).toBe('SKIPPED');
    expect(auto.store.records.get('h1')!.reason).toMatch(/behind Argo CD's back; Argo CD application shop-api syncs automatically.*apply it through Git$/);
    expect(auto.argoCalls.map((c) => c.call)).toEqual(['get']);
    const down = setup({ argo: 'configured', appError: new Error('Argo CD did not answer reading application shop-api within 10000 ms') });
    await runToDecision(down, 'bad_deploy');
    expect(down.store.records.get('h1')!.status).toBe('SKIPPED');
    expect(down.store.records.get('h1')!.reason).toMatch(/Argo CD application shop-api could not be read \(Argo CD did not answer .*\); apply it through Git$/);
    expect(down.clusterCalls).toEqual([]);
  });

  it('high_cpu on an Argo-managed workload is still proposed (replicas live in Git), HPA or not', async () => {
    for (const hpa of [false, true]) {
      const t = setup({ argo: 'configured', hpa });
      await runToDecision(t, 'high_cpu');
      expect(t.store.records.get('h1')!.status).toBe('SKIPPED');
      expect(t.store.records.get('h1')!.reason).toMatch(/proposed "Scale api out/);
      expect(t.argoCalls).toEqual([]);
      expect(t.clusterCalls).toEqual([]);
    }
  });
});
