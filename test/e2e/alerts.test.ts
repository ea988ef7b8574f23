import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { startSlackReceiver, type SlackReceiver } from '../support/slack-fake.ts';
import { waitFor } from '../support/wait.ts';

const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'alertmanager');
let cloud: LocalCloud;
let slack: SlackReceiver;

beforeAll(async () => {
  slack = await startSlackReceiver();
  cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    schedules: false,
    dataDir: mkdtempSync(join(tmpdir(), 'fleetops-alerts-')),
    env: { FLEETOPS_SLACK_WEBHOOK_URL: slack.url },
  });
});
afterAll(async () => {
  await cloud?.stop();
  await slack?.stop();
});
beforeEach(() => {
  slack.messages.length = 0;
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(cloud.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
}
const get = async (path: string) => (await fetch(cloud.url + path, { headers: { authorization: `Bearer ${cloud.apiToken}` } })).json() as Promise<any>;

/** Incident notifications only: automatic RCA reports of earlier tests' incidents join their conversations at any time. */
const incidentNotices = () => slack.messages.filter((m) => !JSON.stringify(m).includes('RCA for '));

const alert = (service: string, extra: Record<string, unknown> = {}) => ({
  source: 'test',
  cluster: 'prod',
  namespace: 'shop',
  service,
  type: 'HighErrorRate',
  severity: 'medium',
  message: `${service} 5xx above 5%`,
  ...extra,
});

describe('alert pipeline through the local stack', () => {
  it('turns 100 concurrent identical alerts into one incident, alertCount 100, one Slack message', async () => {
    const responses = await Promise.all(Array.from({ length: 100 }, () => post('/v1/alerts', alert('checkout'))));
    expect(responses.every((r) => r.status === 202)).toBe(true);
    const ids = new Set(responses.flatMap((r) => r.body.incidents));
    expect(ids.size).toBe(1);
    const [id] = ids;
    const incident = await get(`/v1/incidents/${id}`);
    expect(incident).toMatchObject({ id, cluster: 'prod', namespace: 'shop', service: 'checkout', status: 'open', alertCount: 100 });
    expect(incidentNotices()).toHaveLength(1);
    expect(JSON.stringify(incidentNotices()[0])).toContain('checkout');
  });

  it('opens one incident per distinct service', async () => {
    const services = ['cart', 'search', 'auth', 'billing', 'shipping'];
    const responses = await Promise.all(services.map((s) => post('/v1/alerts', alert(s))));
    const ids = new Set(responses.flatMap((r) => r.body.incidents));
    expect(ids.size).toBe(5);
    const open = await get('/v1/incidents?status=open');
    expect(open.items.map((i: { service: string }) => i.service)).toEqual(expect.arrayContaining(services));
    expect(incidentNotices()).toHaveLength(5);
  });

  it('resolves an incident when its alert resolves, and acknowledges', async () => {
    const opened = await post('/v1/alerts', alert('inventory'));
    const [id] = opened.body.incidents;
    const acked = await post(`/v1/incidents/${id}/ack`, {});
    expect(acked).toMatchObject({ status: 200, body: { status: 'acknowledged' } });
    expect((await post(`/v1/incidents/${id}/ack`, {})).status).toBe(409);
    await post('/v1/alerts', alert('inventory', { status: 'resolved' }));
    expect((await get(`/v1/incidents/${id}`)).status).toBe('resolved');
    expect((await get('/v1/incidents?status=resolved')).items.map((i: { id: string }) => i.id)).toContain(id);
  });

  it('records but does not notify alerts under a silence', async () => {
    const silence = await post('/v1/silences', {
      matchers: [{ name: 'service', value: 'quiet-.*', isRegex: true }],
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
      createdBy: 'sre@example.com',
      comment: 'maintenance',
    });
    expect(silence.status).toBe(201);
    const response = await post('/v1/alerts', alert('quiet-batch'));
    expect(response.status).toBe(202);
    expect(response.body.incidents).toHaveLength(1);
    const [id] = response.body.incidents;
    // The automatic RCA of this incident (and of earlier tests' incidents) finishes in the background;
    // wait for this one so that a follow-up post about it would be seen, then look only at messages about it.
    await cloud.bus.drain();
    await waitFor(async () => {
      const { rcaId } = await get(`/v1/incidents/${id}`);
      return !rcaId || ['SUCCEEDED', 'FAILED'].includes((await get(`/v1/rca/${rcaId}`)).status);
    }, 'the RCA of the incident');
    await cloud.bus.drain();
    expect(slack.messages.filter((m) => JSON.stringify(m).includes('quiet-batch'))).toEqual([]);
  });

  it('ingests CloudWatch alarm state changes from the bus: ALARM opens, OK resolves', async () => {
    const base = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'events', 'cloudwatch', 'alarm-state-change.json'), 'utf8'));
    const put = (value: string) =>
      post('/v1/events', {
        source: base.source,
        'detail-type': base['detail-type'],
        resources: base.resources,
        detail: { ...base.detail, state: { ...base.detail.state, value } },
      });
    expect((await put('ALARM')).status).toBe(202);
    await cloud.bus.drain();
    const open = (await get('/v1/incidents?status=open')).items.find((i: { service: string }) => i.service === 'payment-service');
    expect(open).toMatchObject({ cluster: 'prod', namespace: 'shop', status: 'open' });
    await put('INSUFFICIENT_DATA');
    await put('OK');
    await cloud.bus.drain();
    expect((await get(`/v1/incidents/${open.id}`)).status).toBe('resolved');
    expect(cloud.bus.deadLetters).toHaveLength(0);
  });

  it.each([
    ['malformed JSON', '{"version":"4","alerts":[', 400],
    ['wrong types', { version: '4', status: 'firing', alerts: 'nope' }, 400],
    ['missing alerts', { version: '4', status: 'firing' }, 400],
    ['oversized', JSON.stringify({ version: '4', status: 'firing', alerts: [], pad: 'x'.repeat(5 * 1024 * 1024) }), 413],
  ])('answers %s Alertmanager payloads with a 4xx', async (_name, body, status) => {
    const response = await post('/v1/alerts/alertmanager', body);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toMatch(/^[A-Z_]+$/);
  });

  it.each([
    ['unknown severity', alert('x', { severity: 'apocalyptic' })],
    ['missing service', { ...alert('x'), service: undefined }],
    ['number as message', alert('x', { message: 42 })],
  ])('rejects a generic alert with %s', async (_name, body) => {
    expect((await post('/v1/alerts', body)).status).toBe(400);
  });

  it.skipIf(!existsSync(join(SHARED, 'webhooks.jsonl')))(
    'replays the captured Alertmanager webhooks: one incident per group, resolved at the end',
    async () => {
      const captures = readFileSync(join(SHARED, 'webhooks.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const incidentsByGroup = new Map<string, Set<string>>();
      for (const capture of captures) {
        const response = await post('/v1/alerts/alertmanager', capture.bodyRaw);
        expect(response.status, `capture ${capture.seq}`).toBe(202);
        const group = capture.body.groupKey as string;
        const set = incidentsByGroup.get(group) ?? new Set<string>();
        for (const id of response.body.incidents) set.add(id);
        incidentsByGroup.set(group, set);
      }
      for (const [group, ids] of incidentsByGroup) expect(ids.size, group).toBeLessThanOrEqual(1);
      const lastByGroup = new Map(captures.map((c) => [c.body.groupKey, c.body]));
      for (const [group, body] of lastByGroup) {
        const [id] = incidentsByGroup.get(group) ?? [];
        if (!id || body.status !== 'resolved') continue;
        expect((await get(`/v1/incidents/${id}`)).status, group).toBe('resolved');
      }
    },
  );
});
