import { describe, expect, it } from 'vitest';
import { analyze } from '../../../functions/core/rca/analyzers/index.ts';
import { argoClaims, argoSyncChanges, type ArgoWhere } from '../../../functions/core/rca/argocd-changes.ts';
import { changeEvidence, secretChanges, secretsOf, type ObjectMetaRef } from '../../../functions/core/rca/changes.ts';
import { mergeEvidence } from '../../../functions/core/rca/evidence.ts';
import { metricRanking } from '../../../functions/core/rca/metric-ranking.ts';
import { buildReport } from '../../../functions/core/rca/report.ts';
import type { ArgoCdApplication } from '../../../functions/core/healing/argocd.ts';
import { AT as FIXTURE_AT, evidence } from '../../support/rca-evidence.ts';
import { twoCalleesFailingAlike } from '../../support/rca-ranking.ts';

const AT = new Date('2026-12-06T12:00:00Z');
const s = (iso: string) => Date.parse(iso) / 1000;
const withRefs = (name: string, spec: Record<string, unknown>) => ({ metadata: { name }, spec: { template: { spec } } });

describe('secret changes (issue 21)', () => {
  const deployments = [
    withRefs('frontend', { containers: [{ envFrom: [{ secretRef: { name: 'frontend-env' } }] }], imagePullSecrets: [{ name: 'registry' }] }),
    withRefs('cart', { containers: [{ env: [{ valueFrom: { secretKeyRef: { name: 'db-credentials' } } }] }], volumes: [{ secret: { secretName: 'tls' } }] }),
    withRefs('payment-service', {
      initContainers: [{ env: [{ valueFrom: { configMapKeyRef: { name: 'db-credentials' } } }] }],
      volumes: [{ projected: { sources: [{ secret: { name: 'db-credentials' } }, { configMap: { name: 'tls' } }] } }],
    }),
  ];

  it('finds every way a pod template references a secret, and only secrets', () => {
    expect(secretsOf(deployments[0])).toEqual(new Set(['frontend-env', 'registry']));
    expect(secretsOf(deployments[1])).toEqual(new Set(['db-credentials', 'tls']));
    // a config map named like a secret is not the secret
    expect(secretsOf(deployments[2])).toEqual(new Set(['db-credentials']));
  });

  it('a secret written or created recently is a `secret` change of every deployment referencing it; old and unused ones are not', () => {
    const secrets: ObjectMetaRef[] = [
      { name: 'db-credentials', creationTimestamp: '2026-11-01T00:00:00Z', managedFields: [{ time: '2026-12-06T11:41:00Z', operation: 'Update' }] },
      { name: 'registry', creationTimestamp: '2026-12-06T11:55:00Z' },
      { name: 'tls', creationTimestamp: '2026-11-01T00:00:00Z', managedFields: [{ time: '2026-12-06T10:30:00Z', operation: 'Update' }] },
      { name: 'unused', creationTimestamp: '2026-12-06T11:59:00Z' },
    ];
    expect(secretChanges(secrets, deployments, AT)).toEqual([
      { node: 'cart', at: s('2026-12-06T11:41:00Z'), kind: 'secret', detail: 'secret db-credentials updated' },
      { node: 'payment-service', at: s('2026-12-06T11:41:00Z'), kind: 'secret', detail: 'secret db-credentials updated' },
      { node: 'frontend', at: s('2026-12-06T11:55:00Z'), kind: 'secret', detail: 'secret registry created' },
    ]);
  });

  it('never carries a secret value into a change, evidence or the report, even when handed a whole Secret', () => {
    const value = 'hunter2-s3cr3t-value';
    const whole = {
      name: 'db-credentials',
      creationTimestamp: '2026-12-06T11:50:00Z',
      data: { PASSWORD: Buffer.from(value).toString('base64') },
      stringData: { PASSWORD: value },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ stringData: { PASSWORD: value } }) },
    } as ObjectMetaRef;
    const changes = secretChanges([whole], deployments, AT);
    expect(changes.map((c) => c.node)).toEqual(['cart', 'payment-service']);
    const items = changeEvidence(changes);
    const e = mergeEvidence(evidence('cart').target, [{ source: 'metrics', changes: items }]);
    const report = buildReport(e, analyze(e));
    for (const text of [JSON.stringify(changes), JSON.stringify(items), JSON.stringify(report)]) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(Buffer.from(value).toString('base64'));
      expect(text).not.toContain('PASSWORD');
    }
  });

  it('joins the report timeline like a config change', () => {
    const at = Date.parse(FIXTURE_AT) / 1000;
    const items = changeEvidence([{ node: 'frontend', at: at - 120, kind: 'secret', detail: 'secret frontend-env updated' }]);
    expect(items[0].id).toBe(`change:secret:frontend@${at - 120}`);
    const e = mergeEvidence(evidence('frontend').target, [{ source: 'metrics', changes: items }]);
    expect(buildReport(e, analyze(e)).timeline.map((t) => t.event)).toContain('secret change of frontend: secret frontend-env updated');
  });
});

describe('Argo CD syncs (issue 21)', () => {
  const labelled = (name: string, app: string) => ({ metadata: { name, labels: { 'argocd.argoproj.io/instance': app } } });
  const tracked = (name: string, id: string) => ({ metadata: { name, annotations: { 'argocd.argoproj.io/tracking-id': id } } });
  const where: ArgoWhere = { namespace: 'shop', cluster: { name: 'prod', server: 'https://prod.example.com:6443' } };
  const app = (overrides: Partial<ArgoCdApplication> = {}): ArgoCdApplication => ({
    name: 'shop-web',
    autoSync: true,
    sync: { status: 'Synced', revision: 'c3' },
    history: [
      { id: 1, revision: 'a1', deployedAt: '2026-12-05T09:00:00Z' },
      { id: 2, revision: 'b2', deployedAt: '2026-12-06T11:20:00Z' },
      { id: 3, revision: 'c3', deployedAt: '2026-12-06T11:50:00Z' },
    ],
    resources: [
      { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'frontend' },
      { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'cart' },
    ],
    destination: { server: 'https://prod.example.com:6443', namespace: 'shop' },
    ...overrides,
  });

  it('groups deployments by the Application their label or tracking id names; others and invalid names claim nothing', () => {
    expect(
      argoClaims([
        labelled('frontend', 'shop-web'),
        tracked('cart', 'shop-web:apps/Deployment:shop/cart'),
        tracked('search', 'team-a_search:apps/Deployment:shop/search'),
        labelled('bad', 'Not_A_Valid_Name'),
        { metadata: { name: 'plain' } },
      ]),
    ).toEqual([
      { ref: { name: 'shop-web' }, deployments: ['frontend', 'cart'] },
      { ref: { name: 'search', appNamespace: 'team-a' }, deployments: ['search'] },
    ]);
  });

  it('history entries deployed within the hour before are sync changes of each claimed deployment the Application lists', () => {
    const changes = argoSyncChanges(app(), ['frontend', 'cart', 'not-listed'], where, AT);
    expect(changes.map((c) => [c.node, c.at, c.kind])).toEqual([
      ['frontend', s('2026-12-06T11:20:00Z'), 'sync'],
      ['cart', s('2026-12-06T11:20:00Z'), 'sync'],
      ['frontend', s('2026-12-06T11:50:00Z'), 'sync'],
      ['cart', s('2026-12-06T11:50:00Z'), 'sync'],
    ]);
    expect(changes[2].detail).toBe('Argo CD application shop-web synced revision c3 (history id 3; before: b2)');
  });

  it('an Application that deploys elsewhere is not trusted, whatever the label says', () => {
    expect(argoSyncChanges(app({ destination: { server: 'https://dev.example.com:6443', namespace: 'shop' } }), ['frontend'], where, AT)).toEqual([]);
    expect(argoSyncChanges(app({ destination: { server: 'https://prod.example.com:6443', namespace: 'payments' } }), ['frontend'], where, AT)).toEqual([]);
    expect(argoSyncChanges(app({ resources: [] }), ['frontend'], where, AT)).toEqual([]);
    // Argo CD's own cluster counts only when it is known to be this one
    const inCluster = app({ destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' } });
    expect(argoSyncChanges(inCluster, ['frontend'], where, AT)).toEqual([]);
    expect(argoSyncChanges(inCluster, ['frontend'], { ...where, inCluster: 'prod' }, AT)).toHaveLength(2);
  });

  it('multi-source entries name their revisions; entries without a deploy time are skipped', () => {
    const changes = argoSyncChanges(
      app({
        appNamespace: 'team-a',
        history: [
          { id: 7, revisions: ['1.4.0', 'e5'], deployedAt: '2026-12-06T11:45:00Z' },
          { id: 8, revision: 'f6' },
        ],
      }),
      ['frontend'],
      where,
      AT,
    );
    expect(changes).toEqual([
      { node: 'frontend', at: s('2026-12-06T11:45:00Z'), kind: 'sync', detail: 'Argo CD application team-a/shop-web synced revision 1.4.0, e5 (history id 7)' },
    ]);
  });

  it('of two services failing alike, the one Argo CD synced just before is ranked first', () => {
    const { at, onset, series, edges } = twoCalleesFailingAlike();
    for (const synced of ['user-service', 'order-service']) {
      const changes = argoSyncChanges(
        app({
          history: [{ id: 4, revision: 'd4', deployedAt: new Date((onset - 240) * 1000).toISOString() }],
          resources: [{ group: 'apps', kind: 'Deployment', namespace: 'shop', name: synced }],
        }),
        [synced],
        where,
        at,
      );
      expect(changes).toHaveLength(1);
      expect(metricRanking(series, edges, { service: 'frontend' }, at, { changes })?.nodes[0].node).toBe(synced);
    }
  });
});
