import { describe, expect, it } from 'vitest';
import { deployRefusal, grantedFeatures, healingRefusal, type ResourceRule } from '../../../functions/core/clusters/permissions.ts';
import { FLEETOPS_DEPLOYER_RULES, FLEETOPS_HEAL_RULES, FLEETOPS_READ_RULES } from '../../../functions/core/clusters/rbac-manifest.ts';

const AT = '2026-12-07T00:00:00.000Z';
const review = (namespace: string, rules: ResourceRule[], incomplete = false) => ({ namespace, rules, incomplete });

describe('grantedFeatures: SelfSubjectRulesReview rules → features', () => {
  it('the read tier allows detection, RCA and scorecards; healing and deploy are refused with what they lack', () => {
    const p = grantedFeatures([review('shop', FLEETOPS_READ_RULES), review('web', FLEETOPS_READ_RULES)], ['shop'], AT);
    expect(p.features).toEqual({ detection: true, rca: true, healing: false, scorecards: true, deploy: false });
    expect(p.missing.healing).toEqual([
      'update deployments.apps/scale',
      'update deployments.apps',
      'delete pods',
      'patch horizontalpodautoscalers.autoscaling',
    ]);
    expect(p.missing.deploy).toContain('create secrets');
    expect(p.missing.detection).toBeUndefined();
    expect(p.namespaces).toEqual(['shop', 'web']);
  });

  it('heal allows healing; deploy is listed for exactly the namespaces whose Role grants it', () => {
    const heal = [...FLEETOPS_READ_RULES, ...FLEETOPS_HEAL_RULES];
    const p = grantedFeatures(
      [review('shop', heal), review('web', [...heal, ...FLEETOPS_DEPLOYER_RULES]), review('staging', [...heal, ...FLEETOPS_DEPLOYER_RULES])],
      ['shop'],
      AT,
    );
    expect(p.features).toEqual({ detection: true, rca: true, healing: true, scorecards: true, deploy: ['staging', 'web'] });
    expect(p.missing).toEqual({});
  });

  it('reads wildcards as RBAC does; a rule limited to resourceNames does not allow a list; pods/log is its own resource', () => {
    const admin = grantedFeatures([review('default', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }])], ['default'], AT);
    expect(admin.features).toEqual({ detection: true, rca: true, healing: true, scorecards: true, deploy: ['default'] });
    const named = grantedFeatures(
      [
        review('default', [
          ...FLEETOPS_READ_RULES.filter((r) => !r.resources.includes('pods/log')),
          { apiGroups: [''], resources: ['pods'], verbs: ['list'], resourceNames: ['x'] },
        ]),
      ],
      ['default'],
      AT,
    );
    expect(named.features.rca).toBe(false);
    expect(named.missing.rca).toEqual(['get pods/log']);
  });

  it('names the namespace when only some of the cluster namespaces lack a permission', () => {
    const p = grantedFeatures([review('shop', FLEETOPS_READ_RULES), review('pay', [])], ['shop', 'pay'], AT);
    expect(p.features.detection).toBe(false);
    expect(p.missing.detection).toEqual(['list pods in pay', 'list nodes in pay', 'list deployments.apps in pay']);
  });

  it('an incomplete review turns a lack into unknown, not a refusal', () => {
    const p = grantedFeatures([review('shop', FLEETOPS_READ_RULES, true)], ['shop'], AT);
    expect(p.features).toMatchObject({ detection: true, healing: 'unknown', deploy: 'unknown' });
    expect(deployRefusal({ name: 'prod', permissions: p }, 'shop')).toBeUndefined();
  });
});

describe('refusals before acting', () => {
  const read = grantedFeatures([review('shop', FLEETOPS_READ_RULES), review('web', [...FLEETOPS_READ_RULES, ...FLEETOPS_DEPLOYER_RULES])], ['shop'], AT);

  it('deploy: refused in a reviewed namespace without the deploy Role, with how to grant it; allowed where granted or not reviewed', () => {
    expect(deployRefusal({ name: 'prod', permissions: read }, 'shop')).toBe(
      "deploy not permitted: fleetops' account on prod may not deploy to namespace shop (grant it with GET /v1/rbac-manifest?access=deploy&deployNamespaces=shop)",
    );
    expect(deployRefusal({ name: 'prod', permissions: read }, 'web')).toBeUndefined();
    expect(deployRefusal({ name: 'prod', permissions: read }, 'brand-new')).toBeUndefined();
    expect(deployRefusal({ name: 'prod' }, 'shop')).toBeUndefined();
  });

  it('healing: refused when the review says its writes are missing, naming them', () => {
    expect(healingRefusal({ name: 'prod', permissions: read })).toMatch(
      /^healing not permitted: fleetops' account on prod lacks update deployments.apps\/scale, .*access=heal/,
    );
    const heal = grantedFeatures([review('shop', [...FLEETOPS_READ_RULES, ...FLEETOPS_HEAL_RULES])], ['shop'], AT);
    expect(healingRefusal({ name: 'prod', permissions: heal })).toBeUndefined();
  });
});
