/**
 * ClusterHealthDegraded end to end (issue 24): the local stack and a simulated cluster pulled by hand, the
 * degraded window shortened to 12 s by settings. A NotReady node (1 of 3) drops the stored health score below
 * 0.7; once it has stayed there for the window, the next pull opens a ClusterHealthDegraded incident through the
 * bus and the alert pipeline; the node back, the next pull resolves it. The fleet overview shows the stored score.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kreq } from '../integration/sim/helpers.ts';
import { sleep, startHandPulledStack, type HandPulledStack } from '../support/local-stack.ts';

const WINDOW_SECONDS = 12;
let stack: HandPulledStack;

beforeAll(async () => {
  stack = await startHandPulledStack({
    name: 'cluster-health',
    env: { FLEETOPS_HEALTH_DEGRADED_MINUTES: String(WINDOW_SECONDS / 60), FLEETOPS_PULL_NAMESPACES: 'shop' },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const healthIncidents = async (status: 'open' | 'resolved') =>
  ((await stack.api('GET', `/v1/incidents?status=${status}`)).body.items as any[]).filter((i) => (i.types ?? [i.type]).includes('ClusterHealthDegraded'));

const overviewOf = async () => ((await stack.api('GET', '/v1/fleet/overview')).body.clusters as any[]).find((c) => c.name === 'dev');

describe('ClusterHealthDegraded', () => {
  it('opens an incident once the stored score stayed below 0.7 for the window, and resolves it when the cluster recovers', async () => {
    await stack.pullNow();
    const healthy = await overviewOf();
    expect(healthy.healthScore).toBeGreaterThanOrEqual(70);

    const fault = await kreq(stack.info(), 'POST', '/sim/v1/faults', { type: 'node-not-ready', namespace: 'shop', deployment: 'payment-service' });
    expect(fault.status, fault.text).toBe(201);
    await stack.pullNow(); // below the threshold: the window starts
    const degraded = await overviewOf();
    expect(degraded).toMatchObject({ readyNodes: 2, totalNodes: 3 });
    expect(degraded.healthScore).toBeLessThan(70);
    expect(await healthIncidents('open')).toEqual([]); // not for the whole window yet

    await sleep(WINDOW_SECONDS * 1000 + 500);
    await stack.pullNow();
    const [opened] = await healthIncidents('open');
    expect(opened).toMatchObject({ cluster: 'dev', service: 'cluster', status: 'open' });
    await stack.pullNow(); // still below: no second incident
    expect(await healthIncidents('open')).toHaveLength(1);

    const removed = await kreq(stack.info(), 'DELETE', `/sim/v1/faults/${fault.body.id}`);
    expect([200, 204]).toContain(removed.status);
    await sleep(1000); // the simulator's node controller marks the node Ready on its next tick
    await stack.pullNow();
    const incident = (await stack.api('GET', `/v1/incidents/${opened.id}`)).body;
    expect(incident.status).toBe('resolved');
    expect((await overviewOf()).healthScore).toBeGreaterThanOrEqual(70);
  }, 180_000);
});
