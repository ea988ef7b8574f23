import { gunzipSync, gzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validateEntity, type CatalogEntity } from '../../../functions/core/catalog/entity.ts';
import { microserviceSkeleton, MicroserviceParams } from '../../../functions/core/catalog/golden-path.ts';
import { CatalogIndex } from '../../../functions/core/catalog/graph.ts';
import { computeScorecard, repositoryOf, summarize, type ScorecardFacts } from '../../../functions/core/catalog/scorecard.ts';
import { tarArchive } from '../../../functions/adapters/archive/tar-archive.ts';

const entity = (doc: Record<string, unknown>): CatalogEntity => {
  const r = validateEntity({ apiVersion: 'backstage.io/v1alpha1', ...doc });
  if (!('entity' in r)) throw new Error(r.error);
  return r.entity;
};
const svc = entity({
  kind: 'Component',
  metadata: {
    name: 'user-service',
    annotations: { 'github.com/project-slug': 'acme/user-service' },
    links: [{ url: 'https://wiki/runbooks/user', title: 'Runbook' }],
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-identity' },
});
const team = entity({ kind: 'Group', metadata: { name: 'team-identity' }, spec: { type: 'team', children: [] } });
const now = new Date('2026-12-01T00:00:00Z');
const deployed = { cluster: 'dev', deployment: { namespace: 'shop', name: 'user-service', readyReplicas: 2, replicas: 2 }, service: { name: 'user-service' } };

describe('scorecards', () => {
  it('weighs every check and passes at 70 by default', () => {
    const facts: ScorecardFacts = {
      clusters: [{ ...deployed, serviceMonitor: 'absent' }],
      repository: {
        repository: 'acme/user-service',
        docs: 'docs/',
        tests: 'test/',
        helmChart: 'charts/user-service/Chart.yaml',
        securityScan: { at: '2026-11-28T00:00:00Z', what: 'CodeQL analysis' },
      },
    };
    const card = computeScorecard(svc, new CatalogIndex([svc, team]), facts, { now });
    expect(card.checks.map((c) => c.name)).toEqual([
      'deployment-exists',
      'service-exists',
      'servicemonitor-exists',
      'has-docs',
      'has-tests',
      'helm-chart-exists',
      'recent-security-scan',
      'runbook-linked',
      'owner-resolvable',
    ]);
    expect(card.checks.reduce((s, c) => s + c.weight, 0)).toBe(100);
    expect(card.checks.find((c) => c.name === 'servicemonitor-exists')).toMatchObject({
      passed: false,
      detail: expect.stringMatching(/CRD is not installed on dev/),
    });
    expect(card).toMatchObject({ entity: 'component:default/user-service', score: 90, passing: true, passingMark: 70 });
  });

  it('fails repository checks with a reason when there is no repository, and old scans do not count', () => {
    const bare = entity({ kind: 'Component', metadata: { name: 'x' }, spec: { type: 'service', lifecycle: 'p', owner: 'nobody' } });
    const card = computeScorecard(bare, new CatalogIndex([bare]), { clusters: [] }, { now });
    expect(card.score).toBe(0);
    expect(card.passing).toBe(false);
    expect(card.checks.find((c) => c.name === 'has-docs')?.detail).toMatch(/no repository configured/);
    expect(card.checks.find((c) => c.name === 'owner-resolvable')?.detail).toMatch(/group:default\/nobody is not in the catalog/);
    const stale = computeScorecard(
      svc,
      new CatalogIndex([svc, team]),
      { clusters: [deployed], repository: { repository: 'acme/user-service', securityScan: { at: '2026-01-01T00:00:00Z', what: 'trivy' } } },
      { now },
    );
    expect(stale.checks.find((c) => c.name === 'recent-security-scan')).toMatchObject({ passed: false, detail: expect.stringMatching(/older than 30 days/) });
    expect(computeScorecard(svc, new CatalogIndex([svc, team]), { clusters: [deployed] }, { now, passingMark: 40 }).passing).toBe(true);
  });

  it('reads the repository from Backstage annotations only when it is a plain slug', () => {
    expect(repositoryOf(svc)).toEqual({ owner: 'acme', repo: 'user-service' });
    const fromLocation = entity({
      kind: 'Component',
      metadata: { name: 'a', annotations: { 'backstage.io/source-location': 'url:https://github.com/acme/a/tree/main/' } },
      spec: { type: 's', lifecycle: 'p', owner: 'g' },
    });
    expect(repositoryOf(fromLocation)).toEqual({ owner: 'acme', repo: 'a' });
    const hostile = entity({
      kind: 'Component',
      metadata: { name: 'b', annotations: { 'github.com/project-slug': '../../admin' } },
      spec: { type: 's', lifecycle: 'p', owner: 'g' },
    });
    expect(repositoryOf(hostile)).toBeUndefined();
  });

  it('summarises the fleet, worst first', () => {
    const a = computeScorecard(svc, new CatalogIndex([svc, team]), { clusters: [deployed] }, { now });
    const summary = summarize([a, { ...a, entity: 'component:default/z', score: 10, passing: false }]);
    expect(summary).toMatchObject({ components: 2, passing: 0, passingMark: 70 });
    expect(summary.items[0].entity).toBe('component:default/z');
  });
});

function untar(buf: Buffer): Map<string, string> {
  const files = new Map<string, string>();
  for (let off = 0; off + 512 <= buf.length;) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, ''), 8);
    const path = prefix ? `${prefix}/${name}` : name;
    if (header[156] === '0'.charCodeAt(0)) files.set(path, buf.subarray(off + 512, off + 512 + size).toString('utf8'));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

describe('golden path: microservice', () => {
  const params = {
    name: 'checkout-service',
    owner: 'team-payments',
    description: 'Checkout: {{ .Values.x }} "quoted" #not-a-comment',
    language: 'go',
    framework: 'gin',
    database: 'postgresql',
    replicas: 3,
    cpu: '500m',
    memory: '512Mi',
  };

  it('validates the parameters', () => {
    expect(MicroserviceParams.safeParse(params).success).toBe(true);
    expect(MicroserviceParams.safeParse({ ...params, name: 'Checkout_Service' }).success).toBe(false);
    expect(MicroserviceParams.safeParse({ ...params, name: 'a--b' }).success).toBe(false);
    expect(MicroserviceParams.safeParse({ ...params, framework: 'django' }).error?.issues[0]).toMatchObject({
      path: ['framework'],
      message: expect.stringMatching(/gin, echo/),
    });
    expect(MicroserviceParams.safeParse({ ...params, cpu: '1; rm -rf /' }).success).toBe(false);
    expect(MicroserviceParams.safeParse({ ...params, description: 'two\nlines' }).success).toBe(false);
    expect(MicroserviceParams.safeParse({ ...params, extra: true }).success).toBe(false);
  });

  it('generates a skeleton whose catalog-info is a valid entity and keeps hostile text as data', async () => {
    const p = MicroserviceParams.parse(params);
    const files = untar(gunzipSync(gzipSync(await tarArchive(microserviceSkeleton(p)))));
    expect([...files.keys()]).toEqual(
      expect.arrayContaining([
        'checkout-service/catalog-info.yaml',
        'checkout-service/Dockerfile',
        'checkout-service/.github/workflows/ci.yaml',
        'checkout-service/monitoring/prometheus-rules.yaml',
        'checkout-service/charts/checkout-service/Chart.yaml',
        'checkout-service/charts/checkout-service/templates/hpa.yaml',
      ]),
    );
    const info = validateEntity(parse(files.get('checkout-service/catalog-info.yaml')!));
    expect(info).toMatchObject({
      entity: { ref: 'component:default/checkout-service', metadata: { description: params.description }, spec: { owner: 'group:default/team-payments' } },
    });
    expect(parse(files.get('checkout-service/charts/checkout-service/Chart.yaml')!).description).toBe(params.description);
    expect(files.get('checkout-service/Dockerfile')).toMatch(/^USER 65532:65532$/m);
    const values = parse(files.get('checkout-service/charts/checkout-service/values.yaml')!);
    expect(values).toMatchObject({
      replicaCount: 3,
      resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '1024Mi' } },
      autoscaling: { enabled: true, minReplicas: 3 },
    });
    expect(values.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(parse(files.get('checkout-service/monitoring/prometheus-rules.yaml')!).groups[0].rules.map((r: { alert: string }) => r.alert)).toEqual([
      'HighErrorRate',
      'HighLatencyP95',
      'PodCrashLooping',
    ]);
  });

  it('writes a reproducible archive and refuses unsafe paths', async () => {
    const p = MicroserviceParams.parse(params);
    expect((await tarArchive(microserviceSkeleton(p))).equals(await tarArchive(microserviceSkeleton(p)))).toBe(true);
    await expect(tarArchive([{ path: '../escape', content: 'x' }])).rejects.toThrow(/unsafe/);
  });
});
