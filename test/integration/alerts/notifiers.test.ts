import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotificationMessage } from '../../../functions/ports.ts';
import { SlackWebhookNotifier } from '../../../functions/adapters/notify/slack-webhook.ts';
import { SlackChatNotifier } from '../../../functions/adapters/notify/slack-chat.ts';
import { PagerDutyNotifier } from '../../../functions/adapters/notify/pagerduty.ts';
import { SesEmailNotifier } from '../../../functions/adapters/notify/ses-email.ts';
import { NotifyError } from '../../../functions/adapters/notify/http.ts';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
}

type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

const servers: Server[] = [];

async function receiver(replies: Reply[]): Promise<{ url: string; requests: Received[] }> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json });
      const reply = replies[Math.min(requests.length - 1, replies.length - 1)];
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const fast = { baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000 };

const message: NotificationMessage = {
  incidentId: 'inc-123',
  title: 'Incident opened: HighErrorRate on cart (prod/shop)',
  text: 'Cart 5xx ratio above 20%',
  severity: 'critical',
  status: 'open',
  fields: { cluster: 'prod', namespace: 'shop', service: 'cart', type: 'HighErrorRate', severity: 'critical' },
  link: 'http://127.0.0.1:3000/v1/incidents/inc-123',
};

describe('Slack incoming webhook', () => {
  it('posts Block Kit blocks with a text fallback and retries a 500', async () => {
    const r = await receiver([
      { status: 500, body: 'oops' },
      { status: 200, body: 'ok' },
    ]);
    await new SlackWebhookNotifier({ webhookUrl: `${r.url}/services/T000/B000/XXXX`, ...fast }).send(message);
    expect(r.requests).toHaveLength(2);
    const req = r.requests[1];
    expect(req).toMatchObject({ method: 'POST', path: '/services/T000/B000/XXXX' });
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(req.json.text).toContain('[CRITICAL]');
    expect(req.json.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: message.title, emoji: true } });
    expect(req.json.blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'section', 'context', 'actions']);
    expect(req.json.blocks[4].elements[0].url).toBe(message.link);
  });

  it('does not retry a 400 and keeps the webhook URL out of the error', async () => {
    const r = await receiver([{ status: 400, body: 'invalid_payload' }]);
    const url = `${r.url}/services/SECRET/PART/token`;
    const error = await new SlackWebhookNotifier({ webhookUrl: url, ...fast }).send(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotifyError);
    expect((error as NotifyError).status).toBe(400);
    expect(String((error as Error).message)).not.toContain('SECRET');
    expect(r.requests).toHaveLength(1);
  });

  it('gives up after 3 attempts on repeated 503', async () => {
    const r = await receiver([{ status: 503 }]);
    await expect(new SlackWebhookNotifier({ webhookUrl: r.url, ...fast }).send(message)).rejects.toMatchObject({ status: 503 });
    expect(r.requests).toHaveLength(3);
  });

  it('times out a receiver that never answers', async () => {
    const r = await receiver(['hang']);
    const started = Date.now();
    await expect(new SlackWebhookNotifier({ webhookUrl: r.url, ...fast, timeoutMs: 150, attempts: 2 }).send(message)).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.requests).toHaveLength(2);
  });
});

describe('Slack chat.postMessage', () => {
  it('sends the bot token and the routed channel; retries ratelimited, not channel_not_found', async () => {
    const r = await receiver([
      { status: 200, body: JSON.stringify({ ok: false, error: 'ratelimited' }) },
      { status: 200, body: JSON.stringify({ ok: true, ts: '1.2' }) },
    ]);
    const slack = new SlackChatNotifier({ token: 'xoxb-test', defaultChannel: '#alerts', baseUrl: r.url, ...fast });
    await slack.send({ ...message, channel: '#team-cart' });
    expect(r.requests).toHaveLength(2);
    expect(r.requests[0]).toMatchObject({ path: '/chat.postMessage', headers: { authorization: 'Bearer xoxb-test' } });
    expect(r.requests[0].json).toMatchObject({ channel: '#team-cart', text: expect.stringContaining('cart') });
    expect(Array.isArray(r.requests[0].json.blocks)).toBe(true);

    const bad = await receiver([{ status: 200, body: JSON.stringify({ ok: false, error: 'channel_not_found' }) }]);
    const error = await new SlackChatNotifier({ token: 'xoxb-secret', defaultChannel: '#x', baseUrl: bad.url, ...fast }).send(message).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/channel_not_found/);
    expect((error as Error).message).not.toContain('xoxb');
    expect(bad.requests).toHaveLength(1);
    expect(bad.requests[0].json.channel).toBe('#x');
  });
});

describe('PagerDuty Events API v2', () => {
  it('triggers with the v2 body and retries a 500', async () => {
    const r = await receiver([{ status: 500 }, { status: 202, body: '{"status":"success","dedup_key":"inc-123"}' }]);
    await new PagerDutyNotifier({ routingKey: 'R0UTINGKEY', baseUrl: r.url, ...fast }).send(message);
    expect(r.requests).toHaveLength(2);
    expect(r.requests[1].path).toBe('/v2/enqueue');
    expect(r.requests[1].json).toEqual({
      routing_key: 'R0UTINGKEY',
      event_action: 'trigger',
      dedup_key: 'inc-123',
      payload: {
        summary: message.title,
        source: 'prod',
        severity: 'critical',
        component: 'cart',
        group: 'shop',
        class: 'HighErrorRate',
        custom_details: { text: message.text, ...message.fields },
      },
      links: [{ href: message.link, text: 'fleetops incident' }],
    });
  });

  it('maps acknowledge/resolve and severities, and does not retry a 400', async () => {
    const r = await receiver([{ status: 202 }]);
    const pd = new PagerDutyNotifier({ routingKey: 'k', baseUrl: r.url, ...fast });
    await pd.send({ ...message, status: 'resolved' });
    await pd.send({ ...message, status: 'acknowledged' });
    await pd.send({ ...message, severity: 'high', status: 'escalated' });
    expect(r.requests.map((q) => q.json.event_action)).toEqual(['resolve', 'acknowledge', 'trigger']);
    expect(r.requests[0].json.payload).toBeUndefined();
    expect(r.requests[2].json.payload.severity).toBe('error');

    const bad = await receiver([{ status: 400, body: '{"status":"invalid event"}' }]);
    await expect(new PagerDutyNotifier({ routingKey: 'k', baseUrl: bad.url, ...fast }).send(message)).rejects.toMatchObject({
      status: 400,
      retryable: false,
    });
    expect(bad.requests).toHaveLength(1);
  });

  it('retries a 429', async () => {
    const r = await receiver([{ status: 429, headers: { 'retry-after': '0' } }, { status: 202 }]);
    await new PagerDutyNotifier({ routingKey: 'k', baseUrl: r.url, ...fast }).send(message);
    expect(r.requests).toHaveLength(2);
  });
});

describe('SES v2 SendEmail through the AWS SDK', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake-secret' };

  it('speaks the SESv2 REST wire format and retries a 500', async () => {
    const r = await receiver([
      { status: 500, body: '{"message":"internal"}', headers: { 'x-amzn-errortype': 'InternalFailure' } },
      { status: 200, body: '{"MessageId":"m-1"}' },
    ]);
    const ses = new SesEmailNotifier({ from: 'fleetops@example.com', to: ['oncall@example.com'], endpoint: r.url, region: 'eu-west-1', credentials, ...fast });
    await ses.send(message);
    expect(r.requests).toHaveLength(2);
    const req = r.requests[1];
    expect(req).toMatchObject({ method: 'POST', path: '/v2/email/outbound-emails' });
    expect(String(req.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/ses\/aws4_request/);
    expect(req.json).toMatchObject({
      FromEmailAddress: 'fleetops@example.com',
      Destination: { ToAddresses: ['oncall@example.com'] },
      Content: { Simple: { Subject: { Data: `[CRITICAL] ${message.title}` } } },
    });
    expect(req.json.Content.Simple.Body.Text.Data).toContain('Cart 5xx ratio above 20%');
    expect(req.json.Content.Simple.Body.Html.Data).toContain('<h2>');
  });

  it('does not retry a 400', async () => {
    const r = await receiver([{ status: 400, body: '{"message":"Email address is not verified."}', headers: { 'x-amzn-errortype': 'MessageRejected' } }]);
    const ses = new SesEmailNotifier({ from: 'a@example.com', to: ['b@example.com'], endpoint: r.url, credentials, ...fast });
    await expect(ses.send(message)).rejects.toMatchObject({ status: 400, retryable: false });
    expect(r.requests).toHaveLength(1);
  });
});
