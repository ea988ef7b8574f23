/**
 * Predicted breaches on the local stack with the simulator: a memory leak opens a PredictedBreach
 * incident before the OOM kill, with the predicted time of the breach within 25 % of the actual one.
 * Healing is off so the leak runs its course.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { startSimulator, type RunningSimulator } from '../../sim/index.ts';
import { kreq } from '../integration/sim/helpers.ts';

let cloud: LocalCloud;
let sim: RunningSimulator;

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(cloud.url + path, {
    method,
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}

async function pullNow(): Promise<void> {
  const started = await api('POST', '/v1/metrics/pull');
  expect(started.status).toBe(202);
  const done = await cloud.workflows.wait(started.body.executionId);
  expect(done?.status, done?.error).toBe('SUCCEEDED');
  await cloud.bus.drain();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const info = () => sim.clusters[0]!;

beforeAll(async () => {
  sim = await startSimulator({ clusters: ['dev'], tickMs: 300 });
  cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    schedules: false,
    env: { FLEETOPS_PULL_INTERVAL_SECONDS: '60', FLEETOPS_HEALING_DISABLED: 'true' },
    dataDir: mkdtempSync(join(tmpdir(), 'fleetops-cost-predicted-')),
  });
  const response = await api('POST', '/v1/clusters', { name: 'dev', environment: 'dev', kubeconfig: info().kubeconfigYaml, namespaces: ['shop'] });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  await sim?.stop();
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
