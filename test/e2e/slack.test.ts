import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature } from '../../functions/core/slack/signature.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { apiClient, type Api } from '../support/local-stack.ts';

const SECRET = 'slack-signing-secret-for-tests-0123456789';
const APPROVER = 'UAPPROVER1';
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    schedules: false,
    dataDir: mkdtempSync(join(tmpdir(), 'fleetops-slack-')),
    env: {
      FLEETOPS_SLACK_SIGNING_SECRET: SECRET,
      FLEETOPS_SLACK_APPROVERS: APPROVER,
      FLEETOPS_SLACK_ROLES: JSON.stringify({
        teamId: 'T1',
        users: { UONCALL: 'operator', USILENCER: 'operator', UREADER1: 'operator' },
        defaultRole: 'viewer',
      }),
    },
  });
});
afterAll(async () => {
  await cloud?.stop();
});

let counter = 0;
function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}
async function signedPost(path: string, body: string, options: { secret?: string; skewSeconds?: number; timestamp?: string; signature?: string } = {}) {
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000) + (options.skewSeconds ?? 0));
  const signature = options.signature ?? slackSignature(options.secret ?? SECRET, timestamp, body);
  const response = await fetch(cloud.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
    body,
  });
  return { status: response.status, body: (await response.json()) as any, signature, timestamp };
}
const command = (text: string, user = 'UREADER1') =>
  form({ command: '/fleet', text, user_id: user, user_name: user.toLowerCase(), team_id: 'T1', channel_id: 'C1', trigger_id: `t${counter++}` });

const api: Api = (method, path, body) => apiClient(cloud)(method, path, body);

describe('Slack request verification', () => {
  it('answers a signed /fleet help', async () => {
    const { status, body } = await signedPost('/v1/slack/commands', command('help'));
    expect(status).toBe(200);
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('/fleet diagnose');
  });

  it('refuses unsigned, wrongly signed, stale and replayed requests with 401', async () => {
    const unsigned = await fetch(cloud.url + '/v1/slack/commands', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: command('help'),
    });
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as any).error.code).toBe('UNAUTHORIZED');
    expect((await signedPost('/v1/slack/commands', command('help'), { secret: 'wrong' })).status).toBe(401);
    expect((await signedPost('/v1/slack/commands', command('help'), { skewSeconds: -400 })).status).toBe(401);
    const first = await signedPost('/v1/slack/commands', command('clusters'));
    expect(first.status).toBe(200);
    const replay = await signedPost('/v1/slack/commands', command('clusters').replace(/trigger_id=t\d+/, ''), {
      timestamp: first.timestamp,
      signature: first.signature,
    });
    expect(replay.status).toBe(401); // body changed: bad signature
    const body = command('incidents');
    const once = await signedPost('/v1/slack/commands', body);
    const again = await signedPost('/v1/slack/commands', body, { timestamp: once.timestamp, signature: once.signature });
    expect(once.status).toBe(200);
    expect(again.status).toBe(401);
    expect(again.body.error.message).toMatch(/replay/);
  });

  it('answers unknown or malformed commands with usage, not an error', async () => {
    const unknown = await signedPost('/v1/slack/commands', command('reboot everything'));
    expect(unknown.status).toBe(200);
    expect(unknown.body.text).toMatch(/Unknown command/);
    const bad = await signedPost('/v1/slack/commands', command('silence frontend forever'));
    expect(bad.status).toBe(200);
    expect(bad.body.text).toMatch(/Usage: `\/fleet silence/);
  });

  it('rejects a signed but malformed interaction payload with 400', async () => {
    const { status, body } = await signedPost('/v1/slack/interactions', form({ payload: '{"type":"view_submission"}' }));
    expect(status).toBe(400);
    expect(body.error.code).toBe('UNSUPPORTED_INTERACTION');
  });
});

describe('/fleet commands and buttons against the running stack', () => {
  it('lists incidents, acknowledges one from a button and records who did it', async () => {
    const alert = {
      source: 'test',
      cluster: 'prod',
      namespace: 'shop',
      service: 'checkout',
      type: 'HighErrorRate',
      severity: 'high',
      message: 'checkout 5xx above 5%',
    };
    const accepted = await api('POST', '/v1/alerts', alert);
    expect(accepted.status).toBe(202);
    const incidentId = accepted.body.incidents[0] as string;

    const list = await signedPost('/v1/slack/commands', command('incidents'));
    expect(JSON.stringify(list.body)).toContain(incidentId);

    // Issue 19: a guest, a Slack Connect user and an unmapped member only read: the incident stays open.
    const press = (user: Record<string, unknown>, team = 'T1') =>
      signedPost(
        '/v1/slack/interactions',
        form({ payload: JSON.stringify({ type: 'block_actions', user, team: { id: team }, actions: [{ action_id: 'incident_ack', value: incidentId }] }) }),
      );
    for (const [user, team] of [
      [{ id: 'UONCALL', username: 'guest', is_restricted: true }, 'T1'],
      [{ id: 'UONCALL', username: 'connect', team_id: 'T2' }, 'T1'],
      [{ id: 'UONCALL', username: 'other' }, 'T2'],
      [{ id: 'USTRANGER', username: 'stranger' }, 'T1'],
    ] as const) {
      const refused = await press(user, team);
      expect(refused.status).toBe(200);
      expect(refused.body.text).toMatch(/you cannot acknowledge/);
    }
    expect((await api('GET', `/v1/incidents/${incidentId}`)).body.status).toBe('open');

    const payload = {
      type: 'block_actions',
      user: { id: 'UONCALL', username: 'oncall' },
      team: { id: 'T1' },
      actions: [{ action_id: 'incident_ack', value: incidentId }],
    };
    const pressed = await signedPost('/v1/slack/interactions', form({ payload: JSON.stringify(payload) }));
    expect(pressed.status).toBe(200);
    const incident = await api('GET', `/v1/incidents/${incidentId}`);
    expect(incident.body.status).toBe('acknowledged');
  });

  it('silences a service for a duration in its incident’s cluster and namespace only, recording the Slack user', async () => {
    const { status, body } = await signedPost('/v1/slack/commands', command('silence checkout 30m maintenance', 'USILENCER'));
    expect(status).toBe(200);
    expect(body.response_type).toBe('in_channel');
    const silences = await api('GET', '/v1/silences');
    const silence = silences.body.items.find((s: any) => s.matchers.some((m: any) => m.value === 'checkout'));
    expect(silence.createdBy).toContain('slack:T1/USILENCER');
    expect(silence.matchers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'cluster', value: 'prod' }),
        expect.objectContaining({ name: 'namespace', value: 'shop' }),
        expect.objectContaining({ name: 'service', value: 'checkout' }),
      ]),
    );
    const minutes = (Date.parse(silence.endsAt) - Date.parse(silence.startsAt)) / 60000;
    expect(minutes).toBeCloseTo(30, 0);
  });

  it('deploys only releases that have a deploy trigger, and says so', async () => {
    const { status, body } = await signedPost('/v1/slack/commands', command('deploy no-such-release 1.2.3'));
    expect(status).toBe(200);
    expect(body.text).toMatch(/No deploy trigger configures release "no-such-release"/);
  });

  it('lets only approvers decide on healing', async () => {
    const refused = await signedPost('/v1/slack/commands', command('heal approve h-123', 'UREADER1'));
    expect(refused.status).toBe(200);
    expect(refused.body.text).toMatch(/not on the fleetops approvers list/);
    const approved = await signedPost('/v1/slack/commands', command('heal approve h-123', APPROVER));
    expect(approved.status).toBe(200);
    expect(approved.body.text).toMatch(/h-123/);
  });
});
