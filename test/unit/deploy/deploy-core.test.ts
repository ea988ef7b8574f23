import { describe, expect, it } from 'vitest';
import { checkChart } from '../../../functions/core/deploy/chart.ts';
import { historyArgs, rollbackArgs, upgradeArgs } from '../../../functions/core/deploy/helm-args.ts';
import { canonicalJson, deploymentIdFor } from '../../../functions/core/deploy/identity.ts';
import { evaluateRollout, releaseDeployments, rolloutDecision } from '../../../functions/core/deploy/rollout.ts';
import { matchesSelector, planWaves } from '../../../functions/core/deploy/selector.ts';
import { deploymentsForPush } from '../../../functions/core/deploy/triggers.ts';
import { checkValues, withImage } from '../../../functions/core/deploy/values.ts';
import { CreateDeploymentRequest } from '../../../functions/schemas/deployments.ts';

const cluster = (id: string, environment: string, labels: Record<string, string> = {}) => ({ id, name: id, environment, labels, status: 'active' as const });

describe('cluster selection (ApplicationSet cluster generator semantics)', () => {
  const fleet = [
    cluster('prod-eu', 'prod', { region: 'eu', tier: 'production' }),
    cluster('dev-1', 'dev', { region: 'eu' }),
    cluster('prod-us', 'prod', { region: 'us', tier: 'production' }),
  ];

  it('matches environment, every label and every expression', () => {
    expect(matchesSelector(fleet[0], { environment: 'prod', labels: { region: 'eu' } })).toBe(true);
    expect(matchesSelector(fleet[0], { environment: 'prod', labels: { region: 'us' } })).toBe(false);
    expect(matchesSelector(fleet[1], { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] })).toBe(true);
    expect(matchesSelector(fleet[0], { matchExpressions: [{ key: 'region', operator: 'In', values: ['us', 'ap'] }] })).toBe(false);
    expect(
      matchesSelector(fleet[2], {
        matchExpressions: [
          { key: 'region', operator: 'NotIn', values: ['eu'] },
          { key: 'tier', operator: 'Exists' },
        ],
      }),
    ).toBe(true);
    expect(matchesSelector(fleet[1], {})).toBe(true);
  });

  it('puts each cluster in the first wave that selects it, in name order', () => {
    const waves = planWaves(
      [
        { name: 'dev', selector: { environment: 'dev' } },
        { name: 'canary', selector: { environment: 'prod', labels: { region: 'eu' } } },
        { name: 'rest', selector: {} },
      ],
      fleet,
    );
    expect(waves.map((w) => [w.name, w.clusters.map((c) => c.clusterId)])).toEqual([
      ['dev', ['dev-1']],
      ['canary', ['prod-eu']],
      ['rest', ['prod-us']],
    ]);
  });
});

describe('deploy ids', () => {
  it('are deterministic per source and key, and differ otherwise', () => {
    expect(deploymentIdFor('api', 'k1')).toBe(deploymentIdFor('api', 'k1'));
    expect(deploymentIdFor('api', 'k1')).not.toBe(deploymentIdFor('api', 'k2'));
    expect(deploymentIdFor('api', 'k1')).not.toBe(deploymentIdFor('ecr', 'k1'));
    expect(deploymentIdFor('api', 'k1')).toMatch(/^d-[0-9a-f]{24}$/);
  });

  it('hash requests independent of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }));
  });
});

describe('request validation', () => {
  const base = { release: 'web', namespace: 'apps', chart: { path: '/charts/web' }, waves: [{ name: 'dev', selector: { environment: 'dev' } }] };
  it('accepts the contract shape and fills the strategy defaults', () => {
    expect(CreateDeploymentRequest.parse(base).strategy).toEqual({ rolloutTimeoutSeconds: 300, verifySeconds: 60, maxConcurrency: 5 });
  });
  it.each([
    ['release flag', { release: '--debug' }],
    ['release too long', { release: 'a'.repeat(54) }],
    ['namespace upper case', { namespace: 'Apps' }],
    [
      'duplicate wave names',
      {
        waves: [
          { name: 'a', selector: {} },
          { name: 'a', selector: {} },
        ],
      },
    ],
    ['label value flag-like', { waves: [{ name: 'a', selector: { labels: { tier: '-x y' } } }] }],
    ['version flag', { chart: { repoUrl: 'https://x.example.com', name: 'web', version: '--devel' } }],
  ])('refuses %s', (_what, patch) => {
    expect(CreateDeploymentRequest.safeParse({ ...base, ...patch }).success).toBe(false);
  });
});

describe('chart policy', () => {
  const policy = { allowLoopback: false, allowLocalCharts: false };
  it('accepts https repositories and oci registries on public hosts', () => {
    expect(checkChart({ repoUrl: 'https://charts.bitnami.com/bitnami/', name: 'nginx', version: '15.0.0' }, policy)).toEqual({
      repoUrl: 'https://charts.bitnami.com/bitnami',
      name: 'nginx',
      version: '15.0.0',
    });
    expect(checkChart({ repoUrl: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts', name: 'web', version: '1.0.0' }, policy)).toMatchObject({
      repoUrl: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts',
    });
  });
  it.each([
    ['http', 'http://charts.example.com'],
    ['credentials', 'https://user:pw@charts.example.com'],
    ['query', 'https://charts.example.com/?a=b'],
    ['metadata service', 'https://169.254.169.254/'],
    ['loopback', 'oci://127.0.0.1:5000/charts'],
  ])('refuses %s', (_what, repoUrl) => {
    expect(() => checkChart({ repoUrl, name: 'web', version: '1.0.0' }, policy)).toThrow(
      expect.objectContaining({ code: 'UNSAFE_CHART', name: 'ValidationError' }),
    );
  });
  it('accepts local paths only when allowed, absolute and normalised', () => {
    expect(() => checkChart({ path: '/charts/web' }, policy)).toThrow(/local charts/);
    expect(checkChart({ path: '/charts/web' }, { ...policy, allowLocalCharts: true })).toEqual({ path: '/charts/web' });
    for (const path of ['charts/web', '/charts/../etc', '-/x']) expect(() => checkChart({ path }, { ...policy, allowLocalCharts: true })).toThrow();
  });
});

describe('helm argv', () => {
  const files = { kubeconfig: '/tmp/x/kubeconfig', values: '/tmp/x/values.json' };
  it('puts user text only after --, values through a file', () => {
    const args = upgradeArgs({
      release: 'web',
      namespace: 'apps',
      chart: { repoUrl: 'https://charts.example.com', name: 'web', version: '1.2.3' },
      files,
      timeoutSeconds: 60,
    });
    expect(args.slice(args.indexOf('--'))).toEqual(['--', 'web', 'web']);
    expect(args).toEqual(
      expect.arrayContaining(['--repo', 'https://charts.example.com', '--version', '1.2.3', '--values', files.values, '--kubeconfig', files.kubeconfig]),
    );
    expect(args[0]).toBe('upgrade');
    expect(args).not.toContain('--set');
  });
  it('uses the full oci reference', () => {
    const args = upgradeArgs({
      release: 'web',
      namespace: 'apps',
      chart: { repoUrl: 'oci://registry.example.com/charts', name: 'web', version: '1.2.3' },
      files,
      timeoutSeconds: 60,
    });
    expect(args.slice(-1)).toEqual(['oci://registry.example.com/charts/web']);
    expect(args).not.toContain('--repo');
  });
  it('rolls back to a revision, or uninstalls a first install', () => {
    expect(rollbackArgs({ release: 'web', namespace: 'apps', revision: 3, kubeconfig: 'k', timeoutSeconds: 60 }).slice(-3)).toEqual(['--', 'web', '3']);
    expect(rollbackArgs({ release: 'web', namespace: 'apps', revision: 0, kubeconfig: 'k', timeoutSeconds: 60 })[0]).toBe('uninstall');
    expect(() => historyArgs({ release: '-web', namespace: 'apps', kubeconfig: 'k' })).toThrow();
  });
});

describe('rollout verdicts', () => {
  const deployment = (status: Record<string, unknown>, generation = 2) => ({
    metadata: { name: 'web', generation, annotations: { 'meta.helm.sh/release-name': 'web' } },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } } },
    status: { observedGeneration: 2, ...status },
  });
  const pod = (reason?: string) => ({
    metadata: { name: 'web-1', labels: { app: 'web' } },
    status: { containerStatuses: [{ name: 'web', state: reason ? { waiting: { reason } } : {} }] },
  });

  it('is ready when every replica is updated and available', () => {
    expect(evaluateRollout([deployment({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 })], [pod()])).toEqual({ state: 'ready' });
  });
  it('is progressing while the new generation is unobserved, old replicas remain or new ones are unavailable', () => {
    expect(evaluateRollout([deployment({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, 3)], []).state).toBe('progressing');
    expect(evaluateRollout([deployment({ replicas: 3, updatedReplicas: 2, availableReplicas: 2 })], []).state).toBe('progressing');
    expect(evaluateRollout([deployment({ replicas: 2, updatedReplicas: 2, availableReplicas: 1 })], [pod('ContainerCreating')]).state).toBe('progressing');
  });
  it('fails on pods that will not recover and on an exceeded progress deadline', () => {
    expect(evaluateRollout([deployment({ replicas: 2, updatedReplicas: 1 })], [pod('ImagePullBackOff')])).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('ImagePullBackOff'),
    });
    expect(evaluateRollout([deployment({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] })], []).state).toBe(
      'failed',
    );
  });
  it('times out a rollout still progressing at the deadline', () => {
    expect(rolloutDecision({ state: 'progressing', reason: 'x' }, 2000, 1000)).toMatchObject({ state: 'failed', reason: expect.stringContaining('timed out') });
    expect(rolloutDecision({ state: 'progressing', reason: 'x' }, 500, 1000).state).toBe('progressing');
  });
  it('looks only at the release’s own deployments', () => {
    expect(releaseDeployments([deployment({}), { metadata: { name: 'other' } }], 'web')).toHaveLength(1);
  });
});

describe('values and triggers', () => {
  it('bounds values in size and depth', () => {
    expect(() => checkValues({ big: 'x'.repeat(70 * 1024) })).toThrow(expect.objectContaining({ code: 'VALUES_TOO_LARGE' }));
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 30; i++) deep = { d: deep };
    expect(() => checkValues(deep)).toThrow(expect.objectContaining({ code: 'VALUES_TOO_DEEP' }));
  });
  it('sets the pushed image at the configured path without touching the input', () => {
    const values = { image: { pullPolicy: 'Always' } };
    expect(withImage(values, 'image', { repository: 'r', tag: 't' })).toEqual({ image: { pullPolicy: 'Always', repository: 'r', tag: 't' } });
    expect(values).toEqual({ image: { pullPolicy: 'Always' } });
    expect(() => withImage({}, '__proto__.x', { repository: 'r', tag: 't' })).toThrow();
  });
  it('maps a push to the matching triggers with ids from the event', () => {
    const trigger = {
      repository: 'shop/web',
      tagPrefix: 'v',
      release: 'web',
      namespace: 'apps',
      chart: { path: '/c' },
      imageValuesPath: 'image',
      waves: [],
      strategy: { rolloutTimeoutSeconds: 60, verifySeconds: 0, maxConcurrency: 1 },
    };
    const push = { eventId: 'e1', account: '123456789012', region: 'eu-west-1', repository: 'shop/web', tag: 'v2' };
    const triggers = [
      { ...trigger, id: 'a' },
      { ...trigger, id: 'b', tagPrefix: 'release-' },
      { ...trigger, id: 'c', repository: 'shop/other' },
    ];
    const out = deploymentsForPush(push, triggers);
    expect(out.map((d) => d.triggerId)).toEqual(['a']);
    expect(out[0].id).toBe(deploymentsForPush(push, triggers)[0].id);
    expect(out[0].id).not.toBe(deploymentsForPush({ ...push, eventId: 'e2' }, triggers)[0].id);
    expect(out[0].values).toEqual({ image: { repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web', tag: 'v2' } });
  });
});
