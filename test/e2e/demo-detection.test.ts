/**
 * The demo tells the truth: `npm run demo` (local/demo.ts) with 10-second pulls, started 30 s before
 * the fault, with nobody calling the API but to read. The fault line the demo prints opens an incident
 * for the faulted service within 90 s, mending it resolves the incident within 4 minutes, and the
 * healthy services raise none. Then the same for latency-spike and cpu-spike.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusAvailable } from '../../local/prometheus.ts';
import { startDemo, type RunningDemo } from '../support/demo-process.ts';
const withPrometheus = prometheusAvailable();
if (!withPrometheus) console.warn('demo detection e2e: no prometheus binary, so no error-rate or latency signals: skipped');

interface Incident {
  id: string;
  cluster: string;
  namespace: string;
  service: string;
  status: string;
  firstSeen: string;
  resolvedAt?: string;
  title?: string;
}

let demo: RunningDemo | undefined;
let startedAt = 0;
let faultLine: RunningDemo['faultLine'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const get = <T>(path: string): Promise<T> => demo!.get<T>(path);

const incidents = async () => (await get<{ items: Incident[] }>('/v1/incidents')).items;

/** The simulator's fault API over HTTPS with the demo's CA, as the printed curl line does. */
function sim(method: 'POST' | 'DELETE', path: string, body?: string): Promise<{ status: number; body: any }> {
  const url = new URL(path, faultLine.server);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, ca: readFileSync(faultLine.ca), headers: { authorization: `Bearer ${faultLine.token}`, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Every incident ever opened must be about a faulted service on dev: a caller's symptoms join their
 * failing dependency's incident (propagation-aware grouping), and healthy services stay quiet.
 */
function expectOnlyFaulted(items: Incident[], faulted: Set<string>) {
  const stray = items.filter((i) => i.cluster !== 'dev' || !faulted.has(i.service));
  expect(stray, JSON.stringify(stray, null, 2)).toEqual([]);
}

const faulted = new Set<string>();

/** Inject, wait for the incident, mend, wait for the resolve; returns the two delays in seconds. */
async function breakAndMend(type: string, service: string, body?: string): Promise<{ openSeconds: number; resolveSeconds: number }> {
  faulted.add(service);
  const injectedAt = Date.now();
  const created = await sim('POST', '/sim/v1/faults', body ?? JSON.stringify({ type, namespace: 'shop', deployment: service }));
  expect(created.status, JSON.stringify(created.body)).toBe(201);

  let incident: Incident | undefined;
  while (!incident && Date.now() - injectedAt < 120_000) {
    await sleep(2000);
    const items = await incidents();
    expectOnlyFaulted(items, faulted);
    incident = items.find((i) => i.cluster === 'dev' && i.namespace === 'shop' && i.service === service && i.status === 'open');
  }
  expect(incident, `no incident for ${service} after ${type}\n${demo!.output().slice(-3000)}`).toBeDefined();
  const openSeconds = (Date.parse(incident!.firstSeen) - injectedAt) / 1000;

  const mendedAt = Date.now();
  expect((await sim('DELETE', `/sim/v1/faults/${created.body.id}`)).status).toBe(200);
  let resolved: Incident | undefined;
  while (!resolved && Date.now() - mendedAt < 300_000) {
    await sleep(3000);
    const items = await incidents();
    expectOnlyFaulted(items, faulted);
    resolved = items.find((i) => i.id === incident!.id && i.status === 'resolved');
  }
  expect(resolved, `incident ${incident!.id} for ${service} did not resolve`).toBeDefined();
  const resolveSeconds = (Date.parse(resolved!.resolvedAt!) - mendedAt) / 1000;
  console.log(JSON.stringify({ measurement: 'demo detection', fault: type, service, openSeconds, resolveSeconds, title: incident!.title }));
  return { openSeconds, resolveSeconds };
}

beforeAll(async () => {
  if (!withPrometheus) return;
  demo = await startDemo();
  startedAt = Date.now();
  faultLine = demo.faultLine;
}, 330_000);

afterAll(() => demo?.stop());

describe.skipIf(!withPrometheus)('npm run demo: detection a user sees in the first minutes', () => {
  it('prints a fault line that opens an incident for payment-service within 90 s, and mending it resolves the incident within 4 minutes', async () => {
    // Started 30 s before the fault: a healthy demo raises nothing meanwhile.
    while (Date.now() - startedAt < 30_000) {
      await sleep(2000);
      expect(await incidents()).toEqual([]);
    }
    const body = JSON.parse(faultLine.body) as { type: string; deployment: string };
    expect(body).toMatchObject({ type: 'error-burst', namespace: 'shop', deployment: 'payment-service' });
    const { openSeconds, resolveSeconds } = await breakAndMend(body.type, body.deployment, faultLine.body);
    expect(openSeconds).toBeLessThanOrEqual(90);
    expect(resolveSeconds).toBeLessThanOrEqual(240);
    // The records of the condition name the layer that fired (the last ones, while clearing, name none).
    const anomalies = (
      await get<{ items: { service: string; layer?: string; reasons?: string[] }[] }>(
        '/v1/anomalies?cluster=dev&service=payment-service&status=anomaly&limit=50',
      )
    ).items;
    expect(anomalies.some((a) => a.layer === 'guardrail')).toBe(true);
  }, 480_000);

  // After the propagated incident resolved, a caller (order-service) failing on its own gets its own incident.
  it('latency-spike on order-service: incident within 90 s, resolved within 4 minutes, nothing else', async () => {
    const { openSeconds, resolveSeconds } = await breakAndMend('latency-spike', 'order-service');
    expect(openSeconds).toBeLessThanOrEqual(90);
    expect(resolveSeconds).toBeLessThanOrEqual(240);
  }, 480_000);

  it('cpu-spike on user-service: incident within 90 s, resolved within 4 minutes, nothing else', async () => {
    const { openSeconds, resolveSeconds } = await breakAndMend('cpu-spike', 'user-service');
    expect(openSeconds).toBeLessThanOrEqual(90);
    expect(resolveSeconds).toBeLessThanOrEqual(240);
    // prod, never faulted, never had an incident.
    expect((await incidents()).filter((i) => i.cluster === 'prod')).toEqual([]);
  }, 480_000);
});
