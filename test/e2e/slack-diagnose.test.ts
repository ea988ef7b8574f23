import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature } from '../../functions/core/slack/signature.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { startSimulator, type RunningSimulator } from '../../sim/index.ts';
import { kreq, waitFor } from '../integration/sim/helpers.ts';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.ts';

/**
 * `/fleet diagnose` against a running simulated cluster: answered at once, then the RCA report is
 * posted to the command's response_url (a local receiver standing in for hooks.slack.com).
 */
const SECRET = 'slack-signing-secret-diagnose-0123456789';
let cloud: LocalCloud;
let sim: RunningSimulator;
let receiver: Server;
let receiverUrl = '';
const posted: { path: string; body: any }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      posted.push({ path: req.url ?? '', body: JSON.parse(body) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const host = `127.0.0.1:${(receiver.address() as { port: number }).port}`;
  receiverUrl = `http://${host}/commands/T1/1/abc`;
  cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    schedules: false,
    dataDir: mkdtempSync(join(tmpdir(), 'fleetops-slack-diag-')),
    env: {
      FLEETOPS_SLACK_SIGNING_SECRET: SECRET,
      FLEETOPS_SLACK_RESPONSE_HOSTS: `hooks.slack.com,${host}`,
      FLEETOPS_SLACK_ROLES: JSON.stringify({ users: { UONCALL: 'operator' } }),
    },
  });
  sim = await startSimulator({ clusters: ['dev'], tickMs: 400 });
  const c = sim.clusters[0]!;
  const response = await fetch(cloud.url + '/v1/clusters', {
    method: 'POST',
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'dev', environment: 'dev', kubeconfig: await leastPrivilegeKubeconfig(c), namespaces: ['shop'] }),
  });
  expect(response.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await cloud?.stop();
  await sim?.stop();
  receiver?.close();
});

async function slash(text: string, responseUrl: string) {
  const body = new URLSearchParams({ command: '/fleet', text, user_id: 'UONCALL', user_name: 'oncall', response_url: responseUrl }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetch(cloud.url + '/v1/slack/commands', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(SECRET, timestamp, body),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('/fleet diagnose', () => {
  it('answers at once, then posts the RCA report with the crash loop to the response_url', async () => {
    const c = sim.clusters[0]!;
    const fault = await kreq(c, 'POST', '/sim/v1/faults', { type: 'crash-loop', namespace: 'shop', deployment: 'user-service' });
    expect(fault.status).toBe(201);
    await waitFor(
      async () => {
        const pods = await kreq(c, 'GET', '/api/v1/namespaces/shop/pods');
        return JSON.stringify(pods.body).includes('CrashLoopBackOff');
      },
      'crash loop visible',
      60_000,
    );

    const answer = await slash('diagnose user-service dev', receiverUrl);
    expect(answer.status).toBe(200);
    expect(answer.body.text).toMatch(/Diagnosing \*user-service\* on dev \(RCA `rca-/);

    const report = await waitFor(async () => posted.find((p) => p.path === '/commands/T1/1/abc'), 'RCA report posted to response_url', 60_000, 300);
    const text = JSON.stringify(report.body);
    expect(text).toContain('CrashLoopBackOff');
    expect(text).toContain('user-service');
    expect(report.body.response_type).toBe('in_channel');
    // Exactly once: a second delivery would be a second post.
    await new Promise((r) => setTimeout(r, 1500));
    expect(posted.filter((p) => p.path === '/commands/T1/1/abc')).toHaveLength(1);
  });

  it('never posts to a response_url outside Slack', async () => {
    const before = posted.length;
    const answer = await slash('diagnose order-service dev', 'https://evil.example/commands/x');
    expect(answer.status).toBe(200);
    await new Promise((r) => setTimeout(r, 3000));
    expect(posted.length).toBe(before);
  });
});
