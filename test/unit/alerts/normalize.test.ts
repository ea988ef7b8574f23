import { describe, expect, it } from 'vitest';
import {
  AlertmanagerWebhook,
  AlertRequest,
  AnomalyDetectedDetail,
  AnomalyResolvedDetail,
  CloudWatchAlarmEvent,
  MAX_ALERTS_PER_PAYLOAD,
} from '../../../functions/schemas/alerts.ts';
import {
  normalizeAlertmanager,
  normalizeAnomaly,
  normalizeAnomalyResolved,
  normalizeCloudWatch,
  normalizeRequest,
} from '../../../functions/core/alerts/normalize.ts';
import { capturedWebhooks, readShared } from '../../integration/alerts/helpers.ts';

const now = new Date('2026-11-27T00:20:00.000Z');
const captures = capturedWebhooks();
const cloudwatch = readShared('cloudwatch-alarm-event.json');

describe('Alertmanager webhooks captured from Alertmanager 0.25', () => {
  if (!captures) it.skip('../shared/data/alertmanager/webhooks.jsonl not found: skipped', () => {});

  it.skipIf(!captures)('parses and normalises every captured payload', () => {
    for (const capture of captures!) {
      const payload = AlertmanagerWebhook.parse(capture.body);
      const alerts = normalizeAlertmanager(payload, now);
      expect(alerts).toHaveLength(payload.alerts.length);
      for (const [i, a] of alerts.entries()) {
        const raw = payload.alerts[i];
        expect(a).toMatchObject({
          source: 'alertmanager',
          cluster: raw.labels.cluster,
          namespace: raw.labels.namespace,
          service: raw.labels.service,
          type: raw.labels.alertname,
          status: raw.status,
          alertId: raw.fingerprint,
          groupKey: payload.groupKey,
        });
        expect(['critical', 'medium']).toContain(a.severity);
        expect(a.fingerprint).toMatch(/^[0-9a-f]{24}$/);
        expect(Date.parse(a.startsAt)).not.toBeNaN();
        if (raw.status === 'firing') expect(a.endsAt).toBeUndefined();
        else expect(Date.parse(a.endsAt!)).toBeGreaterThan(Date.parse(a.startsAt) - 1);
      }
    }
  });

  it.skipIf(!captures)('keeps the dedup fingerprint across pods and repeats, and the alert id per pod', () => {
    const crash = captures!.filter((c) => (c.body as { groupKey: string }).groupKey.includes('orders-worker'));
    const alerts = crash.flatMap((c) => normalizeAlertmanager(AlertmanagerWebhook.parse(c.body), now));
    expect(new Set(alerts.map((a) => a.fingerprint)).size).toBe(1);
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(6);
  });

  it.skipIf(!captures)('maps warning → medium and critical → critical, uses the summary as message', () => {
    const first = normalizeAlertmanager(AlertmanagerWebhook.parse(captures![0].body), now)[0];
    expect(first).toMatchObject({ severity: 'critical', message: 'Cart 5xx ratio above 20%: 5xx ratio 31% over 5m' });
    const second = normalizeAlertmanager(AlertmanagerWebhook.parse(captures![1].body), now)[0];
    expect(second.severity).toBe('medium');
  });

  it.skipIf(!captures)('normalises nanosecond timestamps', () => {
    const dev = captures!.find((c) => JSON.stringify(c.body).includes('.090309288Z'))!;
    const a = normalizeAlertmanager(AlertmanagerWebhook.parse(dev.body), now)[0];
    expect(a.startsAt).toBe('2026-11-27T00:18:02.090Z');
  });
});

describe('Alertmanager inline fixtures', () => {
  const base = {
    version: '4',
    groupKey: '{}:{alertname="X"}',
    status: 'firing',
    receiver: 'r',
    alerts: [{ status: 'firing', labels: { alertname: 'X', app: 'web', severity: 'page' }, startsAt: '2026-11-27T00:00:00Z' }],
  };

  it('falls back to app/job labels, defaults, and tolerates unknown fields', () => {
    const payload = AlertmanagerWebhook.parse({ ...base, notification_reason: 'new', routeLabels: {} });
    const [a] = normalizeAlertmanager(payload, now, { defaultCluster: 'edge' });
    expect(a).toMatchObject({ service: 'web', cluster: 'edge', namespace: 'default', severity: 'critical', message: 'X' });
    expect(a.alertId).toMatch(/^[0-9a-f]{24}$/);
  });

  it('rejects oversized or malformed payloads', () => {
    const many = Array.from({ length: MAX_ALERTS_PER_PAYLOAD + 1 }, () => base.alerts[0]);
    expect(AlertmanagerWebhook.safeParse({ ...base, alerts: many }).success).toBe(false);
    expect(AlertmanagerWebhook.safeParse({ ...base, version: '3' }).success).toBe(false);
    const longValue = { ...base.alerts[0], labels: { alertname: 'x'.repeat(2000) } };
    expect(AlertmanagerWebhook.safeParse({ ...base, alerts: [longValue] }).success).toBe(false);
  });
});

describe('generic alerts', () => {
  it('maps Alertmanager-style severities and defaults to firing', () => {
    const body = AlertRequest.parse({ source: 'ci', cluster: 'prod', service: 'api', type: 'Deploy', severity: 'warning', message: 'm' });
    const a = normalizeRequest(body, now);
    expect(a).toMatchObject({ severity: 'medium', status: 'firing', namespace: 'default', startsAt: now.toISOString() });
    expect(normalizeRequest({ ...body, severity: 'info', status: 'resolved' }, now)).toMatchObject({ severity: 'low', endsAt: now.toISOString() });
    expect(AlertRequest.safeParse({ ...body, severity: 'urgent' }).success).toBe(false);
    expect(AlertRequest.safeParse({ ...body, extra: 1 }).success).toBe(false);
    // fleetops's own sources are provenance the grouping rules trust: a body may not claim them
    for (const source of ['anomaly', 'kube-state', 'KUBE-STATE', 'fleet-health', 'forecast', 'split']) {
      const claimed = AlertRequest.safeParse({ ...body, source });
      expect(claimed.success, source).toBe(false);
      expect(claimed.error?.issues[0].message, source).toMatch(/reserved for alerts fleetops raises itself/);
    }
    expect(AlertRequest.safeParse({ ...body, source: 'anomaly-detector-x' }).success).toBe(true);
  });

  it('gives the same fingerprint to the same problem from different sources', () => {
    const api = normalizeRequest(
      AlertRequest.parse({ source: 'x', cluster: 'prod', namespace: 'shop', service: 'cart', type: 'HighErrorRate', severity: 'high', message: 'a' }),
      now,
    );
    const am = normalizeAlertmanager(
      AlertmanagerWebhook.parse({
        version: '4',
        groupKey: 'g',
        status: 'firing',
        receiver: 'r',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'HighErrorRate', cluster: 'prod', namespace: 'shop', service: 'cart', pod: 'p' },
            startsAt: '2026-11-27T00:00:00Z',
          },
        ],
      }),
      now,
    )[0];
    expect(am.fingerprint).toBe(api.fingerprint);
    expect(am.alertId).not.toBe(api.alertId);
  });
});

describe('CloudWatch alarm state change', () => {
  if (!cloudwatch) it.skip('../shared/data/alertmanager/cloudwatch-alarm-event.json not found: skipped', () => {});

  it.skipIf(!cloudwatch)('normalises the ALARM event from its dimensions', () => {
    const event = CloudWatchAlarmEvent.parse(JSON.parse(cloudwatch!));
    const a = normalizeCloudWatch(event, now)!;
    expect(a).toMatchObject({
      source: 'cloudwatch',
      status: 'firing',
      service: 'prod-checkout-alb',
      type: 'prod-checkout-alb-target-5xx-high',
      cluster: 'aws-eu-west-1',
      severity: 'high',
      alertId: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:prod-checkout-alb-target-5xx-high',
      startsAt: '2025-06-12T14:03:41.405Z',
    });
    expect(a.message).toContain('ALB target 5xx');
    expect(a.labels).toMatchObject({ metricName: 'HTTPCode_Target_5XX_Count', region: 'eu-west-1' });
  });

  it.skipIf(!cloudwatch)('OK resolves, INSUFFICIENT_DATA is ignored, tags win', () => {
    const raw = JSON.parse(cloudwatch!);
    const ok = CloudWatchAlarmEvent.parse({ ...raw, detail: { ...raw.detail, state: { ...raw.detail.state, value: 'OK' } } });
    const resolved = normalizeCloudWatch(ok, now)!;
    expect(resolved.status).toBe('resolved');
    expect(resolved.fingerprint).toBe(normalizeCloudWatch(CloudWatchAlarmEvent.parse(raw), now)!.fingerprint);
    const none = CloudWatchAlarmEvent.parse({ ...raw, detail: { ...raw.detail, state: { ...raw.detail.state, value: 'INSUFFICIENT_DATA' } } });
    expect(normalizeCloudWatch(none, now)).toBeUndefined();
    const tagged = CloudWatchAlarmEvent.parse({ ...raw, detail: { ...raw.detail, tags: { cluster: 'prod', service: 'checkout', severity: 'critical' } } });
    expect(normalizeCloudWatch(tagged, now)).toMatchObject({ cluster: 'prod', service: 'checkout', severity: 'critical' });
  });
});

describe('AnomalyDetected', () => {
  it('becomes a firing alert with a stable identity', () => {
    const detail = AnomalyDetectedDetail.parse({
      cluster: 'prod',
      namespace: 'shop',
      service: 'cart',
      score: 0.91,
      severity: 'high',
      features: { cpu_usage: 0.2, error_rate: 0.9, latency_p95: 0.5 },
      at: '2026-11-27T00:00:00Z',
    });
    const a = normalizeAnomaly(detail);
    expect(a).toMatchObject({ source: 'anomaly', type: 'AnomalyDetected', severity: 'high', status: 'firing' });
    expect(a.message).toContain('error_rate=0.9');
    expect(normalizeAnomaly({ ...detail, score: 0.5 }).alertId).toBe(a.alertId);
    // The services failing in the same pull are a grouping hint, not part of the identity.
    const withRelated = normalizeAnomaly({ ...detail, alsoAnomalous: ['payment-service'] });
    expect(withRelated.related).toEqual(['payment-service']);
    expect([withRelated.alertId, withRelated.fingerprint]).toEqual([a.alertId, a.fingerprint]);
    // What the pull measured travels with it (grouping weighs it), outside the identity too.
    expect(a.observed).toEqual({ errorRatio: 0.9, latencyP95Seconds: 0.5 });
    const measured = normalizeAnomaly({ ...detail, features: { ...detail.features, error_rate: 0.3, request_rate: 12 } });
    expect(measured.observed).toEqual({ errorRatio: 0.3, requestsPerSecond: 12, latencyP95Seconds: 0.5 });
    expect([measured.alertId, measured.fingerprint]).toEqual([a.alertId, a.fingerprint]);
  });

  it("carries the layer's reasons into the message", () => {
    const detail = AnomalyDetectedDetail.parse({
      cluster: 'dev',
      namespace: 'shop',
      service: 'payment-service',
      score: -0.9,
      severity: 'critical',
      layer: 'guardrail',
      reasons: ['guardrail: error_rate 44% ≥ guardrail 5% at 18.0 req/s'],
      features: { error_rate: 0.44 },
      at: '2026-11-27T00:00:00Z',
    });
    expect(normalizeAnomaly(detail).message).toBe('Anomaly on payment-service: guardrail: error_rate 44% ≥ guardrail 5% at 18.0 req/s');
  });

  it('AnomalyResolved resolves the very alert that fired (same fingerprint and alert id)', () => {
    const fired = normalizeAnomaly(
      AnomalyDetectedDetail.parse({
        cluster: 'dev',
        namespace: 'shop',
        service: 'cart',
        score: -0.7,
        severity: 'high',
        features: {},
        at: '2026-11-27T00:00:00Z',
      }),
    );
    const over = normalizeAnomalyResolved(AnomalyResolvedDetail.parse({ cluster: 'dev', namespace: 'shop', service: 'cart', at: '2026-11-27T00:05:00Z' }));
    expect(over).toMatchObject({
      status: 'resolved',
      type: 'AnomalyDetected',
      endsAt: '2026-11-27T00:05:00.000Z',
      fingerprint: fired.fingerprint,
      alertId: fired.alertId,
    });
    const other = normalizeAnomalyResolved(AnomalyResolvedDetail.parse({ cluster: 'dev', namespace: 'shop', service: 'user', at: '2026-11-27T00:05:00Z' }));
    expect(other.alertId).not.toBe(fired.alertId);
  });
});
