import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature } from '../../functions/core/slack/signature.ts';
import { sleep, startPullingStack, type PullingStack } from '../support/local-stack.ts';

/**
 * The HTTP API and Slack are two adapters over the same services: for the same question they must
 * give the same numbers and the same incidents (issue 18).
 */
const SECRET = 'slack-signing-secret-for-parity-0123456789';
let stack: PullingStack;
let trigger = 0;

async function slack(text: string): Promise<string> {
  const body = new URLSearchParams({
    command: '/fleet',
    text,
    user_id: 'UPARITY1',
    user_name: 'parity',
    team_id: 'T1',
    channel_id: 'C1',
    trigger_id: `p${trigger++}`,
  }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetch(stack.cloud.url + '/v1/slack/commands', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(SECRET, timestamp, body),
    },
    body,
  });
  expect(response.status).toBe(200);
  const reply = (await response.json()) as { text: string; blocks?: { text?: { text: string } }[] };
  return [reply.text, ...(reply.blocks ?? []).map((b) => b.text?.text ?? '')].join('\n');
}

async function pullAndWait(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const before = (await stack.api('GET', '/v1/anomalies?service=frontend')).body.items?.[0]?.at;
    expect((await stack.api('POST', '/v1/metrics/pull')).status).toBe(202);
    for (let tries = 0; tries < 60; tries++) {
      await sleep(500);
      const at = (await stack.api('GET', '/v1/anomalies?service=frontend')).body.items?.[0]?.at;
      if (at && at !== before) break;
    }
    await sleep(1500);
  }
}

beforeAll(async () => {
  // No scheduled pulls: the test pulls by hand, so nothing changes between the two questions.
  stack = await startPullingStack({ clusters: ['dev'], pullSeconds: 86_400, env: { FLEETOPS_SLACK_SIGNING_SECRET: SECRET } });
  await pullAndWait(4);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

describe('one service per feature: Slack and the API agree', () => {
  it('/fleet forecast and GET /v1/forecast give the same numbers for the same service', async () => {
    const api = await stack.api('GET', `/v1/forecast?cluster=dev&service=frontend&hours=24`);
    expect(api.status).toBe(200);
    const { peak_cpu, avg_cpu, recommended_replicas } = api.body.recommendations;
    const text = await slack('forecast frontend dev');
    expect(text).toContain(`peak cpu ${peak_cpu.toFixed(1)} %`);
    expect(text).toContain(`average ${avg_cpu.toFixed(1)} %`);
    expect(text).toContain(`recommended replicas ${recommended_replicas}`);
  });

  it('/fleet incidents and /fleet status list the incidents GET /v1/incidents lists as open', async () => {
    for (const service of ['payment-service', 'order-service']) {
      const posted = await stack.api('POST', '/v1/alerts', {
        source: 'parity-test',
        cluster: 'dev',
        namespace: 'shop',
        service,
        type: 'ParityCheck',
        severity: 'high',
        message: `${service} parity`,
      });
      expect(posted.status).toBe(202);
    }
    const api = await stack.api('GET', '/v1/incidents?status=open');
    const ids: string[] = api.body.items.map((i: { id: string }) => i.id);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const listed = await slack('incidents');
    for (const id of ids) expect(listed).toContain(id);
    expect(listed).toContain(`Open incidents: ${ids.length}`);
    const status = await slack('status dev');
    expect(status).toContain(`${ids.length} open incident${ids.length === 1 ? '' : 's'}`);
  });
});
