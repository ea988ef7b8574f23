/**
 * Propagation-aware grouping end to end, as in the demo: the local stack pulling every 10 s on its own
 * schedule, a real Prometheus scraping two simulated clusters, the mesh graph derived from
 * istio_requests_total by the pull. An error burst on payment-service raises order-service's and
 * frontend's error rates too (the simulator propagates faults up the call graph); the result must be ONE
 * incident, payment-service's, that the callers' symptoms joined. Skipped without a prometheus binary:
 * without mesh metrics the graph has to come from the catalog (not built yet).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusAvailable } from '../../local/prometheus.ts';
import { kreq } from '../integration/sim/helpers.ts';
import { startPullingStack, type PullingStack } from '../support/local-stack.ts';

const available = prometheusAvailable();
if (!available) console.warn('propagation e2e: skipped, no prometheus binary (the mesh metrics this test groups by need one)');

let stack: PullingStack;
const api: PullingStack['api'] = (method, path, body) => stack.api(method, path, body);

describe.skipIf(!available)('propagation-aware grouping in the demo setup', () => {
  beforeAll(async () => {
    stack = await startPullingStack({ clusters: ['dev', 'prod'], prometheus: true });
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('the pull stores the mesh graph and the alert pipeline groups by it, whatever order the alerts arrive in', async () => {
    await new Promise((r) => setTimeout(r, 30_000)); // the demo's "started 30 s before the fault": a few pulls
    expect((await api('GET', '/v1/incidents?status=open')).body.items).toEqual([]);
    const post = async (service: string, type: string) => {
      const r = await api('POST', '/v1/alerts', {
        source: 'e2e',
        cluster: 'prod',
        namespace: 'shop',
        service,
        type,
        severity: 'high',
        message: `${type} on ${service}`,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      return r.body.incidents[0] as string;
    };
    // caller first, then its dependency two hops down, then the one in between
    const front = await post('frontend', 'HighLatency');
    expect(await post('payment-service', 'HighErrorRate')).toBe(front);
    expect(await post('order-service', 'HighErrorRate')).toBe(front);
    const incident = (await api('GET', `/v1/incidents/${front}`)).body;
    expect(incident.types).toEqual(['HighErrorRate', 'HighLatency']);
    const open = ((await api('GET', '/v1/incidents?status=open')).body.items as any[]).filter((i) => i.cluster === 'prod');
    expect(open).toHaveLength(1);
    await api('POST', '/v1/alerts', {
      source: 'e2e',
      cluster: 'prod',
      namespace: 'shop',
      service: 'frontend',
      type: 'HighLatency',
      severity: 'high',
      message: 'x',
      status: 'resolved',
    });
  }, 120_000);

  // The pull's anomalies of one call graph reach the pipeline concurrently: opening is serialised per cluster.
  // The fault starts about a minute after Prometheus: the edges' baselines come from the minutes before it.
  it('an error burst on payment-service gives one incident, not three', { timeout: 300_000 }, async () => {
    const dev = stack.cluster('dev');
    for (let t = Date.now(); Date.now() - t < 150_000;) {
      const left = ((await api('GET', '/v1/incidents?status=open')).body.items as any[]).filter((i) => i.cluster === 'dev');
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const fault = await kreq(dev, 'POST', '/sim/v1/faults', { type: 'error-burst', namespace: 'shop', deployment: 'payment-service' });
    expect(fault.status).toBe(201);
    try {
      await oneIncident();
    } finally {
      await kreq(dev, 'DELETE', `/sim/v1/faults/${fault.body.id}`);
    }
  });

  async function oneIncident(): Promise<void> {
    const at = Date.now();

    let incident: any;
    while (!incident && Date.now() - at < 90_000) {
      await new Promise((r) => setTimeout(r, 1000));
      incident = (await api('GET', '/v1/incidents?status=open')).body.items.find((i: any) => i.cluster === 'dev');
    }
    if (!incident) {
      for (const service of ['payment-service', 'order-service', 'frontend']) {
        const items = (await api('GET', `/v1/anomalies?cluster=dev&service=${service}&limit=5`)).body.items as any[];
        console.log(
          JSON.stringify({
            service,
            anomalies: items.map((a) => ({ at: a.at, status: a.status, severity: a.severity, error_rate: a.features?.error_rate, reasons: a.reasons })),
          }),
        );
      }
    }
    expect(incident, 'no incident within 90 s').toBeDefined();
    const openedAfter = (Date.now() - at) / 1000;
    // Let the callers' symptoms show for a few more pulls.
    const symptomatic = new Set<string>();
    while (Date.now() - at < 150_000 && symptomatic.size < 2) {
      await new Promise((r) => setTimeout(r, 5000));
      for (const service of ['order-service', 'frontend']) {
        const items = (await api('GET', `/v1/anomalies?cluster=dev&service=${service}&limit=20`)).body.items as any[];
        if (items.some((a) => a.status === 'anomaly' && Date.parse(a.at) > at)) symptomatic.add(service);
      }
    }
    await new Promise((r) => setTimeout(r, 15_000)); // their alerts reach the pipeline
    const open = ((await api('GET', '/v1/incidents?status=open')).body.items as any[]).filter((i) => i.cluster === 'dev');
    const full = (await api('GET', `/v1/incidents/${open[0]?.id}`)).body;
    console.log(
      JSON.stringify({
        measurement: 'error-burst on payment-service (dev)',
        incidentAfterSeconds: Number(openedAfter.toFixed(1)),
        callersAnomalous: [...symptomatic].sort(),
        openIncidents: open.map((i) => ({ service: i.service, services: i.services, types: i.types, alertCount: i.alertCount })),
      }),
    );
    expect(open).toHaveLength(1);
    expect(open[0].service).toBe('payment-service');
    expect(symptomatic.size, 'the callers showed symptoms of their own (else the test proves nothing)').toBeGreaterThan(0);
    for (const s of symptomatic) expect(full.services ?? open[0].services).toContain(s);
  }
});
