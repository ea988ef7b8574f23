/**
 * Predicted breaches on the local stack with the simulator: a memory leak opens a PredictedBreach
 * incident before the OOM kill, with the predicted time of the breach within 25 % of the actual one.
 * Healing is off so the leak runs its course.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kreq } from '../integration/sim/helpers.ts';
import { sleep, startHandPulledStack, type Api, type HandPulledStack } from '../support/local-stack.ts';

let stack: HandPulledStack;
let api: Api;
const info = () => stack.info();
const pullNow = () => stack.pullNow();

beforeAll(async () => {
  stack = await startHandPulledStack({ name: 'cost-predicted', env: { FLEETOPS_HEALING_DISABLED: 'true' } });
  api = stack.api;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('predicted breaches, end to end', () => {
  it('a memory leak opens a PredictedBreach incident before the OOM kill, predicting its time within 25 %', async () => {
    const leak = await kreq(info(), 'POST', '/sim/v1/faults', { type: 'memory-leak', namespace: 'shop', deployment: 'user-service', rateMiBPerSecond: 4 });
    expect(leak.status).toBe(201);
    const injectedAt = Date.now();
    let incident: any;
    let openedAt = 0;
    let oomAt: number | undefined;
    const oomKill = async (): Promise<number | undefined> => {
      const pods = await kreq(info(), 'GET', '/api/v1/namespaces/shop/pods?labelSelector=app%3Duser-service');
      const times = pods.body.items
        .flatMap((p: any) => (p.status?.containerStatuses ?? []).map((s: any) => s.lastState?.terminated))
        .filter((t: any) => t?.reason === 'OOMKilled' && Date.parse(t.finishedAt) > injectedAt)
        .map((t: any) => Date.parse(t.finishedAt));
      return times.length ? Math.min(...times) : undefined;
    };
    for (let i = 0; i < 60 && !oomAt; i++) {
      await pullNow();
      if (!incident) {
        const list = await api('GET', '/v1/incidents');
        incident = list.body.items?.find((x: any) => x.type === 'PredictedBreach' && x.service === 'user-service' && x.status === 'open');
        if (incident) openedAt = Date.now();
      }
      oomAt = await oomKill();
      if (!oomAt) await sleep(2000);
    }
    await kreq(info(), 'DELETE', `/sim/v1/faults/${leak.body.id}`);
    expect(incident, 'no PredictedBreach incident before the OOM kill').toBeDefined();
    expect(oomAt).toBeDefined();
    expect(openedAt).toBeLessThan(oomAt!);
    expect(incident.title).toMatch(/^Predicted breach: memory of user-service\/user-service reaches its limit 512Mi at /);
    // The contract's field, and the title that names the same time.
    expect(incident.predictedBreachAt).toBe(/at (\S+)$/.exec(incident.title)![1]);
    const predicted = Date.parse(incident.predictedBreachAt);
    const lead = oomAt! - openedAt;
    expect(
      Math.abs(predicted - oomAt!),
      `predicted ${new Date(predicted).toISOString()}, OOM at ${new Date(oomAt!).toISOString()}, lead ${lead} ms`,
    ).toBeLessThan(0.25 * lead);
  }, 240_000);
});
