// AlertPipeline through in-memory ports: open, dedup, join by edge evidence, split, resolve on the root's end.
import { describe, expect, it } from 'vitest';
import { AlertPipeline, signalOnsetSecondsFor, flapSecondsFor, newKindAfterSecondsFor, upwardJoinSecondsFor } from '../../../functions/core/alerts/pipeline.ts';
import type { EdgeHealth } from '../../../functions/core/mesh/evidence.ts';
import type { NormalizedAlert } from '../../../functions/core/alerts/types.ts';
import { predictedBreachAlert } from '../../../functions/core/cost/capacity.ts';
import { InMemoryAlertStore } from '../../support/fakes/alert-store.ts';
import { RecordingNotifier, RecordingPublisher, TestClock, alert } from '../../integration/alerts/helpers.ts';

const GRAPH = { frontend: ['user-service', 'order-service'], 'order-service': ['payment-service'] };
const healthy = (from: string, to: string): EdgeHealth => ({
  from,
  to,
  rps: 5,
  errorRatio: 0.002,
  baselineErrorRatio: 0.002,
  latencyMs: 40,
  baselineLatencyMs: 40,
});
const failing = (from: string, to: string): EdgeHealth => ({ ...healthy(from, to), errorRatio: 0.35 });
const slow = (from: string, to: string): EdgeHealth => ({ ...healthy(from, to), latencyMs: 900 });

function setup(
  edges?: EdgeHealth[],
  config: { flapSeconds?: number; upwardJoinSeconds?: number; newKindAfterSeconds?: number; signalOnsetSeconds?: number } = {},
) {
  const store = new InMemoryAlertStore();
  const publisher = new RecordingPublisher();
  const clock = new TestClock();
  const slack = new RecordingNotifier('slack');
  const evidence = { edges };
  const p = new AlertPipeline({
    store,
    publisher,
    notifiers: [slack],
    clock,
    config: { causeWaitSeconds: 0, splitWaitSeconds: 0, evidenceCacheSeconds: 0, ...config },
    graphs: { forCluster: async () => GRAPH },
    evidence: { forCluster: async () => (evidence.edges ? { at: clock.now().toISOString(), edges: evidence.edges } : undefined) },
  });
  return { store, publisher, clock, slack, p, evidence };
}

/** An anomaly as the pull raises it (source `anomaly`), about the given detection signals. */
const anomaly = (service: string, signals: string[], status: 'firing' | 'resolved' = 'firing'): NormalizedAlert =>
  alert({ cluster: 'c1', service, type: 'AnomalyDetected', source: 'anomaly', signals, status, message: `Anomaly on ${service}: ${signals.join('; ')}` });
const kube = (service: string, type: string, status: 'firing' | 'resolved' = 'firing'): NormalizedAlert =>
  alert({ cluster: 'c1', service, type, source: 'kube-state', status, message: `${type} on ${service}` });
/** The same condition from an Alertmanager rule: it keys per service, with the service's symptoms. */
const ruleKube = (service: string, type: string): NormalizedAlert =>
  alert({ cluster: 'c1', service, type, source: 'alertmanager', message: `${type} on ${service}` });

describe('AlertPipeline (in-memory ports)', () => {
  it('opens an incident once and dedups the same alert into it', async () => {
    const { p, publisher, slack, store } = setup();
    const first = await p.ingest([anomaly('payment-service', ['error_rate'])]);
    const again = await p.ingest([anomaly('payment-service', ['error_rate'])]);
    expect(again.incidents).toEqual(first.incidents);
    expect(publisher.ofType('IncidentOpened')).toHaveLength(1);
    expect(slack.sent.map((m) => m.status)).toEqual(['open']);
    expect(store.incidents.get(first.incidents[0])).toMatchObject({ alertCount: 2, service: 'payment-service', status: 'open' });
  });

  it('joins a caller’s errors to the callee’s incident when its edges trace them there', async () => {
    const { p, publisher, store } = setup([
      failing('order-service', 'payment-service'),
      failing('frontend', 'order-service'),
      healthy('frontend', 'user-service'),
    ]);
    const pay = await p.ingest([anomaly('payment-service', ['error_rate'])]);
    const order = await p.ingest([anomaly('order-service', ['error_rate'])]);
    const front = await p.ingest([anomaly('frontend', ['error_rate'])]);
    expect(order.incidents).toEqual(pay.incidents);
    expect(front.incidents).toEqual(pay.incidents);
    expect(publisher.ofType('IncidentOpened')).toHaveLength(1);
    expect(store.incidents.get(pay.incidents[0])?.services).toEqual(['frontend', 'order-service', 'payment-service']);
  });

  it('does not join when the edges are healthy (the caller fails for its own reasons)', async () => {
    const { p } = setup([healthy('order-service', 'payment-service')]);
    const pay = await p.ingest([anomaly('payment-service', ['error_rate'])]);
    const order = await p.ingest([anomaly('order-service', ['latency_p95'])]);
    expect(order.incidents).not.toEqual(pay.incidents);
  });

  it('a caller’s memory incident is its own: a callee failing next does not take it over', async () => {
    const { p, store } = setup([failing('frontend', 'order-service'), healthy('frontend', 'user-service')]);
    const memory = (await p.ingest([anomaly('frontend', ['memory_usage'])])).incidents[0];
    const order = (await p.ingest([anomaly('order-service', ['error_rate'])])).incidents[0];
    expect(order).not.toBe(memory);
    expect(store.incidents.get(memory)).toMatchObject({ service: 'frontend', services: ['frontend'] });
  });

  it('errors on the edge do not explain a latency symptom, nor a CPU spike', async () => {
    const { p } = setup([failing('order-service', 'payment-service'), failing('frontend', 'order-service')]);
    const pay = await p.ingest([anomaly('payment-service', ['error_rate'])]);
    expect((await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents).not.toEqual(pay.incidents);
    expect((await p.ingest([anomaly('frontend', ['cpu_usage'])])).incidents).not.toEqual(pay.incidents);
  });

  it('a slow edge explains a caller’s latency', async () => {
    const { p } = setup([slow('order-service', 'payment-service')]);
    const pay = await p.ingest([anomaly('payment-service', ['latency_p95'])]);
    expect((await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents).toEqual(pay.incidents);
  });

  it('a caller far slower than all its calls can make it is slow on its own; one within that bound joins', async () => {
    const { p } = setup([slow('order-service', 'payment-service'), slow('frontend', 'order-service')]);
    const pay = (await p.ingest([anomaly('payment-service', ['latency_p95'])])).incidents;
    // 5 calls/s of 900 ms each for 10 requests/s: 450 ms of calls per request
    const measured = (service: string, seconds: number) => ({
      ...anomaly(service, ['latency_p95']),
      observed: { requestsPerSecond: 10, latencyP95Seconds: seconds },
    });
    expect((await p.ingest([measured('order-service', 1.2)])).incidents).toEqual(pay);
    expect((await p.ingest([measured('frontend', 6)])).incidents).not.toEqual(pay);
  });

  it('a caller’s own Kubernetes failure never joins, even while its edges fail', async () => {
    const { p } = setup([failing('order-service', 'payment-service')]);
    const pay = await p.ingest([anomaly('payment-service', ['error_rate'])]);
    const pull = await p.ingest([kube('order-service', 'KubePodImagePullBackOff')]);
    expect(pull.incidents).not.toEqual(pay.incidents);
  });

  it('a grouped symptom that fails on its own splits off, announced once, linked to the old incident', async () => {
    const { p, store, slack, publisher } = setup([failing('order-service', 'payment-service')]);
    const pay = await p.ingest([anomaly('payment-service', ['error_rate'])]);
    expect((await p.ingest([anomaly('order-service', ['error_rate'])])).incidents).toEqual(pay.incidents);
    // An Alertmanager rule's condition shares the service's key, so the key (and the symptom under it) moves out.
    const pull = await p.ingest([ruleKube('order-service', 'KubePodImagePullBackOff')]);
    const own = pull.incidents[0];
    expect(own).not.toBe(pay.incidents[0]);
    expect(store.incidents.get(own)).toMatchObject({ service: 'order-service', type: 'KubePodImagePullBackOff', splitFrom: pay.incidents[0], status: 'open' });
    // the old incident keeps its own name and types; it no longer waits for order-service
    expect(store.incidents.get(pay.incidents[0])).toMatchObject({ service: 'payment-service', types: ['AnomalyDetected'] });
    expect(publisher.ofType('IncidentOpened').map((e) => (e.detail as { id: string }).id)).toEqual([pay.incidents[0], own]);
    expect(slack.sent.filter((m) => m.incidentId === own)).toHaveLength(1);
    expect(slack.sent.find((m) => m.incidentId === own)?.fields?.splitFrom).toBe(pay.incidents[0]);
    // the split incident dedups further alerts of its key; the root resolves alone
    expect((await p.ingest([ruleKube('order-service', 'KubePodImagePullBackOff')])).incidents).toEqual([own]);
    await p.ingest([anomaly('payment-service', ['error_rate'], 'resolved')]);
    expect(store.incidents.get(pay.incidents[0])?.status).toBe('resolved');
    expect(store.incidents.get(own)?.status).toBe('open');
  });

  it('resolves when the root condition ends; a symptom that outlives it splits into its own incident', async () => {
    const { p, store, publisher } = setup([failing('order-service', 'payment-service'), failing('frontend', 'order-service')]);
    const pay = (await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0];
    await p.ingest([anomaly('order-service', ['error_rate'])]);
    await p.ingest([anomaly('frontend', ['error_rate'])]);
    await p.ingest([anomaly('order-service', ['error_rate'], 'resolved')]);
    expect(store.incidents.get(pay)?.status).toBe('open');
    await p.ingest([anomaly('payment-service', ['error_rate'], 'resolved')]);
    expect(store.incidents.get(pay)?.status).toBe('resolved');
    const split = [...store.incidents.values()].filter((i) => i.splitFrom === pay);
    expect(split).toHaveLength(1);
    expect(split[0]).toMatchObject({ service: 'frontend', status: 'open' });
    // it says what still fires, so a later anomaly of other signals is told apart from a flap of this one
    expect(split[0].title).toContain('(error_rate)');
    expect(publisher.ofType('IncidentResolved').map((e) => (e.detail as { id: string }).id)).toEqual([pay]);
    await p.ingest([anomaly('frontend', ['error_rate'], 'resolved')]);
    expect(store.incidents.get(split[0].id)?.status).toBe('resolved');
  });

  it('a symptom left on its own whose signals change to ones a callee’s new fault explains follows that fault', async () => {
    const { p, store, evidence } = setup([failing('order-service', 'payment-service'), failing('frontend', 'order-service')]);
    const pay = (await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0];
    await p.ingest([anomaly('frontend', ['error_rate'])]);
    await p.ingest([anomaly('payment-service', ['error_rate'], 'resolved')]);
    const left = [...store.incidents.values()].find((i) => i.splitFrom === pay)!;
    expect(left).toMatchObject({ service: 'frontend', status: 'open' });
    // order-service slows down; frontend's errors fade and its latency rises through its calls to it
    evidence.edges = [slow('frontend', 'order-service')];
    const slowOrder = (await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents[0];
    expect((await p.ingest([anomaly('frontend', ['latency_p95'])])).incidents).toEqual([slowOrder]);
    expect(store.incidents.get(left.id)?.status).toBe('resolved');
  });

  it('a symptom that starts after the callee recovered opens its own incident', async () => {
    const { p, evidence, store } = setup([failing('order-service', 'payment-service')]);
    const pay = (await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0];
    await p.ingest([anomaly('payment-service', ['error_rate'], 'resolved')]);
    expect(store.incidents.get(pay)?.status).toBe('resolved');
    evidence.edges = [failing('order-service', 'payment-service')];
    const order = (await p.ingest([anomaly('order-service', ['error_rate'])])).incidents[0];
    expect(order).not.toBe(pay);
    expect(store.incidents.get(order)?.service).toBe('order-service');
  });

  it('without edge evidence (alerts from outside the pull) topology and time decide, as before', async () => {
    const { p } = setup([healthy('order-service', 'payment-service')]);
    const pay = await p.ingest([alert({ cluster: 'c1', service: 'payment-service' })]);
    expect((await p.ingest([alert({ cluster: 'c1', service: 'order-service' })])).incidents).toEqual(pay.incidents);
  });

  it('a callee failing after its caller’s symptom takes the incident over when the caller’s edges trace it there', async () => {
    const { p, store, slack } = setup([failing('order-service', 'payment-service')]);
    const order = (await p.ingest([anomaly('order-service', ['error_rate'])])).incidents[0];
    expect((await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents).toEqual([order]);
    expect(store.incidents.get(order)).toMatchObject({ service: 'payment-service', rerootedFrom: 'order-service' });
    expect(slack.sent.map((m) => m.title)).toEqual([expect.stringMatching(/^Incident opened/), expect.stringMatching(/^Incident traced/)]);
  });

  it('a callee failing just after a caller’s incident whose calls were all healthy as it opened is another fault', async () => {
    const { p, store, clock, evidence } = setup([healthy('order-service', 'payment-service')]);
    const order = (await p.ingest([anomaly('order-service', ['error_rate'])])).incidents[0];
    expect(store.incidents.get(order)?.observed).toMatchObject({ callsHealthy: true });
    clock.advance(10);
    evidence.edges = [failing('order-service', 'payment-service')];
    const pay = (await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0];
    expect(pay).not.toBe(order);
    expect(store.incidents.get(order)).toMatchObject({ service: 'order-service' });
  });

  // At a fault's onset the edge's mean over its window lags the caller's p95: the edge is rising, not yet 1.5x.
  const rising = (from: string, to: string): EdgeHealth => ({ ...healthy(from, to), latencyMs: 130, baselineLatencyMs: 96 });

  it('a caller slowing in the same pull as its callee joins the callee’s incident while their edge is still rising', async () => {
    const { p, publisher } = setup([rising('frontend', 'order-service'), healthy('frontend', 'user-service')]);
    const order = (await p.ingest([{ ...anomaly('order-service', ['latency_p95']), related: ['frontend'] }])).incidents[0];
    const front = (await p.ingest([{ ...anomaly('frontend', ['latency_p95']), related: ['order-service'] }])).incidents[0];
    expect(front).toBe(order);
    expect(publisher.ofType('IncidentOpened')).toHaveLength(1);
  });

  it('a rising edge explains nothing when its callee was not anomalous in the same pull', async () => {
    const { p } = setup([rising('frontend', 'order-service'), healthy('frontend', 'user-service')]);
    const order = (await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents[0];
    expect((await p.ingest([anomaly('frontend', ['latency_p95'])])).incidents).not.toEqual([order]);
  });

  it('a caller whose calls were already rising as its incident opened is not healthy: its callee failing next pull takes it over', async () => {
    const { p, store, clock, evidence } = setup([rising('frontend', 'order-service'), healthy('frontend', 'user-service')]);
    const front = (await p.ingest([anomaly('frontend', ['latency_p95'])])).incidents[0];
    expect(store.incidents.get(front)?.observed).toMatchObject({ callsHealthy: false });
    clock.advance(10);
    evidence.edges = [slow('frontend', 'order-service'), healthy('frontend', 'user-service')];
    expect((await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents).toEqual([front]);
    expect(store.incidents.get(front)).toMatchObject({ service: 'order-service', rerootedFrom: 'frontend' });
  });

  // The pull's sustained reading (the edge's lowest over its span): it failed as it does now all along.
  const settled = (edge: EdgeHealth): EdgeHealth => ({ ...edge, sustainedErrorRatio: edge.errorRatio, sustainedLatencyMs: edge.latencyMs });

  it('a caller whose errors begin minutes into a callee’s failure, on an edge failing as before, has a fault of its own', async () => {
    const { p, store, clock, evidence } = setup([failing('frontend', 'user-service'), healthy('frontend', 'order-service')]);
    const user = (await p.ingest([anomaly('user-service', ['error_rate'])])).incidents[0];
    clock.advance(170);
    evidence.edges = [settled(failing('frontend', 'user-service')), healthy('frontend', 'order-service')];
    const front = (await p.ingest([{ ...anomaly('frontend', ['error_rate']), startsAt: clock.now().toISOString() }])).incidents[0];
    expect(front).not.toBe(user);
    expect(store.incidents.get(front)).toMatchObject({ service: 'frontend', status: 'open' });
  });

  it('an event handled minutes after its pull (a retry) is judged without its onset: the edges have moved on since', async () => {
    const { p, clock, evidence } = setup([failing('frontend', 'user-service'), healthy('frontend', 'order-service')]);
    const user = (await p.ingest([anomaly('user-service', ['error_rate'])])).incidents[0];
    clock.advance(170);
    evidence.edges = [settled(failing('frontend', 'user-service')), healthy('frontend', 'order-service')];
    const late = { ...anomaly('frontend', ['error_rate']), startsAt: new Date(clock.now().getTime() - 120_000).toISOString() };
    expect((await p.ingest([late])).incidents).toEqual([user]);
  });

  it('a symptom that began with its callee’s failure stays with it when another signal is added later', async () => {
    const { p, clock, evidence } = setup([failing('frontend', 'user-service'), healthy('frontend', 'order-service')]);
    const user = (await p.ingest([anomaly('user-service', ['error_rate'])])).incidents[0];
    expect((await p.ingest([anomaly('frontend', ['error_rate'])])).incidents).toEqual([user]);
    clock.advance(170);
    // user-service slows down too: the latency is new on the edge, the errors are what frontend had all along
    evidence.edges = [{ ...settled(failing('frontend', 'user-service')), latencyMs: 900, sustainedLatencyMs: 40 }, healthy('frontend', 'order-service')];
    expect((await p.ingest([anomaly('frontend', ['error_rate', 'latency_p95'])])).incidents).toEqual([user]);
  });

  it('a symptom back within the flap window has no new onset: a settled edge still explains it', async () => {
    const { p, clock, evidence } = setup([failing('frontend', 'user-service'), healthy('frontend', 'order-service')], { flapSeconds: 60 });
    const user = (await p.ingest([anomaly('user-service', ['error_rate'])])).incidents[0];
    expect((await p.ingest([anomaly('frontend', ['error_rate'])])).incidents).toEqual([user]);
    clock.advance(150);
    await p.ingest([anomaly('frontend', ['error_rate'], 'resolved')]);
    clock.advance(20);
    evidence.edges = [settled(failing('frontend', 'user-service')), healthy('frontend', 'order-service')];
    expect((await p.ingest([anomaly('frontend', ['error_rate'])])).incidents).toEqual([user]);
  });

  it('a callee failing longer than the upward-join window after its caller’s incident began is another fault', async () => {
    const { p, clock } = setup([failing('order-service', 'payment-service')], { upwardJoinSeconds: 30 });
    const order = (await p.ingest([anomaly('order-service', ['error_rate'])])).incidents[0];
    clock.advance(45);
    expect((await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents).not.toEqual([order]);
  });
});

describe('one service, one fault after another', () => {
  it('an anomaly whose signals all changed (one condition ended, another began before detection called it over) opens a new incident', async () => {
    const { p, store, publisher } = setup();
    const cpu = (await p.ingest([anomaly('payment-service', ['cpu_usage', 'latency_p95'])])).incidents[0];
    const errors = (await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0];
    expect(errors).not.toBe(cpu);
    expect(store.incidents.get(errors)).toMatchObject({ service: 'payment-service', splitFrom: cpu, status: 'open' });
    expect(publisher.ofType('IncidentOpened')).toHaveLength(2);
    // the same condition growing (a signal in common) stays in its incident
    expect((await p.ingest([anomaly('payment-service', ['error_rate', 'latency_p95'])])).incidents).toEqual([errors]);
    await p.ingest([anomaly('payment-service', [], 'resolved')]);
    expect(store.incidents.get(errors)?.status).toBe('resolved');
  });

  it('a growing condition (a signal in common) stays one incident', async () => {
    const { p, publisher } = setup();
    const first = (await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents;
    expect((await p.ingest([anomaly('order-service', ['latency_p95', 'error_rate'])])).incidents).toEqual(first);
    expect(publisher.ofType('IncidentOpened')).toHaveLength(1);
  });

  it('a caller’s symptom in an incident whose root moved on follows the callee’s incident that explains it', async () => {
    const { p, store, evidence } = setup([slow('order-service', 'payment-service')]);
    const cpu = (await p.ingest([anomaly('payment-service', ['cpu_usage', 'latency_p95'])])).incidents[0];
    expect((await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents).toEqual([cpu]);
    // the CPU spike ends and payment-service starts failing requests: a new fault, a new incident
    evidence.edges = [failing('order-service', 'payment-service')];
    const crash = (await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0];
    expect(crash).not.toBe(cpu);
    // order-service's errors come from that new fault, not from the CPU spike it first joined
    expect((await p.ingest([anomaly('order-service', ['error_rate'])])).incidents).toEqual([crash]);
    expect(store.incidents.get(crash)?.services).toEqual(['order-service', 'payment-service']);
    expect(store.incidents.get(cpu)?.status).toBe('resolved');
  });
});

describe('a service’s own condition and its symptoms key apart', () => {
  it('a crash-looping caller’s new latency, traced by its edges to a callee’s later fault, follows that fault; the crash loop keeps its incident', async () => {
    const { p, store, clock, evidence, publisher } = setup([healthy('order-service', 'payment-service'), failing('frontend', 'order-service')]);
    const crash = (await p.ingest([anomaly('order-service', ['error_rate'])])).incidents[0];
    clock.advance(10);
    // the condition behind the errors, a pull later: one fault, one incident
    expect((await p.ingest([kube('order-service', 'KubePodCrashLooping')])).incidents).toEqual([crash]);
    clock.advance(300);
    // payment-service slows down; order-service's calls to it are what is slow now
    evidence.edges = [slow('order-service', 'payment-service'), failing('frontend', 'order-service')];
    const slowPay = (await p.ingest([anomaly('payment-service', ['latency_p95'])])).incidents[0];
    expect(slowPay).not.toBe(crash);
    expect((await p.ingest([anomaly('order-service', ['error_rate', 'latency_p95'])])).incidents).toEqual([slowPay]);
    expect(store.incidents.get(crash)).toMatchObject({ status: 'open', service: 'order-service', types: ['AnomalyDetected', 'KubePodCrashLooping'] });
    expect((await store.firingAlerts(crash)).flatMap((a) => a.types)).toEqual(['KubePodCrashLooping']);
    expect(store.incidents.get(slowPay)?.services).toEqual(['order-service', 'payment-service']);
    // payment-service recovers while order-service still crash-loops: its symptom goes back to the crash loop's incident
    await p.ingest([anomaly('payment-service', [], 'resolved')]);
    expect(store.incidents.get(slowPay)?.status).toBe('resolved');
    expect(publisher.ofType('IncidentOpened')).toHaveLength(2);
    expect((await store.firingAlerts(crash)).flatMap((a) => a.types).sort()).toEqual(['AnomalyDetected', 'KubePodCrashLooping']);
    // the crash loop ends, then its errors: the incident resolves
    await p.ingest([kube('order-service', 'KubePodCrashLooping', 'resolved')]);
    expect(store.incidents.get(crash)?.status).toBe('open');
    await p.ingest([anomaly('order-service', [], 'resolved')]);
    expect(store.incidents.get(crash)?.status).toBe('resolved');
  });

  it('a condition that fires first is joined by the errors it causes; an image-pull failure is not joined by a latency rise', async () => {
    const { p } = setup([]);
    const crash = (await p.ingest([kube('user-service', 'KubePodCrashLooping')])).incidents[0];
    expect((await p.ingest([anomaly('user-service', ['error_rate'])])).incidents).toEqual([crash]);
    const pull = (await p.ingest([kube('order-service', 'KubePodImagePullBackOff')])).incidents[0];
    expect((await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents[0]).not.toBe(pull);
  });

  it('a symptom left over when its callee recovers goes back only to a condition of its own that can show as it', async () => {
    const { p, store } = setup([slow('order-service', 'payment-service')]);
    const slowPay = (await p.ingest([anomaly('payment-service', ['latency_p95'])])).incidents[0];
    expect((await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents).toEqual([slowPay]);
    const pull = (await p.ingest([kube('order-service', 'KubePodImagePullBackOff')])).incidents[0];
    expect(pull).not.toBe(slowPay);
    // payment-service recovers; order-service is still slow: an image that cannot be pulled slows nothing
    await p.ingest([anomaly('payment-service', [], 'resolved')]);
    expect(store.incidents.get(slowPay)?.status).toBe('resolved');
    expect((await store.firingAlerts(pull)).flatMap((a) => a.types)).toEqual(['KubePodImagePullBackOff']);
    const leftover = [...store.incidents.values()].find((i) => i.splitFrom === slowPay);
    expect(leftover).toMatchObject({ service: 'order-service', status: 'open' });
    expect((await store.firingAlerts(leftover!.id)).flatMap((a) => a.types)).toEqual(['AnomalyDetected']);
  });
});

describe('a condition of another kind right after one was fixed', () => {
  it('opens its own incident and takes the service’s symptoms it can show as; the fixed one resolves', async () => {
    const { p, clock, store, publisher } = setup([]);
    const crash = (await p.ingest([kube('order-service', 'KubePodCrashLooping')])).incidents[0];
    expect((await p.ingest([anomaly('order-service', ['error_rate'])])).incidents).toEqual([crash]);
    clock.advance(60);
    await p.ingest([kube('order-service', 'KubePodCrashLooping', 'resolved')]);
    expect(store.incidents.get(crash)?.status).toBe('open'); // its errors still fire
    clock.advance(20);
    const oom = (await p.ingest([kube('order-service', 'KubePodOOMKilled')])).incidents[0];
    expect(oom).not.toBe(crash);
    expect((await store.firingAlerts(oom)).flatMap((a) => a.types).sort()).toEqual(['AnomalyDetected', 'KubePodOOMKilled']);
    expect(store.incidents.get(crash)?.status).toBe('resolved');
    expect(publisher.ofType('IncidentResolved').map((e) => (e.detail as { id: string }).id)).toEqual([crash]);
    // the errors end with the OOM kills: one resolve, of the OOM incident
    await p.ingest([kube('order-service', 'KubePodOOMKilled', 'resolved')]);
    await p.ingest([anomaly('order-service', [], 'resolved')]);
    expect(store.incidents.get(oom)?.status).toBe('resolved');
  });

  it('leaves an anomaly-only incident its symptoms (that fault may still be going on)', async () => {
    const { p, clock, store } = setup([]);
    const errors = (await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0];
    clock.advance(120);
    const crash = (await p.ingest([kube('payment-service', 'KubePodCrashLooping')])).incidents[0];
    expect(crash).not.toBe(errors);
    expect(store.incidents.get(errors)?.status).toBe('open');
    expect((await store.firingAlerts(errors)).flatMap((a) => a.types)).toEqual(['AnomalyDetected']);
  });

  it('a symptom back after its condition was fixed opens a new incident, which the condition joins if it is back too', async () => {
    for (const back of ['KubePodCrashLooping', 'KubePodOOMKilled']) {
      const { p, clock, store, publisher } = setup([]);
      const crash = (await p.ingest([kube('user-service', 'KubePodCrashLooping')])).incidents[0];
      await p.ingest([anomaly('user-service', ['error_rate'])]);
      clock.advance(60);
      await p.ingest([kube('user-service', 'KubePodCrashLooping', 'resolved'), anomaly('user-service', [], 'resolved')]);
      expect(store.incidents.get(crash)?.status).toBe('resolved');
      clock.advance(20);
      const errors = (await p.ingest([anomaly('user-service', ['error_rate'])])).incidents[0];
      expect(errors, back).not.toBe(crash);
      clock.advance(10);
      expect((await p.ingest([kube('user-service', back)])).incidents, back).toEqual([errors]);
      expect(store.incidents.get(crash)?.status).toBe('resolved');
      // the fixed incident is not reopened: each incident opens once
      expect(publisher.ofType('IncidentOpened').map((e) => (e.detail as { id: string }).id)).toEqual([crash, errors]);
      expect(store.incidents.get(errors)?.types?.sort()).toEqual(['AnomalyDetected', back]);
    }
  });

  it('a condition back within the flap window with no new incident of its service reopens its own', async () => {
    const { p, clock, store } = setup([]);
    const crash = (await p.ingest([kube('user-service', 'KubePodCrashLooping')])).incidents[0];
    clock.advance(30);
    await p.ingest([kube('user-service', 'KubePodCrashLooping', 'resolved')]);
    expect(store.incidents.get(crash)?.status).toBe('resolved');
    clock.advance(20);
    expect((await p.ingest([kube('user-service', 'KubePodCrashLooping')])).incidents).toEqual([crash]);
    expect(store.incidents.get(crash)?.status).toBe('open');
  });
});

describe('a long outage', () => {
  it('keeps taking the symptoms its edges explain after nothing new reached it for longer than the correlation window', async () => {
    const { p, clock, store } = setup([failing('order-service', 'payment-service'), failing('frontend', 'order-service')]);
    const pay = (await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0];
    // 25 minutes on, the burst still going (an anomaly is sent when it starts or worsens, not while it lasts)
    clock.advance(25 * 60);
    expect((await p.ingest([anomaly('order-service', ['error_rate'])])).incidents).toEqual([pay]);
    expect(store.incidents.get(pay)?.services).toEqual(['order-service', 'payment-service']);
    // topology and time alone (an Alertmanager rule, no edge evidence behind it) still need a recent incident
    clock.advance(25 * 60);
    const rule = (await p.ingest([alert({ cluster: 'c1', service: 'frontend', type: 'HighErrorRate', source: 'alertmanager', message: 'errors' })]))
      .incidents[0];
    expect(rule).not.toBe(pay);
  });
});

describe('a signal of a family new to its service’s incident', () => {
  const pullConfig = { newKindAfterSeconds: newKindAfterSecondsFor(10), signalOnsetSeconds: signalOnsetSecondsFor(10) };

  it.each(['cpu_usage', 'error_rate'])(
    '%s within two pulls of its service’s latency is the same fault; a minute in, with nothing that can show as it, another',
    async (signal) => {
      const { p, clock, store } = setup([], pullConfig);
      const together = (await p.ingest([anomaly('user-service', ['latency_p95'])])).incidents[0];
      clock.advance(20);
      expect((await p.ingest([anomaly('user-service', [signal, 'latency_p95'])])).incidents).toEqual([together]);
      const slow = (await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents[0];
      clock.advance(60);
      const late = (await p.ingest([anomaly('order-service', [signal, 'latency_p95'])])).incidents[0];
      expect(late).not.toBe(slow);
      expect(store.incidents.get(late)).toMatchObject({ service: 'order-service', splitFrom: slow, status: 'open' });
      // the service's one anomaly key moved with it: the incident it left has nothing firing, and resolves (else nothing would)
      expect(store.incidents.get(slow)).toMatchObject({ status: 'resolved', resolution: 'alerts-moved' });
      // memory may trail its symptoms (garbage collection first): a minute in, still the same fault
      const leak = (await p.ingest([anomaly('payment-service', ['latency_p95'])])).incidents[0];
      clock.advance(60);
      expect((await p.ingest([anomaly('payment-service', ['latency_p95', 'memory_usage'])])).incidents).toEqual([leak]);
    },
  );

  it('the crash loop behind errors a minute into a latency spike is theirs, and on-call hears the latency incident close as moved', async () => {
    const { p, clock, slack } = setup([], pullConfig);
    const slow = (await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents[0];
    clock.advance(60);
    const errors = (await p.ingest([anomaly('order-service', ['error_rate', 'latency_p95'])])).incidents[0];
    expect(errors).not.toBe(slow);
    clock.advance(10);
    expect((await p.ingest([kube('order-service', 'KubePodCrashLooping')])).incidents).toEqual([errors]);
    expect(slack.sent.map((m) => [m.incidentId, m.status])).toEqual([
      [slow, 'open'],
      [errors, 'open'],
      [slow, 'resolved'],
    ]);
    // on-call must not read it as the latency spike's end
    expect(slack.sent.at(-1)?.title).toMatch(/^Incident closed: its alerts moved to another incident/);
  });

  it('errors a minute into an incident opened on memory are the leak’s (its pods killed), and so is latency', async () => {
    const { p, clock } = setup([], pullConfig);
    const leak = (await p.ingest([anomaly('payment-service', ['memory_usage'])])).incidents[0];
    clock.advance(90);
    expect((await p.ingest([anomaly('payment-service', ['error_rate', 'memory_usage'])])).incidents).toEqual([leak]);
    clock.advance(60);
    expect((await p.ingest([anomaly('payment-service', ['error_rate', 'latency_p95', 'memory_usage'])])).incidents).toEqual([leak]);
  });

  it('late errors a firing crash loop can show as stay with it', async () => {
    const { p, clock } = setup([], pullConfig);
    const slow = (await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents[0];
    clock.advance(10);
    expect((await p.ingest([kube('order-service', 'KubePodCrashLooping')])).incidents).toEqual([slow]);
    clock.advance(60);
    expect((await p.ingest([anomaly('order-service', ['error_rate', 'latency_p95'])])).incidents).toEqual([slow]);
  });

  it('late errors that a failing callee’s edges explain join the callee’s incident', async () => {
    const { p, clock, evidence } = setup([healthy('order-service', 'payment-service')], pullConfig);
    const slow = (await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents[0];
    clock.advance(60);
    evidence.edges = [failing('order-service', 'payment-service')];
    const pay = (await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0];
    expect(pay).not.toBe(slow);
    expect((await p.ingest([anomaly('order-service', ['error_rate', 'latency_p95'])])).incidents).toEqual([pay]);
  });
});

describe('at the AWS schedule (a pull every 5 minutes)', () => {
  it('a condition or resource signal one pull after its service’s errors is the same fault; three pulls later, another', async () => {
    const pull = 300;
    const { p, clock, store } = setup([], {
      flapSeconds: flapSecondsFor(pull),
      upwardJoinSeconds: upwardJoinSecondsFor(pull),
      newKindAfterSeconds: newKindAfterSecondsFor(pull),
      signalOnsetSeconds: signalOnsetSecondsFor(pull),
    });
    const errors = (await p.ingest([anomaly('order-service', ['error_rate'])])).incidents[0];
    clock.advance(pull);
    expect((await p.ingest([kube('order-service', 'KubePodCrashLooping')])).incidents).toEqual([errors]);
    expect((await p.ingest([anomaly('order-service', ['error_rate', 'memory_usage'])])).incidents).toEqual([errors]);
    const slow = (await p.ingest([anomaly('user-service', ['latency_p95'])])).incidents[0];
    clock.advance(3 * pull);
    const spike = (await p.ingest([anomaly('user-service', ['cpu_usage', 'latency_p95'])])).incidents[0];
    expect(spike).not.toBe(slow);
    expect(store.incidents.get(errors)?.types?.sort()).toEqual(['AnomalyDetected', 'KubePodCrashLooping']);
  });
});

/** The forecast's warning that order-service's memory reaches its limit `inSeconds` from now. */
function memoryBreach(now: Date, inSeconds: number): NormalizedAlert {
  return predictedBreachAlert({
    cluster: 'c1',
    clusterId: 'c1',
    namespace: 'shop',
    service: 'order-service',
    container: 'app',
    signal: 'memory',
    limit: '512Mi',
    status: 'firing',
    predictedBreachAt: new Date(now.getTime() + inSeconds * 1000).toISOString(),
    message: 'Predicted breach: memory of order-service/app reaches its limit 512Mi',
    since: now.toISOString(),
    at: now.toISOString(),
  });
}

describe('a fault that evolves', () => {
  it('a memory leak’s OOM kill minutes after its memory signal is the same fault; a crash loop that late is another', async () => {
    const { p, clock, store } = setup([], { newKindAfterSeconds: newKindAfterSecondsFor(10) });
    const leak = (await p.ingest([anomaly('order-service', ['memory_usage'])])).incidents[0];
    const slow = (await p.ingest([anomaly('user-service', ['memory_usage'])])).incidents[0];
    clock.advance(180);
    expect((await p.ingest([kube('order-service', 'KubePodOOMKilled')])).incidents).toEqual([leak]);
    expect((await p.ingest([anomaly('order-service', ['error_rate', 'memory_usage'])])).incidents).toEqual([leak]);
    expect(store.incidents.get(leak)?.types?.sort()).toEqual(['AnomalyDetected', 'KubePodOOMKilled']);
    expect((await p.ingest([kube('user-service', 'KubePodCrashLooping')])).incidents).not.toEqual([slow]);
  });

  it('a predicted memory breach, then the OOM kill it predicted minutes later: one incident, whatever its callees do', async () => {
    const { p, clock, store } = setup([failing('order-service', 'payment-service')], { newKindAfterSeconds: newKindAfterSecondsFor(10) });
    const pay = (await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0];
    const breach = memoryBreach(clock.now(), 180);
    const predicted = (await p.ingest([breach])).incidents[0];
    expect(predicted).not.toBe(pay);
    clock.advance(180);
    expect((await p.ingest([kube('order-service', 'KubePodOOMKilled')])).incidents).toEqual([predicted]);
    expect(store.incidents.get(predicted)?.types?.sort()).toEqual(['KubePodOOMKilled', 'PredictedBreach']);
  });

  it('the memory anomaly minutes after a predicted memory breach is the fault it warned of', async () => {
    const { p, clock } = setup([], { newKindAfterSeconds: newKindAfterSecondsFor(10) });
    const breach = memoryBreach(clock.now(), 600);
    const predicted = (await p.ingest([breach])).incidents[0];
    clock.advance(150);
    expect((await p.ingest([anomaly('order-service', ['memory_usage'])])).incidents).toEqual([predicted]);
  });
});

describe('the same kind of failure again, later', () => {
  it('a condition back within the flap window is a flap; back minutes after it went quiet, while its incident stayed open, another fault', async () => {
    const { p, clock, store } = setup([]);
    const crash = (await p.ingest([kube('order-service', 'KubePodCrashLooping')])).incidents[0];
    expect((await p.ingest([anomaly('order-service', ['error_rate'])])).incidents).toEqual([crash]);
    clock.advance(30);
    await p.ingest([kube('order-service', 'KubePodCrashLooping', 'resolved')]);
    clock.advance(20);
    expect((await p.ingest([kube('order-service', 'KubePodCrashLooping')])).incidents).toEqual([crash]);
    clock.advance(30);
    await p.ingest([kube('order-service', 'KubePodCrashLooping', 'resolved')]);
    // the errors linger and keep the incident open; the crash loop comes back six minutes later
    clock.advance(360);
    const again = (await p.ingest([kube('order-service', 'KubePodCrashLooping')])).incidents[0];
    expect(again).not.toBe(crash);
    expect(store.incidents.get(again)).toMatchObject({ type: 'KubePodCrashLooping', splitFrom: crash });
  });

  it('a resource signal that joins an anomaly well into its incident is another fault; one that comes with it is the same', async () => {
    const { p, clock } = setup([]);
    const errors = (await p.ingest([anomaly('frontend', ['error_rate'])])).incidents[0];
    clock.advance(20);
    expect((await p.ingest([anomaly('frontend', ['error_rate', 'latency_p95'])])).incidents).toEqual([errors]);
    clock.advance(180);
    expect((await p.ingest([anomaly('frontend', ['cpu_usage', 'error_rate', 'latency_p95'])])).incidents[0]).not.toBe(errors);
    const cpu = (await p.ingest([anomaly('user-service', ['cpu_usage', 'latency_p95'])])).incidents[0];
    clock.advance(20);
    expect((await p.ingest([anomaly('user-service', ['cpu_usage', 'latency_p95', 'memory_usage'])])).incidents).toEqual([cpu]);
  });
});

describe('a caller fault starting while it is a symptom', () => {
  it('a latency spike on a caller whose errors joined the callee’s incident splits off (errors do not explain latency)', async () => {
    const { p, store } = setup([failing('order-service', 'payment-service')]);
    const pay = (await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0];
    expect((await p.ingest([anomaly('order-service', ['error_rate'])])).incidents).toEqual([pay]);
    const spike = (await p.ingest([anomaly('order-service', ['error_rate', 'latency_p95'])])).incidents[0];
    expect(spike).not.toBe(pay);
    expect(store.incidents.get(spike)).toMatchObject({ service: 'order-service', splitFrom: pay });
  });

  it('an anomaly back within the flap window reopens its incident; back later, it is a new fault', async () => {
    const { p, clock, store } = setup(undefined, { flapSeconds: 60 });
    const first = (await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0];
    clock.advance(30);
    await p.ingest([anomaly('payment-service', ['error_rate'], 'resolved')]);
    expect(store.incidents.get(first)?.status).toBe('resolved');
    clock.advance(40);
    expect((await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0]).toBe(first);
    expect(store.incidents.get(first)?.status).toBe('open');
    clock.advance(30);
    await p.ingest([anomaly('payment-service', ['error_rate'], 'resolved')]);
    clock.advance(90);
    const second = (await p.ingest([anomaly('payment-service', ['error_rate'])])).incidents[0];
    expect(second).not.toBe(first);
    expect([...store.incidents.keys()].sort()).toEqual([first, second].sort());
  });

  it('a Kubernetes failure of the service that its anomaly incident’s signals rule out is another fault; one that shows as them joins', async () => {
    const { p, clock, store } = setup([]);
    // A latency spike, then an image that cannot be pulled 30 s later: the old pods keep serving, so the pull failure did not slow them.
    const latency = (await p.ingest([anomaly('order-service', ['latency_p95'])])).incidents[0];
    clock.advance(30);
    const imagePull = (await p.ingest([kube('order-service', 'KubePodImagePullBackOff')])).incidents[0];
    expect(imagePull).not.toBe(latency);
    // The pull's condition keys apart from the service's symptoms: it opens its own incident, nothing to split.
    expect(store.incidents.get(imagePull)).toMatchObject({ service: 'order-service', type: 'KubePodImagePullBackOff' });
    expect(store.incidents.get(imagePull)?.splitFrom).toBeUndefined();
    expect(store.incidents.get(latency)).toMatchObject({ status: 'open', types: ['AnomalyDetected'] });
    // Errors, then the crash loop behind them a pull later: one fault.
    const errors = (await p.ingest([anomaly('user-service', ['error_rate'])])).incidents[0];
    clock.advance(10);
    expect((await p.ingest([kube('user-service', 'KubePodCrashLooping')])).incidents[0]).toBe(errors);
  });

  it('a Kubernetes failure of a new kind after the incident’s own ended is another fault; while one fires it joins', async () => {
    const { p, clock, store } = setup([]);
    const oom = (await p.ingest([kube('payment-service', 'KubePodOOMKilled')])).incidents[0];
    clock.advance(20);
    // Out of memory, then crash looping while the OOM kill still shows: the same pods, one fault.
    expect((await p.ingest([kube('payment-service', 'KubePodCrashLooping')])).incidents[0]).toBe(oom);
    clock.advance(60);
    await p.ingest([kube('payment-service', 'KubePodOOMKilled', 'resolved'), kube('payment-service', 'KubePodCrashLooping', 'resolved')]);
    await p.ingest([anomaly('payment-service', ['error_rate'])]);
    clock.advance(10);
    // Fixed, with errors still fading out; then a bad image: a new fault, not the crash loop's.
    const imagePull = (await p.ingest([kube('payment-service', 'KubePodImagePullBackOff')])).incidents[0];
    expect(imagePull).not.toBe(oom);
    expect(store.incidents.get(imagePull)).toMatchObject({ type: 'KubePodImagePullBackOff' });
  });

  it('an image that cannot be pulled while the pods crash loop is another fault, and so is a crash loop while an image cannot be pulled', async () => {
    const { p, clock, store } = setup([]);
    const crash = (await p.ingest([kube('payment-service', 'KubePodCrashLooping')])).incidents[0];
    clock.advance(20);
    const imagePull = (await p.ingest([kube('payment-service', 'KubePodImagePullBackOff')])).incidents[0];
    expect(imagePull).not.toBe(crash);
    expect(store.incidents.get(crash)?.types).toEqual(['KubePodCrashLooping']);
    const stuck = (await p.ingest([kube('order-service', 'KubePodImagePullBackOff')])).incidents[0];
    clock.advance(20);
    const oom = (await p.ingest([kube('order-service', 'KubePodOOMKilled')])).incidents[0];
    expect(oom).not.toBe(stuck);
    expect(store.incidents.get(oom)).toMatchObject({ service: 'order-service', type: 'KubePodOOMKilled' });
  });
});
