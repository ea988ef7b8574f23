import { describe, expect, it } from 'vitest';
import { manualDeployment } from '../../../functions/core/deploy/manual-release.ts';

const trigger = {
  id: 'shop',
  repository: 'shop/frontend',
  release: 'shop',
  namespace: 'shop',
  chart: { repoUrl: 'https://charts.example.com', name: 'shop', version: '1.0.0' },
  values: { image: { repository: '123.dkr.ecr.eu-west-1.amazonaws.com/shop/frontend', tag: 'old' }, replicas: 2 },
  imageValuesPath: 'image',
  waves: [
    { name: 'dev', selector: { environment: 'dev' } },
    { name: 'rest', selector: { labels: { tier: 'web' } } },
  ],
  strategy: { rolloutTimeoutSeconds: 300, verifySeconds: 60, maxConcurrency: 5 },
};
const clusters = [
  { environment: 'dev', labels: { tier: 'web' } },
  { environment: 'production', labels: { tier: 'web' } },
];
const request = { release: 'shop', version: '1.4.2', requestedBy: 'U1 (ana)', requestKey: 'U1\n2026-12-01T16:00' };

describe('/fleet deploy from the release’s deploy trigger', () => {
  it('sets the image tag, keeps the repository and values, and keeps the same id for the same request', () => {
    const planned = manualDeployment(request, [trigger], clusters);
    if ('error' in planned) throw new Error(planned.error);
    expect(planned.deployment.values).toEqual({ image: { repository: '123.dkr.ecr.eu-west-1.amazonaws.com/shop/frontend', tag: '1.4.2' }, replicas: 2 });
    expect(planned.deployment.waves.map((w) => w.name)).toEqual(['dev', 'rest']);
    expect(planned.deployment.trigger).toBe('slack:U1 (ana)');
    const again = manualDeployment(request, [trigger], clusters);
    expect('deployment' in again && again.deployment.id).toBe(planned.deployment.id);
    const other = manualDeployment({ ...request, requestKey: 'U1\n2026-12-01T16:05' }, [trigger], clusters);
    expect('deployment' in other && other.deployment.id).not.toBe(planned.deployment.id);
  });

  it('knows when a deploy reaches prod from what the waves select, not how they are spelled', () => {
    const all = manualDeployment(request, [trigger], clusters);
    expect('touchesProd' in all && all.touchesProd).toBe(true); // "rest" selects by label and reaches production
    const devOnly = manualDeployment({ ...request, wave: 'dev' }, [trigger], clusters);
    expect('touchesProd' in devOnly && devOnly.touchesProd).toBe(false);
    expect('deployment' in devOnly && devOnly.deployment.waves).toHaveLength(1);
  });

  it('explains what is missing instead of failing', () => {
    expect(manualDeployment({ ...request, release: 'nope' }, [trigger], clusters)).toMatchObject({ error: expect.stringMatching(/No deploy trigger/) });
    expect(manualDeployment({ ...request, wave: 'canary' }, [trigger], clusters)).toMatchObject({ error: expect.stringMatching(/no wave "canary"/) });
    expect(manualDeployment(request, [trigger, { ...trigger, id: 'shop-2' }], clusters)).toMatchObject({ error: expect.stringMatching(/2 deploy triggers/) });
  });
});
