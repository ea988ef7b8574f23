import { describe, expect, it } from 'vitest';
import { analyze } from '../../../functions/core/rca/analyzers/index.ts';
import {
  changeEvidence,
  changeTimeline,
  configChanges,
  configMapsOf,
  deployChanges,
  lastChangeOf,
  scaleChanges,
  type ReleaseHistoryChange,
} from '../../../functions/core/rca/changes.ts';
import { evidenceIds, mergeEvidence } from '../../../functions/core/rca/evidence.ts';
import { metricRanking } from '../../../functions/core/rca/metric-ranking.ts';
import { buildReport } from '../../../functions/core/rca/report.ts';
import { AT as FIXTURE_AT, evidence } from '../../support/rca-evidence.ts';
import { twoCalleesFailingAlike } from '../../support/rca-ranking.ts';

const AT = new Date('2026-12-06T12:00:00Z');
const s = (iso: string) => Date.parse(iso) / 1000;
const helm = (name: string, release: string) => ({ metadata: { name, annotations: { 'meta.helm.sh/release-name': release } } });

describe('fleetops deploys as changes (issue 21)', () => {
  const deployments = [helm('frontend', 'shop'), helm('cart', 'shop'), helm('payment-service', 'pay'), { metadata: { name: 'batch' } }];

  it('a deploy is a change of every deployment its release covers, at the time its revision was applied', () => {
    const history: ReleaseHistoryChange[] = [
      {
        release: 'shop',
        revision: 7,
        deploymentId: 'd-7',
        trigger: 'ecr:shop:1.2',
        outcome: 'SUCCEEDED',
        at: '2026-12-06T11:50:00Z',
        appliedAt: '2026-12-06T11:45:00Z',
      },
      {
        release: 'shop',
        revision: 6,
        deploymentId: 'd-6',
        trigger: 'api',
        outcome: 'SUCCEEDED',
        at: '2026-12-06T09:00:00Z',
        appliedAt: '2026-12-06T08:55:00Z',
      },
    ];
    const changes = deployChanges(history, deployments, AT);
    expect(changes.map((c) => [c.node, c.at, c.kind])).toEqual([
      ['frontend', s('2026-12-06T11:45:00Z'), 'deploy'],
      ['cart', s('2026-12-06T11:45:00Z'), 'deploy'],
    ]);
    expect(changes[0].detail).toContain('release shop revision 7');
    expect(changes[0].detail).toContain('trigger ecr:shop:1.2');
  });

  it('a failed deploy that was rolled back gives the deploy and the rollback; without appliedAt the earliest record time stands in', () => {
    const history: ReleaseHistoryChange[] = [
      { release: 'pay', revision: 3, deploymentId: 'd-3', trigger: 'api', outcome: 'ROLLED_BACK', at: '2026-12-06T11:58:00Z' },
      { release: 'pay', revision: 3, deploymentId: 'd-3', trigger: 'api', outcome: 'FAILED', at: '2026-12-06T11:56:00Z' },
    ];
    const changes = deployChanges(history, deployments, AT);
    expect(changes.map((c) => [c.node, c.at])).toEqual([
      ['payment-service', s('2026-12-06T11:56:00Z')],
      ['payment-service', s('2026-12-06T11:58:00Z')],
    ]);
    expect(changes[0].detail).toMatch(/FAILED/);
    expect(changes[1].detail).toMatch(/rolled back release pay from revision 3/);
  });

  it('a release no deployment in the namespace belongs to changes nothing', () => {
    const history: ReleaseHistoryChange[] = [
      { release: 'other', revision: 1, deploymentId: 'x', trigger: 'api', outcome: 'SUCCEEDED', at: '2026-12-06T11:59:00Z' },
    ];
    expect(deployChanges(history, deployments, AT)).toEqual([]);
  });
});

describe('config map changes (issue 21)', () => {
  const withRefs = (name: string, spec: Record<string, unknown>) => ({ metadata: { name }, spec: { template: { spec } } });
  const deployments = [
    withRefs('frontend', { containers: [{ envFrom: [{ configMapRef: { name: 'frontend-config' } }] }] }),
    withRefs('cart', { containers: [{ env: [{ valueFrom: { configMapKeyRef: { name: 'shared' } } }] }], volumes: [{ configMap: { name: 'cart-files' } }] }),
    withRefs('payment-service', { containers: [{}], volumes: [{ projected: { sources: [{ configMap: { name: 'shared' } }] } }] }),
  ];

  it('a config map written recently is a change of every deployment that references it (env, envFrom, volumes, projected)', () => {
    const configMaps = [
      { name: 'shared', creationTimestamp: new Date('2026-12-01T00:00:00Z'), managedFields: [{ time: new Date('2026-12-06T11:40:00Z'), operation: 'Update' }] },
      { name: 'frontend-config', creationTimestamp: new Date('2026-12-06T11:52:00Z') },
      { name: 'cart-files', creationTimestamp: new Date('2026-11-01T00:00:00Z'), managedFields: [{ time: new Date('2026-11-01T00:00:00Z') }] },
      { name: 'unused', creationTimestamp: new Date('2026-12-06T11:59:00Z') },
    ];
    const changes = configChanges(configMaps, deployments, AT);
    expect(changes.map((c) => [c.node, c.at, c.kind, c.detail])).toEqual([
      ['cart', s('2026-12-06T11:40:00Z'), 'config', 'config map shared updated'],
      ['payment-service', s('2026-12-06T11:40:00Z'), 'config', 'config map shared updated'],
      ['frontend', s('2026-12-06T11:52:00Z'), 'config', 'config map frontend-config created'],
    ]);
  });

  it('a status-subresource write is not a change; the newest spec write counts', () => {
    expect(lastChangeOf({ creationTimestamp: '2026-12-06T10:00:00Z', managedFields: [{ time: '2026-12-06T11:00:00Z', subresource: 'status' }] })).toEqual({
      at: Date.parse('2026-12-06T10:00:00Z'),
      created: true,
    });
    expect(configMapsOf(deployments[1])).toEqual(new Set(['shared', 'cart-files']));
  });
});

describe('HPA changes (issue 21)', () => {
  it('a bounds write and a recent scaling are scale changes of the target deployment; status writes and old HPAs are not', () => {
    const hpas = [
      {
        metadata: {
          name: 'cart',
          creationTimestamp: '2026-11-01T00:00:00Z',
          managedFields: [
            { time: '2026-12-06T11:30:00Z', operation: 'Update' },
            { time: '2026-12-06T11:59:00Z', subresource: 'status' },
          ],
        },
        spec: { scaleTargetRef: { kind: 'Deployment', name: 'cart' }, minReplicas: 1, maxReplicas: 2 },
        status: { lastScaleTime: '2026-12-06T11:55:00Z', desiredReplicas: 2 },
      },
      {
        metadata: { name: 'old', creationTimestamp: '2026-11-01T00:00:00Z' },
        spec: { scaleTargetRef: { kind: 'Deployment', name: 'frontend' }, maxReplicas: 5 },
        status: { lastScaleTime: '2026-12-01T00:00:00Z' },
      },
      { metadata: { name: 'sts', creationTimestamp: '2026-12-06T11:50:00Z' }, spec: { scaleTargetRef: { kind: 'StatefulSet', name: 'db' }, maxReplicas: 3 } },
    ];
    expect(scaleChanges(hpas, AT)).toEqual([
      { node: 'cart', at: s('2026-12-06T11:30:00Z'), kind: 'scale', detail: 'HPA cart bounds changed (min 1, max 2)' },
      { node: 'cart', at: s('2026-12-06T11:55:00Z'), kind: 'scale', detail: 'HPA cart scaled cart to 2 replicas (min 1, max 2)' },
    ]);
  });
});

describe('changes in the evidence, the timeline and the report (issue 21)', () => {
  it('deploy, config and scale changes travel as evidence (rollouts stay in rollouts), join the change timeline and the report timeline', () => {
    const at = Date.parse(FIXTURE_AT) / 1000;
    const items = changeEvidence([
      { node: 'frontend', at: at - 300, kind: 'config', detail: 'config map shop-settings updated' },
      { node: 'frontend', at: at - 300, kind: 'config', detail: 'config map other updated' },
      { node: 'frontend', at: at - 600, kind: 'rollout', detail: 'revision 2' },
      { node: 'unrelated', at: at - 100, kind: 'scale', detail: 'HPA unrelated scaled' },
    ]);
    expect(items.map((i) => i.id)).toEqual([
      `change:config:frontend@${at - 300}`,
      `change:config:frontend@${at - 300}#1`,
      `change:scale:unrelated@${at - 100}`,
    ]);
    const e = mergeEvidence(evidence('frontend').target, [{ source: 'metrics', changes: items }]);
    expect(evidenceIds(e).has(items[0].id)).toBe(true);
    expect(changeTimeline(e).map((c) => [c.node, c.kind])).toEqual([
      ['frontend', 'config'],
      ['frontend', 'config'],
      ['unrelated', 'scale'],
    ]);
    const report = buildReport(e, analyze(e));
    const lines = report.timeline.map((t) => t.event);
    expect(lines).toContain('config change of frontend: config map shop-settings updated');
    expect(lines.some((l) => l.includes('unrelated'))).toBe(false);
  });
});

describe('the ranker weighs a config, deploy or scale change like a rollout (issue 21)', () => {
  it('of two services failing alike, the one whose config map changed just before is ranked first', () => {
    const { at, onset, series, edges } = twoCalleesFailingAlike();
    for (const changed of ['user-service', 'order-service']) {
      const [cm] = configChanges(
        [{ name: `${changed}-config`, creationTimestamp: new Date((onset - 300) * 1000) }],
        [{ metadata: { name: changed }, spec: { template: { spec: { containers: [{ envFrom: [{ configMapRef: { name: `${changed}-config` } }] }] } } } }],
        at,
      );
      const ranking = metricRanking(series, edges, { service: 'frontend' }, at, { changes: [cm] });
      expect(ranking?.nodes[0].node).toBe(changed);
    }
  });
});
