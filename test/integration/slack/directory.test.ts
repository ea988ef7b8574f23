/** Issue 19: Slack user groups map to roles; guests found by users.info only read. A local server speaks Slack's Web API shapes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { SlackDirectory } from '../../../functions/adapters/slack/directory.ts';
import { parseSlackRoles, slackIdentity } from '../../../functions/core/slack/roles.ts';

let server: Server;
let base: string;
const calls: string[] = [];
let down = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    calls.push(`${url.pathname} ${req.headers.authorization}`);
    res.writeHead(down ? 500 : 200, { 'content-type': 'application/json' });
    if (down) return res.end('{"ok":false,"error":"internal_error"}');
    if (url.pathname === '/api/usergroups.users.list') {
      const members: Record<string, string[]> = { SOPS: ['UALICE', 'UGUEST'], SLEADS: ['UBOB'] };
      return res.end(JSON.stringify({ ok: true, users: members[url.searchParams.get('usergroup') ?? ''] ?? [] }));
    }
    if (url.pathname === '/api/users.info') {
      const user = url.searchParams.get('user');
      return res.end(JSON.stringify({ ok: true, user: { id: user, team_id: user === 'UCONNECT' ? 'T2' : 'T1', is_restricted: user === 'UGUEST' } }));
    }
    res.end('{"ok":false,"error":"unknown_method"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/api`;
});
afterAll(() => server?.close());

const policy = parseSlackRoles(JSON.stringify({ teamId: 'T1', userGroups: { SOPS: 'operator', SLEADS: 'approver' } }), undefined);

describe('Slack directory', () => {
  it('gives roles from user groups, and read-only to guests and Slack Connect users', async () => {
    let now = 0;
    const directory = new SlackDirectory({ token: async () => 'xoxb-test', groupIds: [...policy.userGroups.keys()], baseUrl: base, now: () => now });
    const facts = await directory.describe('UALICE');
    expect(facts).toEqual({ groups: ['SOPS'], restricted: false, teamId: 'T1' });
    const asRequester = async (userId: string) => {
      const f = await directory.describe(userId);
      return slackIdentity(policy, {
        userId,
        userName: userId,
        teamId: 'T1',
        groups: f.groups,
        restricted: f.restricted,
        ...(f.teamId ? { userTeamId: f.teamId } : {}),
      }).role;
    };
    expect(await asRequester('UALICE')).toBe('operator');
    expect(await asRequester('UBOB')).toBe('approver');
    expect(await asRequester('UGUEST')).toBe('viewer');
    expect(await asRequester('UCONNECT')).toBe('viewer');
    expect(await asRequester('UNOBODY')).toBe('viewer');
    expect(calls.every((c) => c.endsWith('Bearer xoxb-test'))).toBe(true);
    // Cached: group lists are read once per 5 minutes.
    const before = calls.filter((c) => c.includes('usergroups')).length;
    await directory.describe('UALICE');
    expect(calls.filter((c) => c.includes('usergroups')).length).toBe(before);
    now += 301_000;
    down = true;
    // Slack down: nothing is granted.
    expect(await directory.describe('UBOB')).toEqual({ groups: [], restricted: true });
    down = false;
  });
});
