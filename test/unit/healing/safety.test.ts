import { describe, expect, it } from 'vitest';
import { gitOpsOwner } from '../../../functions/core/healing/gitops.ts';
import { DEFAULT_SERVICE_POLICY, parseHealingPolicy, policyFor } from '../../../functions/core/healing/policy.ts';
import { activeFreezeWindow, automaticCeiling, criticalDependents, needsApproval, preflight } from '../../../functions/core/healing/safety.ts';
import { symptomScore, verdict } from '../../../functions/core/healing/verify.ts';
import type { WorkloadState } from '../../../functions/core/healing/types.ts';

const base = {
  now: new Date('2026-12-01T12:00:00Z'),
  severity: 'medium' as const,
  policy: DEFAULT_SERVICE_POLICY,
  killSwitch: { config: false, flag: false },
  freezeWindows: [],
  dependents: [],
};

describe('healing safety', () => {
  it('severity gate: low and medium act, high and critical ask', () => {
    expect(needsApproval('low', 'medium')).toBe(false);
    expect(needsApproval('medium', 'medium')).toBe(false);
    expect(needsApproval('high', 'medium')).toBe(true);
    expect(needsApproval('critical', 'medium')).toBe(true);
    expect(needsApproval('low', 'none')).toBe(true);
  });

  it('critical dependents at risk lower the automatic ceiling', () => {
    const graph = { frontend: ['orders', 'users'], orders: ['payments'], checkout: ['payments'] };
    expect(criticalDependents('payments', graph, ['frontend', 'checkout'])).toEqual(['checkout', 'frontend']);
    expect(criticalDependents('payments', graph, [])).toEqual([]);
    expect(automaticCeiling('medium', 1)).toBe('low');
    expect(automaticCeiling('medium', 2)).toBe('none');
    const gated = preflight({ ...base, dependents: ['checkout'] });
    expect(gated).toMatchObject({ ok: true, ceiling: 'low', approval: true, note: expect.stringMatching(/checkout/) });
  });

  it('kill switch (configuration or flag), freeze windows and cool-down skip with a reason', () => {
    expect(preflight({ ...base, killSwitch: { config: true, flag: false } })).toMatchObject({ ok: false, reason: expect.stringMatching(/kill switch/) });
    expect(preflight({ ...base, killSwitch: { config: false, flag: true } })).toMatchObject({ ok: false, reason: expect.stringMatching(/kill switch flag/) });
    const freeze = [{ start: '2026-12-01T00:00:00Z', end: '2026-12-02T00:00:00Z', name: 'release' }];
    expect(preflight({ ...base, freezeWindows: freeze })).toMatchObject({ ok: false, reason: expect.stringMatching(/change freeze "release"/) });
    expect(preflight({ ...base, cooldownUntil: '2026-12-01T12:10:00Z' })).toMatchObject({ ok: false, reason: expect.stringMatching(/cool-down/) });
    expect(preflight({ ...base, cooldownUntil: '2026-12-01T11:59:00Z' })).toMatchObject({ ok: true, approval: false });
  });

  it('weekly freeze windows, including ones that wrap midnight', () => {
    const fridayNight = [{ days: [5], from: '22:00', to: '06:00' }];
    expect(activeFreezeWindow(fridayNight, new Date('2026-12-04T23:00:00Z'))).toBeDefined(); // Friday 23:00
    expect(activeFreezeWindow(fridayNight, new Date('2026-12-05T05:59:00Z'))).toBeDefined(); // Saturday 05:59
    expect(activeFreezeWindow(fridayNight, new Date('2026-12-05T06:00:00Z'))).toBeUndefined();
    expect(activeFreezeWindow(fridayNight, new Date('2026-12-03T23:00:00Z'))).toBeUndefined(); // Thursday
  });

  it('GitOps owners are recognised by their labels and annotations', () => {
    expect(gitOpsOwner({ 'argocd.argoproj.io/instance': 'shop' }, {})).toEqual({ tool: 'argocd', app: 'shop' });
    expect(gitOpsOwner({ 'app.kubernetes.io/instance': 'shop' }, { 'argocd.argoproj.io/tracking-id': 'shop-prod:apps/Deployment:shop/api' })).toEqual({
      tool: 'argocd',
      app: 'shop-prod',
    });
    expect(gitOpsOwner({ 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' }, {})).toEqual({
      tool: 'flux',
      app: 'Kustomization flux-system/apps',
    });
    expect(gitOpsOwner({ 'helm.toolkit.fluxcd.io/name': 'api' }, {})).toEqual({ tool: 'flux', app: 'HelmRelease api' });
    expect(gitOpsOwner({ 'app.kubernetes.io/instance': 'shop' }, {})).toBeUndefined();
  });

  it('policy: defaults, per-service overrides (most specific wins), strict parsing', () => {
    const config = parseHealingPolicy(
      JSON.stringify({
        defaults: { maxReplicas: 8 },
        services: { api: { scaleStep: 3 }, 'prod/shop/api': { scaleStep: 1, strategies: { high_cpu: 'handover' } } },
      }),
    );
    expect(policyFor(config, { cluster: 'dev', namespace: 'shop', service: 'api' })).toMatchObject({ maxReplicas: 8, scaleStep: 3, actionsPerHour: 3 });
    expect(policyFor(config, { cluster: 'prod', namespace: 'shop', service: 'api' })).toMatchObject({ scaleStep: 1, strategies: { high_cpu: 'handover' } });
    expect(() => parseHealingPolicy('{"defaults":{"maxReplicas":-1}}')).toThrow(/maxReplicas/);
    expect(() => parseHealingPolicy('{"unknown":1}')).toThrow(/invalid/);
    expect(() => parseHealingPolicy('{')).toThrow(/JSON/);
  });
});

describe('healing verification', () => {
  const state = (pods: WorkloadState['pods'], replicas = pods.length): WorkloadState => ({
    deployment: 'api',
    replicas,
    readyReplicas: pods.filter((p) => p.ready).length,
    revision: '1',
    labels: {},
    annotations: {},
    template: {},
    cpuLimitCores: 0.5,
    memoryLimitBytes: 1000,
    replicaSets: [],
    pods,
  });
  const pod = (name: string, extra: Partial<WorkloadState['pods'][number]> = {}) => ({ name, ready: true, phase: 'Running', restarts: 0, ...extra });

  it('scores CPU against the limit, memory by the worst pod, rollouts by pods in trouble', () => {
    expect(symptomScore('high_cpu', state([pod('a', { cpuCores: 0.45 }), pod('b', { cpuCores: 0.35 })]))).toBeCloseTo(0.8);
    expect(symptomScore('high_memory', state([pod('a', { memoryBytes: 900 }), pod('b', { memoryBytes: 100 })]))).toBeCloseTo(0.9);
    expect(symptomScore('bad_deploy', state([pod('a'), pod('b'), pod('c', { ready: false, waitingReason: 'ErrImagePull' })], 2))).toBeCloseTo(0.5);
  });

  it('resolved only below the target; worse on fewer ready pods or a higher symptom', () => {
    const policy = DEFAULT_SERVICE_POLICY;
    expect(verdict({ issueType: 'high_cpu', policy, before: { symptom: 0.93, ready: 2 }, after: { symptom: 0.46, ready: 4 } })).toBe('resolved');
    expect(verdict({ issueType: 'high_cpu', policy, before: { symptom: 0.93, ready: 2 }, after: { symptom: 0.9, ready: 4 } })).toBe('unchanged');
    expect(verdict({ issueType: 'high_cpu', policy, before: { symptom: 0.93, ready: 2 }, after: { symptom: 0.3, ready: 1 } })).toBe('worse');
    expect(verdict({ issueType: 'bad_deploy', policy, before: { symptom: 0, ready: 2 }, after: { symptom: 0.5, ready: 2 } })).toBe('worse');
    expect(verdict({ issueType: 'bad_deploy', policy, before: { symptom: 1, ready: 0 }, after: { symptom: 0, ready: 2 } })).toBe('resolved');
  });
});
