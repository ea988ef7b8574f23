/**
 * Issue 19: one escaping path to Slack. The log line below must reach Slack as text on every path:
 * no channel ping, no mention, no disguised or clickable link.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotificationMessage } from '../../../functions/ports.ts';
import { SlackWebhookNotifier } from '../../../functions/adapters/notify/slack-webhook.ts';
import { SlackChatNotifier } from '../../../functions/adapters/notify/slack-chat.ts';
import { slackMessage } from '../../../functions/adapters/notify/slack-blocks.ts';
import { rcaNotification } from '../../../functions/core/rca/notification.ts';
import { notificationFor } from '../../../functions/core/alerts/messages.ts';
import { escapeMrkdwn } from '../../../functions/core/slack/mrkdwn.ts';
import { deployProgressMessage, healingRequestMessage, incidentMessage, rcaMessage } from '../../../functions/core/slack/messages.ts';
import { runFleetCommand, runSlackAction, type SlackCommandPorts } from '../../../functions/core/slack/dispatch.ts';
import { parseFleetCommand } from '../../../functions/core/slack/command.ts';
import { parseSlackRoles } from '../../../functions/core/slack/roles.ts';

const HOSTILE = '<!channel> sign in again at <https://evil.example|https://sso.corp.example>';

/** Every string anywhere in a payload. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

function expectInert(payload: unknown): void {
  const all = strings(payload);
  const joined = all.join('\n');
  expect(joined).toContain('&lt;!channel&gt;');
  for (const s of all) {
    expect(s).not.toContain('<!channel>');
    expect(s).not.toContain('<!here');
    expect(s).not.toMatch(/<https?:/);
    expect(s).not.toContain('https://evil.example');
    expect(s).not.toContain('https://sso.corp.example');
    expect(s).not.toMatch(/<@U/);
  }
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function receiver(reply: string): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(reply);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

const incident = { id: 'inc-1', cluster: 'prod-eu', namespace: 'shop', service: 'cart', severity: 'critical' as const };
const report = {
  summary: `cart fails: ${HOSTILE}`,
  symptoms: [HOSTILE],
  rootCauses: [{ category: 'bad_deploy', resource: 'deployment/cart', description: HOSTILE, evidence: [HOSTILE, 'ev-1'], confidence: 0.8 }],
  contributingFactors: [],
  timeline: [],
  remediation: [HOSTILE],
  prevention: [],
  engine: 'rules' as const,
};
const healingNotice: NotificationMessage = {
  incidentId: 'inc-1',
  title: `Healing pending approval: bad_deploy on prod-eu/shop/${HOSTILE}`,
  text: `Rollback proposed because the pod logged: ${HOSTILE}`,
  severity: 'critical',
  status: 'open',
  fields: { healing: 'heal-1', reason: HOSTILE },
};

describe('one escaping path to Slack', () => {
  it('the escape function neutralises mentions, pings and links', () => {
    const out = escapeMrkdwn(`${HOSTILE} @here <@U123> <#C1> <!subteam^S1> a & b`);
    expect(out).not.toMatch(/[<>]/);
    expect(out).toContain('&amp;');
    expect(out).not.toContain('https://');
    expect(out).toContain('evil[.]example');
    expect(out).not.toMatch(/@here\b/);
  });

  it('the automatic RCA post and healing notices, through the incoming webhook', async () => {
    const r = await receiver('ok');
    const hook = new SlackWebhookNotifier({ webhookUrl: `${r.url}/hook`, attempts: 1 });
    await hook.send(rcaNotification(incident, { id: 'rca-1', report }));
    await hook.send(healingNotice);
    expect(r.bodies).toHaveLength(2);
    for (const body of r.bodies) expectInert(body);
  });

  it('the same through chat.postMessage, and incident notifications with a hostile alert title', async () => {
    const r = await receiver(JSON.stringify({ ok: true }));
    const chat = new SlackChatNotifier({ token: 'xoxb-test', defaultChannel: '#ops', baseUrl: r.url, attempts: 1 });
    await chat.send(rcaNotification(incident, { id: 'rca-1', report }));
    await chat.send(healingNotice);
    const record = {
      ...incident,
      type: 'HighErrorRate',
      status: 'open',
      alertCount: 1,
      firstSeen: '2026-01-01T00:00:00Z',
      lastSeen: '2026-01-01T00:00:00Z',
      title: HOSTILE,
    };
    await chat.send(notificationFor(record as never, 'opened'));
    expect(r.bodies).toHaveLength(3);
    for (const body of r.bodies) expectInert(body);
    expectInert(slackMessage(healingNotice));
  });

  it('/fleet answers: diagnose report, healing request, incident, deploy progress', () => {
    expectInert(rcaMessage({ id: 'rca-1', status: 'SUCCEEDED', report }));
    const healing = {
      id: 'h-1',
      cluster: 'prod-eu',
      namespace: 'shop',
      service: 'cart',
      issueType: 'bad_deploy',
      severity: 'critical',
      action: HOSTILE,
      status: 'PENDING_APPROVAL',
      reason: HOSTILE,
    };
    expectInert(healingRequestMessage(healing));
    expectInert(incidentMessage({ ...incident, type: HOSTILE, status: 'open', alertCount: 1, firstSeen: 'x', lastSeen: 'y' }, { buttons: true }));
    expectInert(deployProgressMessage({ id: 'd-1', status: HOSTILE, waves: [{ name: 'w', status: HOSTILE, clusters: [] }] }, 'cart'));
    const unknown = parseFleetCommand(`${'<!channel>'} now`);
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.usage).not.toContain('<!channel>');
  });

  it('the ack reply (fallback text included) and a port error', async () => {
    const hostileIncident = {
      id: 'inc-1',
      cluster: HOSTILE,
      namespace: 'shop',
      service: HOSTILE,
      type: 'x',
      severity: 'high',
      status: 'acknowledged',
      alertCount: 1,
      firstSeen: 'a',
      lastSeen: 'b',
    };
    const ports = {
      listClusters: async () => [],
      openIncidents: async () => [],
      acknowledge: async () => hostileIncident,
      getIncident: async () => hostileIncident,
      silence: async () => ({ id: 's', endsAt: 'e' }),
      clustersOfService: async () => [],
      startDeploy: async () => ({ error: HOSTILE }),
    } as unknown as SlackCommandPorts;
    const actor = { userId: 'U1', userName: 'ana', teamId: 'T1' };
    const policy = parseSlackRoles(undefined, 'U1');
    const ack = await runSlackAction({ actionId: 'incident_ack', value: 'inc-1' }, actor, ports, policy);
    expectInert(ack);
    const deploy = await runFleetCommand('deploy cart 1.2.3', actor, ports, policy);
    expect(strings(deploy).join('')).not.toContain('<!channel>');
  });
});
