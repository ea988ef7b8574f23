/**
 * A long-lived incident that many distinct alert instances join must stay writable: per-alert state
 * is kept in its own items, not in sets on the incident item (DynamoDB caps an item at 400 KB, which
 * the old `firing` / `fingerprints` sets passed after ~25k alert ids). Realistic traffic: Alertmanager
 * payloads of 1000 alerts (its batch limit here) for one service, through normalize and the pipeline.
 */
import { describe, expect, it } from 'vitest';
import { AlertPipeline } from '../../../functions/core/alerts/pipeline.ts';
import { normalizeAlertmanager } from '../../../functions/core/alerts/normalize.ts';
import { AlertmanagerWebhook } from '../../../functions/schemas/alerts.ts';
import { useAlertStoreTable } from '../../support/alert-store-table.ts';
import { RecordingNotifier, RecordingPublisher, TestClock } from './helpers.ts';

const PAYLOADS = 50;
const PER_PAYLOAD = 1000;

const table = useAlertStoreTable();

function payload(batch: number, status: 'firing' | 'resolved') {
  return AlertmanagerWebhook.parse({
    version: '4',
    groupKey: '{}:{service="cart"}',
    status,
    receiver: 'fleetops',
    alerts: Array.from({ length: PER_PAYLOAD }, (_, i) => {
      const n = batch * PER_PAYLOAD + i;
      return {
        status,
        labels: { alertname: 'KubePodNotReady', cluster: 'cbig', namespace: 'shop', service: 'cart', severity: 'warning', pod: `cart-${n}` },
        annotations: { summary: 'cart pod not ready' },
        startsAt: '2026-11-27T00:00:00Z',
        endsAt: status === 'resolved' ? '2026-11-27T01:00:00Z' : '0001-01-01T00:00:00Z',
        fingerprint: n.toString(16).padStart(16, '0'),
      };
    }),
  });
}

describe('an incident joined by 50k distinct alerts', () => {
  it('stays writable, counts every alert, and resolves once, when its last alert resolves', async () => {
    const publisher = new RecordingPublisher();
    const slack = new RecordingNotifier('slack');
    const clock = new TestClock();
    const pipeline = new AlertPipeline({ store: table.store, publisher, notifiers: [slack], clock });
    const incidents = new Set<string>();
    for (let b = 0; b < PAYLOADS; b++) {
      clock.advance(1);
      const result = await pipeline.ingest(normalizeAlertmanager(payload(b, 'firing'), clock.now()));
      for (const id of result.incidents) incidents.add(id);
    }
    expect(incidents.size).toBe(1);
    const [id] = incidents;
    const open = await table.store.getIncident(id);
    expect(open).toMatchObject({ status: 'open', alertCount: PAYLOADS * PER_PAYLOAD, service: 'cart', cluster: 'cbig' });
    expect((await table.store.firingAlertIds(id)).length).toBe(PAYLOADS * PER_PAYLOAD);
    // The incident item itself stays small: no per-alert state on it.
    expect(JSON.stringify(open).length).toBeLessThan(4096);

    for (let b = 0; b < PAYLOADS; b++) {
      clock.advance(1);
      await pipeline.ingest(normalizeAlertmanager(payload(b, 'resolved'), clock.now()));
      if (b < PAYLOADS - 1) expect((await table.store.getIncident(id))?.status).toBe('open');
    }
    expect(await table.store.getIncident(id)).toMatchObject({ status: 'resolved', alertCount: PAYLOADS * PER_PAYLOAD });
    expect(publisher.ofType('IncidentOpened')).toHaveLength(1);
    expect(publisher.ofType('IncidentResolved')).toHaveLength(1);
  }, 600_000);
});
