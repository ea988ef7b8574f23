/** A cluster granted read-only (GET /v1/rbac-manifest?access=read) is refused at the safety gate, before any plan or write. */
import { describe, expect, it } from 'vitest';
import type { HealingCluster } from '../../../functions/core/healing/ports.ts';
import { apiPods, apiWorkload, healingRequest, healingSteps, workloadCluster } from '../../support/healing-fixtures.ts';

const state = apiWorkload({ cpuLimitCores: 1, pods: apiPods({ cpuCores: 0.95 }, { cpuCores: 0.95 }) });
const REFUSAL = "healing not permitted: fleetops' account on prod lacks update deployments.apps/scale (grant it with GET /v1/rbac-manifest?access=heal)";

function clusterWith(refusal: string | undefined): HealingCluster & { writes: string[] } {
  const writes: string[] = [];
  return {
    ...workloadCluster(state),
    permissionRefusal: async () => refusal,
    scale: async () => void writes.push('scale'),
    deletePod: async () => void writes.push('deletePod'),
    writes,
  } as HealingCluster & { writes: string[] };
}

describe('healing on a cluster whose account may not heal', () => {
  it('skips at the safety gate with the reason and how to grant it, and audits it', async () => {
    const cluster = clusterWith(REFUSAL);
    const { store, steps } = healingSteps(cluster);
    await steps.create('h1', healingRequest({ severity: 'low' }));
    expect(await steps.safety('h1')).toMatchObject({ outcome: 'skip' });
    const record = await store.get('h1');
    expect(record?.reason).toContain('healing not permitted');
    expect((await store.auditTrail('h1')).some((e) => e.step === 'safety' && e.result === 'skipped')).toBe(true);
    expect(cluster.writes).toEqual([]);
  });

  it('goes on when the review allows healing or is unknown', async () => {
    const { steps } = healingSteps(clusterWith(undefined));
    await steps.create('h1', healingRequest({ severity: 'low' }));
    expect(await steps.safety('h1')).toMatchObject({ outcome: 'continue' });
  });
});
