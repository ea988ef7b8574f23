import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_POLICY } from '../../../functions/core/healing/policy.ts';
import { decide, previousRevision } from '../../../functions/core/healing/strategies.ts';
import type { HealingRequest, WorkloadState } from '../../../functions/core/healing/types.ts';
import { NOW, apiPods, apiWorkload, healingRequest } from '../../support/healing-fixtures.ts';

function workload(overrides: Partial<WorkloadState> = {}): WorkloadState {
  return apiWorkload({
    cpuLimitCores: 0.5,
    memoryLimitBytes: 512 * 2 ** 20,
    replicaSets: [
      { name: 'api-a', revision: '1', createdAt: '2026-11-01T00:00:00Z', replicas: 0 },
      { name: 'api-b', revision: '2', createdAt: '2026-11-20T00:00:00Z', replicas: 0 },
      { name: 'api-c', revision: '3', createdAt: '2026-11-30T00:00:00Z', replicas: 2 },
    ],
    pods: apiPods({ memoryBytes: 300 * 2 ** 20 }, { memoryBytes: 450 * 2 ** 20 }),
    ...overrides,
  });
}

const request = (issueType: HealingRequest['issueType'], extra: Partial<HealingRequest> = {}) => healingRequest({ issueType, severity: 'medium', ...extra });

describe('healing strategies', () => {
  it('high_cpu scales out by 2, capped at 10', () => {
    expect(decide(request('high_cpu'), workload(), DEFAULT_SERVICE_POLICY, NOW)).toMatchObject({
      kind: 'action',
      action: { kind: 'scale_out', from: 2, to: 4 },
    });
    expect(decide(request('high_cpu'), workload({ replicas: 9 }), DEFAULT_SERVICE_POLICY, NOW)).toMatchObject({ action: { from: 9, to: 10 } });
    expect(decide(request('high_cpu'), workload({ replicas: 10 }), DEFAULT_SERVICE_POLICY, NOW).kind).toBe('handover');
  });

  it('high_cpu raises an HPA instead of fighting it', () => {
    const decision = decide(request('high_cpu'), workload({ hpa: { name: 'api', minReplicas: 2, maxReplicas: 3 } }), DEFAULT_SERVICE_POLICY, NOW);
    expect(decision).toMatchObject({
      kind: 'action',
      action: { kind: 'scale_out', to: 4, hpa: { name: 'api', minReplicas: { from: 2, to: 4 }, maxReplicas: { from: 3, to: 4 } } },
    });
    const roomy = decide(request('high_cpu'), workload({ hpa: { name: 'api', minReplicas: 1, maxReplicas: 8 } }), DEFAULT_SERVICE_POLICY, NOW);
    expect(roomy).toMatchObject({ action: { hpa: { minReplicas: { to: 4 }, maxReplicas: { from: 8, to: 8 } } } });
  });

  it('high_memory restarts the pod with the most memory, never the last ready one', () => {
    expect(decide(request('high_memory'), workload(), DEFAULT_SERVICE_POLICY, NOW)).toMatchObject({
      kind: 'action',
      action: { kind: 'restart_pod', pod: 'api-c-2' },
    });
    const lonely = workload({
      pods: [
        { name: 'p1', ready: true, phase: 'Running', restarts: 0 },
        { name: 'p2', ready: false, phase: 'Running', restarts: 3 },
      ],
    });
    expect(decide(request('high_memory'), lonely, DEFAULT_SERVICE_POLICY, NOW)).toMatchObject({
      kind: 'handover',
      summary: expect.stringMatching(/Only 1 ready pod/),
    });
  });

  it('pod_crash_loop hands over with suggestions, proposing a rollback after a recent rollout', () => {
    const old = decide(request('pod_crash_loop'), workload(), DEFAULT_SERVICE_POLICY, NOW);
    expect(old.kind).toBe('handover');
    if (old.kind !== 'handover') return;
    expect(old.suggestions.map((s) => s.split(':')[0])).toEqual(['Logs', 'Config', 'Dependencies', 'Rollback']);
    expect(old.suggestions[3]).toMatch(/no rollout just before/);
    const fresh = workload({
      replicaSets: [...workload().replicaSets.slice(0, 2), { name: 'api-c', revision: '3', createdAt: '2026-12-01T11:45:00Z', replicas: 2 }],
    });
    const recent = decide(request('pod_crash_loop'), fresh, DEFAULT_SERVICE_POLICY, NOW);
    if (recent.kind !== 'handover') throw new Error('expected a hand-over');
    expect(recent.suggestions[3]).toMatch(/^Rollback \(proposed\): revision 3 .* roll back to revision 2/);
  });

  it('high_error_rate rolls back only when a recent rollout is the RCA’s top cause', () => {
    const hints = {
      topCause: { category: 'deployment', resource: 'deployment/api', confidence: 0.8 },
      recentRollout: { deployment: 'api', revision: 3, at: '2026-12-01T11:50:00Z', changed: ['image'] },
    };
    expect(decide(request('high_error_rate', { hints }), workload(), DEFAULT_SERVICE_POLICY, NOW)).toMatchObject({
      kind: 'action',
      action: { kind: 'rollback', fromRevision: '3', toRevision: '2' },
    });
    const dependency = { topCause: { category: 'dependency', resource: 'service/payment', confidence: 0.9 }, recentRollout: hints.recentRollout };
    expect(decide(request('high_error_rate', { hints: dependency }), workload(), DEFAULT_SERVICE_POLICY, NOW).kind).toBe('handover');
    const stale = { ...hints, recentRollout: { ...hints.recentRollout, at: '2026-11-01T00:00:00Z' } };
    expect(decide(request('high_error_rate', { hints: stale }), workload(), DEFAULT_SERVICE_POLICY, NOW).kind).toBe('handover');
  });

  it('bad_deploy rolls back to the newest older revision, and hands over without history', () => {
    expect(decide(request('bad_deploy'), workload(), DEFAULT_SERVICE_POLICY, NOW)).toMatchObject({ action: { kind: 'rollback', toRevision: '2' } });
    expect(
      decide(request('bad_deploy'), workload({ revision: '1', replicaSets: [{ name: 'a', revision: '1', replicas: 2 }] }), DEFAULT_SERVICE_POLICY, NOW).kind,
    ).toBe('handover');
    expect(previousRevision(workload({ revision: '2' }))).toBe('1');
  });

  it('a per-service `handover` strategy overrides the default action', () => {
    const policy = { ...DEFAULT_SERVICE_POLICY, strategies: { high_cpu: 'handover' as const } };
    expect(decide(request('high_cpu'), workload(), policy, NOW).kind).toBe('handover');
  });
});
