import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_POLICY } from '../../../functions/core/healing/policy.ts';
import { decide } from '../../../functions/core/healing/strategies.ts';
import { HEALABLE_ISSUE_TYPES, STRATEGIES, strategyCatalogue, strategyForPlan } from '../../../functions/core/healing/strategies/index.ts';
import { memoryLimitBump, parseMemory } from '../../../functions/core/healing/strategies/memory-limit-bump.ts';
import type { HealingCluster } from '../../../functions/core/healing/ports.ts';
import type { WorkloadState } from '../../../functions/core/healing/types.ts';
import { symptomScore } from '../../../functions/core/healing/verify.ts';
import { NOW, apiPods, apiWorkload, healingRequest } from '../../support/healing-fixtures.ts';

const MI = 2 ** 20;

function leaking(overrides: Partial<WorkloadState> = {}): WorkloadState {
  return apiWorkload({
    template: {
      metadata: { labels: { app: 'api' } },
      spec: {
        containers: [
          { name: 'app', image: 'api:1', resources: { limits: { memory: '256Mi', cpu: '500m' } } },
          { name: 'sidecar', image: 's:1' },
        ],
      },
    },
    memoryLimitBytes: 256 * MI,
    pods: apiPods({ memoryBytes: 240 * MI }, { memoryBytes: 120 * MI }),
    ...overrides,
  });
}

const request = healingRequest({ issueType: 'high_memory' });

describe('the strategy registry', () => {
  it('has one file per strategy, each registered once, and every plan kind has exactly one executor', () => {
    const dir = join(import.meta.dirname, '../../../functions/core/healing/strategies');
    const files = readdirSync(dir).filter((f) => !['index.ts', 'types.ts', 'common.ts', 'rollback.ts'].includes(f));
    expect(files.length).toBe(STRATEGIES.length);
    expect(new Set(STRATEGIES.map((s) => s.id)).size).toBe(STRATEGIES.length);
    for (const kind of ['scale_out', 'restart_pod', 'rollback', 'memory_limit_bump'] as const) expect(strategyForPlan({ kind })).toBeDefined();
    expect(HEALABLE_ISSUE_TYPES).toEqual(['high_cpu', 'high_memory', 'pod_crash_loop', 'high_error_rate', 'bad_deploy']);
    // The model's prompt reads the same list: every strategy's words are in it.
    expect(strategyCatalogue().join('\n')).toContain('memory_limit_bump: high_memory on a leaking pod');
  });

  it('memory_limit_bump: a pod near its limit gets a rolling restart with the limit raised by half, always for approval', () => {
    const decision = decide(request, leaking(), DEFAULT_SERVICE_POLICY, NOW);
    expect(decision).toMatchObject({
      kind: 'action',
      action: { kind: 'memory_limit_bump', deployment: 'api', containers: [{ name: 'app', from: '256Mi', to: '384Mi' }] },
      approval: expect.stringMatching(/never applied without approval/),
    });
    // An OOM-restarted pod counts as leaking even when memory is low right after the restart.
    const restarted = leaking({
      pods: [
        { name: 'p1', ready: true, phase: 'Running', restarts: 2, memoryBytes: 100 * MI },
        { name: 'p2', ready: true, phase: 'Running', restarts: 0, memoryBytes: 150 * MI },
      ],
    });
    expect(decide(request, restarted, DEFAULT_SERVICE_POLICY, NOW)).toMatchObject({ action: { kind: 'memory_limit_bump' } });
    // Not near the limit and never restarted: the plain restart of the biggest pod, as before.
    const calm = leaking({
      pods: [
        { name: 'p1', ready: true, phase: 'Running', restarts: 0, memoryBytes: 200 * MI },
        { name: 'p2', ready: true, phase: 'Running', restarts: 0, memoryBytes: 100 * MI },
      ],
    });
    expect(decide(request, calm, DEFAULT_SERVICE_POLICY, NOW)).toMatchObject({ action: { kind: 'restart_pod', pod: 'p1' } });
    // No memory limit in the template: nothing to bump.
    expect(decide(request, leaking({ template: { spec: { containers: [{ name: 'app' }] } } }), DEFAULT_SERVICE_POLICY, NOW)).toMatchObject({
      action: { kind: 'restart_pod' },
    });
    expect(symptomScore('high_memory', leaking())).toBeCloseTo(240 / 256);
  });

  it('memory_limit_bump executes as one template change (restart annotation + limits) and undoes to the snapshot', async () => {
    const calls: { deployment: string; template: any }[] = [];
    const cluster = {
      restoreTemplate: async (_c: string, _n: string, deployment: string, template: unknown) => void calls.push({ deployment, template }),
    } as unknown as HealingCluster;
    const state = leaking();
    const ctx = { cluster, clusterId: 'c1', namespace: 'shop', workload: async () => state };
    const plan = { kind: 'memory_limit_bump' as const, deployment: 'api', containers: [{ name: 'app', from: '256Mi', to: '384Mi' }] };
    expect(await memoryLimitBump.execute(plan, ctx)).toMatchObject({ changed: true });
    const applied = calls[0].template;
    expect(applied.spec.containers[0].resources.limits).toEqual({ memory: '384Mi', cpu: '500m' });
    expect(applied.spec.containers[1].resources).toBeUndefined();
    expect(applied.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-/);
    expect((state.template as any).spec.containers[0].resources.limits.memory).toBe('256Mi');
    await memoryLimitBump.undo(plan, { template: state.template } as never, ctx);
    expect(calls[1].template).toBe(state.template);
    expect(memoryLimitBump.describe(plan)).toBe('rolling restart of api with memory limit app 256Mi → 384Mi');
  });

  it('parses Kubernetes memory quantities', () => {
    expect(parseMemory('512Mi')).toBe(512 * MI);
    expect(parseMemory('1G')).toBe(1e9);
    expect(parseMemory('134217728')).toBe(134217728);
    expect(parseMemory('lots')).toBeUndefined();
  });
});

describe('rollbacks go to the newest older revision nobody saw failing (issue 21)', () => {
  const history = (overrides: Partial<WorkloadState> = {}): WorkloadState =>
    leaking({
      revision: '4',
      replicaSets: [
        { name: 'api-1', revision: '1', replicas: 0 },
        { name: 'api-2', revision: '2', replicas: 0 },
        { name: 'api-3', revision: '3', replicas: 0 },
        { name: 'api-4', revision: '4', replicas: 2 },
      ],
      pods: [{ name: 'api-4-x', ready: false, phase: 'Pending', restarts: 0, waitingReason: 'ImagePullBackOff' }],
      ...overrides,
    });
  const bad = { ...request, issueType: 'bad_deploy' as const };

  it('skips revisions fleetops saw failing, keeps kubectl semantics otherwise, and proposes when none is left', () => {
    expect(decide(bad, history(), DEFAULT_SERVICE_POLICY, NOW)).toMatchObject({
      action: { kind: 'rollback', fromRevision: '4', toRevision: '3', fromReplicaSet: 'api-4', toReplicaSet: 'api-3' },
    });
    expect(decide(bad, history(), DEFAULT_SERVICE_POLICY, NOW, new Set(['api-3', 'api-2']))).toMatchObject({
      action: { kind: 'rollback', toRevision: '1', toReplicaSet: 'api-1' },
    });
    const none = decide(bad, history(), DEFAULT_SERVICE_POLICY, NOW, new Set(['api-1', 'api-2', 'api-3']));
    expect(none).toMatchObject({ kind: 'handover', summary: expect.stringMatching(/every older revision of api was seen failing \(3, 2, 1\)/) });
  });

  it('skips a revision whose pods fail in the cluster now', () => {
    const state = history({
      pods: [
        { name: 'api-3-y', ready: false, phase: 'Running', restarts: 4, waitingReason: 'CrashLoopBackOff' },
        { name: 'api-4-x', ready: true, phase: 'Running', restarts: 0 },
      ],
    });
    expect(decide(bad, state, DEFAULT_SERVICE_POLICY, NOW)).toMatchObject({ action: { kind: 'rollback', toRevision: '2' } });
  });

  it('executes as rollout undo to exactly that revision', async () => {
    const calls: unknown[][] = [];
    const cluster = { rollback: async (...a: unknown[]) => (calls.push(a), { revision: '1' }) } as unknown as HealingCluster;
    const plan = { kind: 'rollback' as const, deployment: 'api', fromRevision: '4', toRevision: '1' };
    await strategyForPlan(plan).execute(plan, { cluster, clusterId: 'c1', namespace: 'shop', workload: async () => history() });
    expect(calls).toEqual([['c1', 'shop', 'api', '1']]);
  });
});
