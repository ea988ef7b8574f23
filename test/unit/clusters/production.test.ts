import { describe, expect, it } from 'vitest';
import { isProdCluster, PRODUCTION_LABEL } from '../../../functions/core/clusters/production.ts';
import { requireProdApprover, touchesProd } from '../../../functions/core/deploy/prod-gate.ts';
import { manualDeployment } from '../../../functions/core/deploy/manual-release.ts';
import type { Identity } from '../../../functions/core/identity/identity.ts';

const cluster = (environment: string, labels: Record<string, string> = {}) => ({ environment, labels });

describe('isProdCluster: one answer for the deploy gate, Slack and healing', () => {
  it.each(['prod', 'Prod', 'eu-prod', 'live', 'prd', 'prd1', 'production-eu', 'us_east.production', 'PRODUCTION'])('%s is prod by name', (env) => {
    expect(isProdCluster(cluster(env))).toBe(true);
  });

  it.each(['preprod', 'staging', 'dev', 'product-demo', 'prodigy', 'delivery', 'olive', ''])('%s is not prod by name', (env) => {
    expect(isProdCluster(cluster(env))).toBe(false);
  });

  it('the fleetops.io/production label wins over the name, both ways', () => {
    expect(isProdCluster(cluster('shared-1', { [PRODUCTION_LABEL]: 'true' }))).toBe(true);
    expect(isProdCluster(cluster('prod-sandbox', { [PRODUCTION_LABEL]: 'false' }))).toBe(false);
    expect(isProdCluster(cluster('eu-prod', { [PRODUCTION_LABEL]: 'maybe' }))).toBe(true); // not a boolean: the name decides
  });
});

describe('the prod gate uses it', () => {
  const operator: Identity = { kind: 'oidc', subject: 'op', displayName: 'op', role: 'operator' };
  const waves = [{ selector: { labels: { tier: 'web' } } }];
  it.each(['eu-prod', 'live', 'prd', 'production-eu'])('a wave reaching %s needs an approver (REST, golden path)', (env) => {
    const clusters = [cluster(env, { tier: 'web' })];
    expect(touchesProd(waves, clusters)).toBe(true);
    expect(() => requireProdApprover(operator, waves, clusters)).toThrow(/approver/);
  });

  it('a cluster labelled production is prod whatever its environment; one labelled false is not', () => {
    expect(() => requireProdApprover(operator, waves, [cluster('shared', { tier: 'web', [PRODUCTION_LABEL]: 'true' })])).toThrow(/approver/);
    expect(() => requireProdApprover(operator, waves, [cluster('prod-sandbox', { tier: 'web', [PRODUCTION_LABEL]: 'false' })])).not.toThrow();
  });

  it('Slack /fleet deploy (manualDeployment.touchesProd) sees eu-prod as prod', () => {
    const trigger = {
      id: 'shop',
      repository: 'shop/frontend',
      release: 'shop',
      namespace: 'shop',
      chart: { repoUrl: 'https://charts.example.com', name: 'shop', version: '1.0.0' },
      values: { image: { repository: 'r/shop', tag: 'old' } },
      imageValuesPath: 'image',
      waves: [{ name: 'all', selector: { labels: { tier: 'web' } } }],
      strategy: { rolloutTimeoutSeconds: 300, verifySeconds: 60, maxConcurrency: 5 },
    };
    const planned = manualDeployment(
      { release: 'shop', version: '1.0.1', requestedBy: 'U1', requestKey: 'k' },
      [trigger],
      [cluster('eu-prod', { tier: 'web' })],
    );
    expect('touchesProd' in planned && planned.touchesProd).toBe(true);
  });
});
