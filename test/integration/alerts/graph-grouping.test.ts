// Propagation-aware grouping on DynamoDB Local: the per-cluster graph as the pull stores it, read by the
// pipeline; incidents list every alert type that joined them; kube-state stores its lifecycle item.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTable } from '../../support/dynamodb.ts';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoAlertStore } from '../../../functions/adapters/aws/dynamodb/alert-store.ts';
import { DynamoDependencyGraphStore } from '../../../functions/adapters/aws/dynamodb/dependency-graph-store.ts';
import { DynamoKubeStateStore } from '../../../functions/adapters/aws/dynamodb/kube-state-store.ts';
import { AlertPipeline } from '../../../functions/core/alerts/pipeline.ts';
import { publicIncident } from '../../../functions/core/alerts/messages.ts';
import { kubeStateAlert } from '../../../functions/core/kube-state/alert.ts';
import { RecordingNotifier, RecordingPublisher, TestClock, alert } from './helpers.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
let client: ReturnType<typeof createDocumentClient>;
let store: DynamoAlertStore;
let graphs: DynamoDependencyGraphStore;

beforeAll(async () => {
  db = await startTestTable();
  client = createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint });
  store = new DynamoAlertStore({ client, tableName: db.tableName });
  graphs = new DynamoDependencyGraphStore({ client, tableName: db.tableName });
  await graphs.put('g1', 'mesh', { frontend: ['user-service', 'order-service'], 'order-service': ['payment-service'] }, new Date());
  await graphs.put('g2', 'mesh', { frontend: ['user-service', 'order-service'], 'order-service': ['payment-service'] }, new Date());
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await db?.stop();
});

/** Owners as the catalog would give them. */
const OWNERS: Record<string, string> = { frontend: 'group:default/team-web', 'payment-service': 'group:default/team-payments' };

function pipeline(withGraphs = true) {
  const publisher = new RecordingPublisher();
  const clock = new TestClock();
  const slack = new RecordingNotifier('slack');
  const owners = { ownerOf: async (service: string) => OWNERS[service] };
  const p = new AlertPipeline({ store, publisher, notifiers: [slack], clock, owners, ...(withGraphs ? { graphs: { forCluster: (c) => graphs.get(c) } } : {}) });
  return { p, publisher, clock, slack };
}

describe('propagation-aware grouping with the stored mesh graph', () => {
  it('stores graphs per cluster and source, merges sources on read', async () => {
    await graphs.put('g3', 'mesh', { a: ['b'] }, new Date());
    await graphs.put('g3', 'catalog', { a: ['c'], c: ['d'] }, new Date());
    expect(await graphs.get('g3')).toEqual({ a: ['b', 'c'], c: ['d'] });
    expect(await graphs.get('nowhere')).toBeUndefined();
  });

  it('error burst on payment-service: the callers symptoms join its incident: one incident, not three', async () => {
    const { p, publisher, clock } = pipeline();
    const pay = await p.ingest([alert({ cluster: 'g1', service: 'payment-service', type: 'AnomalyDetected' })]);
    clock.advance(10);
    const order = await p.ingest([alert({ cluster: 'g1', service: 'order-service', type: 'AnomalyDetected' })]);
    clock.advance(10);
    const front = await p.ingest([alert({ cluster: 'g1', service: 'frontend', type: 'AnomalyDetected', severity: 'high' })]);
    expect(order.incidents).toEqual(pay.incidents);
    expect(front.incidents).toEqual(pay.incidents);
    expect(publisher.ofType('IncidentOpened')).toHaveLength(1);
    const incident = await store.getIncident(pay.incidents[0]);
    expect(incident).toMatchObject({ service: 'payment-service', alertCount: 3 });
    expect(incident?.services?.sort()).toEqual(['frontend', 'order-service', 'payment-service']);
    // a sibling failing on its own is its own incident
    const user = await p.ingest([alert({ cluster: 'g1', service: 'user-service', type: 'KubePodCrashLooping' })]);
    expect(user.incidents).not.toEqual(pay.incidents);
  });

  it('the dependency arriving after its caller still gives one incident; without a graph, three', async () => {
    const { p, slack } = pipeline();
    const front = await p.ingest([alert({ cluster: 'g2', service: 'frontend' })]);
    const pay = await p.ingest([alert({ cluster: 'g2', service: 'payment-service' })]);
    expect(pay.incidents).toEqual(front.incidents);
    // Whoever heard "frontend" hears, once, that the incident is about payment-service now.
    expect(slack.sent.map((m) => m.title)).toEqual([
      expect.stringMatching(/^Incident opened: .* on frontend/),
      expect.stringMatching(/^Incident traced to a failing dependency: .* on payment-service/),
    ]);
    expect(slack.sent[1]).toMatchObject({ incidentId: front.incidents[0], fields: { service: 'payment-service', firstSeenOn: 'frontend' } });
    await p.ingest([alert({ cluster: 'g2', service: 'payment-service', alertId: 'pay-2', fingerprint: 'pay-2' })]);
    expect(slack.sent).toHaveLength(2);
    // The incident now names the failing dependency and its owner; the caller stays listed.
    const incident = await store.getIncident(front.incidents[0]);
    expect(incident).toMatchObject({ service: 'payment-service', owner: 'group:default/team-payments', rerootedFrom: 'frontend' });
    expect(incident?.services?.sort()).toEqual(['frontend', 'payment-service']);
    // A caller failing on its own (a crash loop) keeps the incident's name when a dependency's symptom joins.
    await graphs.put('g2b', 'mesh', { frontend: ['order-service'] }, new Date());
    const crash = await p.ingest([alert({ cluster: 'g2b', service: 'frontend', type: 'KubePodCrashLooping' })]);
    expect((await p.ingest([alert({ cluster: 'g2b', service: 'order-service', type: 'AnomalyDetected' })])).incidents).toEqual(crash.incidents);
    expect(await store.getIncident(crash.incidents[0])).toMatchObject({ service: 'frontend', type: 'KubePodCrashLooping' });
    expect(slack.sent.filter((m) => m.incidentId === crash.incidents[0]).map((m) => m.title)).toEqual([expect.stringMatching(/^Incident opened/)]);
    const plain = pipeline(false).p;
    const ids = new Set<string>();
    for (const service of ['payment-service', 'order-service', 'frontend'])
      (await plain.ingest([alert({ cluster: 'g-none', service })])).incidents.forEach((i) => ids.add(i));
    expect(ids.size).toBe(3);
  });
});

describe('one call graph failing at once, ingested by concurrent Lambdas', () => {
  it('gives one incident about the failing dependency, whichever Lambda writes first (10 rounds)', async () => {
    for (let round = 0; round < 10; round++) {
      const cluster = `race-${round}`;
      await graphs.put(cluster, 'mesh', { frontend: ['user-service', 'order-service'], 'order-service': ['payment-service'] }, new Date());
      // One pipeline per service: separate Lambdas, separate caches, the same table.
      const lambdas = ['frontend', 'order-service', 'payment-service'].map((service) => ({ service, ...pipeline() }));
      const results = await Promise.all(lambdas.map(({ p, service }) => p.ingest([alert({ cluster, service, type: 'AnomalyDetected' })])));
      const ids = new Set(results.flatMap((r) => r.incidents));
      expect(ids.size, `round ${round}: ${[...ids].join(', ')}`).toBe(1);
      const incident = await store.getIncident([...ids][0]);
      expect(incident).toMatchObject({ service: 'payment-service', alertCount: 3 });
      expect(lambdas.flatMap((l) => l.publisher.ofType('IncidentOpened'))).toHaveLength(1);
      // Whichever order they ran in: announced once, then once per move down the graph (frontend → order-service
      // → payment-service is two moves at most), and never twice about the same service.
      const sent = lambdas.flatMap((l) => l.slack.sent);
      expect(sent.filter((m) => m.title.startsWith('Incident opened'))).toHaveLength(1);
      const traced = sent.filter((m) => m.title.startsWith('Incident traced')).map((m) => m.fields?.service);
      expect(traced.length).toBeLessThanOrEqual(2);
      expect(new Set(traced).size).toBe(traced.length);
      if (traced.length > 0) expect(traced).toContain('payment-service');
    }
  }, 60_000);
});

describe('a caller whose callee failed in the same pull', () => {
  it('waits for the callee’s incident instead of opening its own: one incident, announced once, about the callee', async () => {
    const cluster = 'hold-1';
    await graphs.put(cluster, 'mesh', { frontend: ['order-service'], 'order-service': ['payment-service'] }, new Date());
    const [front, pay] = [pipeline(), pipeline()];
    // The pull's events arrive in any order: here the caller's first, the callee's 600 ms later.
    const frontDone = front.p.ingest([alert({ cluster, service: 'frontend', type: 'AnomalyDetected', related: ['payment-service'] })]);
    await new Promise((r) => setTimeout(r, 600));
    const payDone = pay.p.ingest([alert({ cluster, service: 'payment-service', type: 'AnomalyDetected', related: ['frontend'] })]);
    const [f, p] = await Promise.all([frontDone, payDone]);
    expect(f.incidents).toEqual(p.incidents);
    expect(await store.getIncident(p.incidents[0])).toMatchObject({
      service: 'payment-service',
      services: expect.arrayContaining(['frontend', 'payment-service']),
    });
    const titles = [...front.slack.sent, ...pay.slack.sent].map((m) => m.title);
    expect(titles).toEqual([expect.stringMatching(/^Incident opened: .* on payment-service/)]);
  });

  it('opens its own incident when the callee’s never comes, after the wait', async () => {
    const cluster = 'hold-2';
    await graphs.put(cluster, 'mesh', { frontend: ['order-service'] }, new Date());
    const slack = new RecordingNotifier('slack');
    const p = new AlertPipeline({
      store,
      publisher: new RecordingPublisher(),
      notifiers: [slack],
      clock: new TestClock(),
      graphs: { forCluster: (c) => graphs.get(c) },
      config: { causeWaitSeconds: 1 },
    });
    const started = Date.now();
    const { incidents } = await p.ingest([alert({ cluster, service: 'frontend', type: 'AnomalyDetected', related: ['order-service'] })]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await store.getIncident(incidents[0])).toMatchObject({ service: 'frontend' });
    // A related service that is not a dependency is no reason to wait.
    const quick = Date.now();
    await p.ingest([alert({ cluster, service: 'order-service', type: 'AnomalyDetected', related: ['frontend'] })]);
    expect(Date.now() - quick).toBeLessThan(900);
  });
});

describe('after a propagated incident resolves', () => {
  it('a caller that fails on its own later gets its own incident, not the dependency’s reopened one', async () => {
    await graphs.put('g4', 'mesh', { frontend: ['order-service'], 'order-service': ['payment-service'] }, new Date());
    const { p, publisher, clock } = pipeline();
    const pay = await p.ingest([alert({ cluster: 'g4', service: 'payment-service', type: 'AnomalyDetected' })]);
    clock.advance(10);
    const order = await p.ingest([alert({ cluster: 'g4', service: 'order-service', type: 'AnomalyDetected' })]);
    expect(order.incidents).toEqual(pay.incidents);
    clock.advance(60);
    await p.ingest([alert({ cluster: 'g4', service: 'payment-service', type: 'AnomalyDetected', status: 'resolved' })]);
    await p.ingest([alert({ cluster: 'g4', service: 'order-service', type: 'AnomalyDetected', status: 'resolved' })]);
    expect((await store.getIncident(pay.incidents[0]))?.status).toBe('resolved');
    // Five minutes later (inside the 30-minute reopen window) order-service fails by itself.
    clock.advance(300);
    const again = await p.ingest([alert({ cluster: 'g4', service: 'order-service', type: 'LatencyHigh', startsAt: clock.now().toISOString() })]);
    expect(again.incidents).toHaveLength(1);
    expect(again.incidents).not.toEqual(pay.incidents);
    expect(await store.getIncident(again.incidents[0])).toMatchObject({ service: 'order-service', status: 'open' });
    expect((await store.getIncident(pay.incidents[0]))?.status).toBe('resolved');
    // payment-service failing again inside the window still reopens its own incident.
    const payAgain = await p.ingest([alert({ cluster: 'g4', service: 'payment-service', type: 'AnomalyDetected', startsAt: clock.now().toISOString() })]);
    expect(payAgain.incidents).toEqual(pay.incidents);
    expect(publisher.ofType('IncidentOpened').length).toBeGreaterThanOrEqual(3);
  });
});

describe('incident types', () => {
  it('lists every alert type that joined: opened, merged on the same service, attached from a caller', async () => {
    const { p } = pipeline();
    const detail = {
      cluster: 'g1',
      clusterId: 'c-1',
      namespace: 'shop',
      issueType: 'pod_crash_loop',
      severity: 'high' as const,
      reason: 'CrashLoopBackOff',
      message: 'KubePodCrashLooping on checkout',
      objects: ['checkout-1/app'],
      since: '2026-11-27T00:00:00.000Z',
      at: '2026-11-27T00:00:10.000Z',
    };
    const opened = await p.ingest([kubeStateAlert({ ...detail, service: 'checkout', type: 'KubePodCrashLooping', status: 'firing' })]);
    await p.ingest([alert({ cluster: 'g1', service: 'checkout', type: 'AnomalyDetected' })]);
    const incident = (await store.getIncident(opened.incidents[0]))!;
    expect(publicIncident(incident).types).toEqual(['AnomalyDetected', 'KubePodCrashLooping']);
    expect(publicIncident(incident).type).toBe('KubePodCrashLooping');
    // a resolved kube-state condition resolves its alert; the anomaly still fires
    await p.ingest([kubeStateAlert({ ...detail, service: 'checkout', type: 'KubePodCrashLooping', status: 'resolved' })]);
    expect((await store.getIncident(opened.incidents[0]))?.status).toBe('open');
  });
});

describe('kube-state lifecycle item', () => {
  it('is written with an optimistic version: an overlapping pull loses instead of overwriting', async () => {
    const ks = new DynamoKubeStateStore({ client, tableName: db.tableName });
    const first = { clusterId: 'k1', cluster: 'dev', at: new Date().toISOString(), pullId: 'p1', restarts: { 'u/app': 2 }, active: {}, version: 1 };
    expect(await ks.put(first, 0)).toBe(true);
    expect(await ks.put({ ...first, pullId: 'p1b' }, 0)).toBe(false);
    expect(await ks.put({ ...first, pullId: 'p2', version: 2 }, 1)).toBe(true);
    expect(await ks.put({ ...first, pullId: 'p2b', version: 2 }, 1)).toBe(false);
    expect(await ks.get('k1')).toMatchObject({ pullId: 'p2', version: 2, restarts: { 'u/app': 2 } });
  });
});
