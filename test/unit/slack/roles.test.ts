/** Issue 19: Slack users map to roles; guests and other workspaces only read; silences are scoped. */
import { describe, expect, it } from 'vitest';
import { COMMAND_ROLES, runFleetCommand, runSlackAction, type SlackActor, type SlackCommandPorts } from '../../../functions/core/slack/dispatch.ts';
import { parseSlackRoles, slackIdentity } from '../../../functions/core/slack/roles.ts';
import { parseFleetCommand } from '../../../functions/core/slack/command.ts';
import { RateLimitedError } from '../../../functions/core/errors.ts';

const policy = parseSlackRoles(
  JSON.stringify({
    teamId: 'T1',
    users: { UOPS: 'operator', UBOSS: 'approver', UDEMOTED: 'viewer' },
    userGroups: { SOPS: 'operator', SLEADS: 'approver' },
    defaultRole: 'viewer',
  }),
  'ULEGACY',
);
const member = (userId: string, extra: Partial<SlackActor> = {}): SlackActor => ({ userId, userName: userId.toLowerCase(), teamId: 'T1', ...extra });

const incident = {
  id: 'i1',
  cluster: 'staging',
  namespace: 'shop',
  service: 'cart',
  type: 'X',
  severity: 'high',
  status: 'open',
  alertCount: 2,
  firstSeen: 'a',
  lastSeen: 'b',
};

function ports() {
  const calls: string[] = [];
  const p: SlackCommandPorts = {
    listClusters: async () => [{ id: 'c1', name: 'staging', environment: 'staging', status: 'active' }],
    openIncidents: async () => [
      incident,
      { ...incident, id: 'i2', service: 'api', cluster: 'prod' },
      { ...incident, id: 'i3', service: 'api', cluster: 'staging' },
    ],
    getIncident: async (id) => (id === 'i1' ? incident : undefined),
    acknowledge: async (id, actor) => {
      calls.push(`ack ${id} by ${actor.identity?.subject}`);
      return incident;
    },
    silence: async (input, actor) => {
      calls.push(`silence ${input.cluster}/${input.namespace}/${input.service} ${input.durationSeconds}s by ${actor.identity?.subject}`);
      return { id: 's1', endsAt: 'later' };
    },
    clustersOfService: async () => [{ id: 'c1', name: 'staging', environment: 'staging', status: 'active' }],
    startRca: async (input, actor) => {
      calls.push(`rca ${input.service} by ${actor.identity?.subject}`);
      return { id: 'rca-1' };
    },
    decideHealing: async (id, decision, actor) => {
      calls.push(`heal ${decision} ${id} by ${actor.identity?.subject}`);
      return { id, cluster: 'c', namespace: 'n', service: 's', issueType: 'x', severity: 'high', action: 'scale', status: 'EXECUTING', reason: 'r' };
    },
    startDeploy: async (input, actor, options) => {
      calls.push(`deploy ${input.release} prod=${options.allowProd} by ${actor.identity?.subject}`);
      return { id: 'd1', status: 'RUNNING', waves: [] };
    },
  };
  return { p, calls };
}

const ACTING = ['ack i1', 'silence cart 1h', 'diagnose cart', 'deploy shop 1.2.3', 'heal approve h1'];
const BUTTONS = ['incident_ack', 'incident_rca', 'incident_silence_1h', 'healing_approve', 'healing_reject'];

describe('Slack roles', () => {
  it('maps users, groups, the legacy approvers list and the default role, for the configured workspace', () => {
    expect(slackIdentity(policy, member('UOPS'))).toEqual({ kind: 'slack', subject: 'slack:T1/UOPS', displayName: 'uops', role: 'operator' });
    expect(slackIdentity(policy, member('UBOSS')).role).toBe('approver');
    expect(slackIdentity(policy, member('ULEGACY')).role).toBe('approver');
    expect(slackIdentity(policy, member('UNOBODY')).role).toBe('viewer');
    expect(slackIdentity(policy, member('UNOBODY', { groups: ['SOPS'] })).role).toBe('operator');
    expect(slackIdentity(policy, member('UNOBODY', { groups: ['SOPS', 'SLEADS'] })).role).toBe('approver');
    expect(slackIdentity(policy, member('UDEMOTED', { groups: ['SLEADS'] })).role).toBe('viewer');
    // Guests, Slack Connect users, other workspaces and org-wide installs without the user's team: read only.
    expect(slackIdentity(policy, member('UBOSS', { restricted: true })).role).toBe('viewer');
    expect(slackIdentity(policy, member('UBOSS', { userTeamId: 'T2' })).role).toBe('viewer');
    expect(slackIdentity(policy, member('UBOSS', { teamId: 'T2' })).role).toBe('viewer');
    expect(slackIdentity(policy, { userId: 'UBOSS', userName: 'b' }).role).toBe('viewer');
    expect(slackIdentity(policy, member('UBOSS', { enterpriseInstall: true })).role).toBe('viewer');
    expect(slackIdentity(policy, member('UBOSS', { enterpriseInstall: true, userTeamId: 'T1' })).role).toBe('approver');
    expect(() => parseSlackRoles('{"users":{"U1":"root"}}', undefined)).toThrow(/FLEETOPS_SLACK_ROLES/);
    expect(() => parseSlackRoles('{', undefined)).toThrow(/JSON/);
    expect(parseSlackRoles(undefined, undefined).defaultRole).toBe('viewer');
    // Channels: when configured, acting is possible only from them.
    const inChannels = parseSlackRoles(JSON.stringify({ teamId: 'T1', users: { UOPS: 'operator' }, channels: ['C0PS'] }), undefined);
    expect(slackIdentity(inChannels, member('UOPS', { channelId: 'C0PS' })).role).toBe('operator');
    expect(slackIdentity(inChannels, member('UOPS', { channelId: 'CRANDOM' })).role).toBe('viewer');
    expect(slackIdentity(inChannels, member('UOPS')).role).toBe('viewer');
  });

  it('declares a role for every command', () => {
    expect(COMMAND_ROLES).toMatchObject({
      ack: 'operator',
      silence: 'operator',
      diagnose: 'operator',
      deploy: 'operator',
      heal: 'approver',
      incidents: 'viewer',
    });
  });

  it('a viewer, a guest and a Slack Connect user only read: every acting command and button is refused before any port is called', async () => {
    for (const who of [member('UNOBODY'), member('UBOSS', { restricted: true }), member('UBOSS', { userTeamId: 'T9' }), member('UBOSS', { teamId: 'T9' })]) {
      const { p, calls } = ports();
      for (const text of ACTING) expect((await runFleetCommand(text, who, p, policy)).text).toMatch(/you cannot/);
      for (const actionId of BUTTONS)
        expect((await runSlackAction({ actionId, value: actionId.startsWith('incident') ? 'i1' : 'h1' }, who, p, policy)).text).toMatch(/you cannot/);
      expect(calls).toEqual([]);
      expect((await runFleetCommand('incidents', who, p, policy)).text).toMatch(/Open incidents/);
    }
  });

  it('an operator acts but neither approves nor deploys to prod; an approver does, and audits carry the subject', async () => {
    const { p, calls } = ports();
    await runSlackAction({ actionId: 'incident_ack', value: 'i1' }, member('UOPS'), p, policy);
    await runSlackAction({ actionId: 'incident_rca', value: 'i1' }, member('UOPS'), p, policy);
    await runFleetCommand('deploy shop 1.2.3', member('UOPS'), p, policy);
    expect((await runSlackAction({ actionId: 'healing_approve', value: 'h1' }, member('UOPS'), p, policy)).text).toMatch(/approver/);
    await runSlackAction({ actionId: 'healing_approve', value: 'h1' }, member('UBOSS'), p, policy);
    await runFleetCommand('deploy shop 1.2.3', member('UBOSS'), p, policy);
    expect(calls).toEqual([
      'ack i1 by slack:T1/UOPS',
      'rca cart by slack:T1/UOPS',
      'deploy shop prod=false by slack:T1/UOPS',
      'heal approve h1 by slack:T1/UBOSS',
      'deploy shop prod=true by slack:T1/UBOSS',
    ]);
  });

  it('a manual RCA over the limit is answered in Slack, not failed', async () => {
    const { p } = ports();
    p.startRca = async () => {
      throw new RateLimitedError('At most 10 manual RCAs per 1 h per caller; try again in 60 s.', 60, 'RCA_RATE_LIMITED');
    };
    expect((await runSlackAction({ actionId: 'incident_rca', value: 'i1' }, member('UOPS'), p, policy)).text).toMatch(/At most 10 manual RCAs/);
    expect((await runFleetCommand('diagnose cart', member('UOPS'), p, policy)).text).toMatch(/try again in 60 s/);
  });

  it('silences are scoped to the incident’s cluster and namespace, never the service fleet-wide, and capped', async () => {
    const { p, calls } = ports();
    await runSlackAction({ actionId: 'incident_silence_1h', value: 'i1' }, member('UOPS'), p, policy);
    await runFleetCommand('silence cart 2h', member('UOPS'), p, policy);
    await runFleetCommand('silence prod/payments/api 30m', member('UOPS'), p, policy);
    const ambiguous = await runFleetCommand('silence api 30m', member('UOPS'), p, policy);
    expect(ambiguous.text).toMatch(/2 places/);
    expect((await runFleetCommand('silence nothing 30m', member('UOPS'), p, policy)).text).toMatch(/cluster\/namespace\/service/);
    expect(calls).toEqual([
      'silence staging/shop/cart 3600s by slack:T1/UOPS',
      'silence staging/shop/cart 7200s by slack:T1/UOPS',
      'silence prod/payments/api 1800s by slack:T1/UOPS',
    ]);
    expect(parseFleetCommand('silence cart 2d').ok).toBe(false);
    expect(parseFleetCommand('silence a/b cart 1h').ok).toBe(false);
  });
});

describe('Slack default role when guest status cannot be verified (no bot token)', () => {
  const generous = parseSlackRoles(
    JSON.stringify({ teamId: 'T1', users: { UOPS: 'operator', UBOSS: 'approver' }, userGroups: { SLEADS: 'approver' }, defaultRole: 'operator' }),
    undefined,
  );

  it('an unlisted user (perhaps a guest) gets viewer, not the default operator, and is told why', async () => {
    expect(slackIdentity(generous, member('UGUESTMAYBE')).role).toBe('viewer');
    const { p, calls } = ports();
    const reply = await runFleetCommand('ack i1', member('UGUESTMAYBE'), p, generous);
    expect(calls).toEqual([]);
    expect(reply.text).toMatch(/cannot verify that you are not a guest/);
  });

  it('listed users and known groups keep their roles; a verified member gets the default role', () => {
    expect(slackIdentity(generous, member('UOPS')).role).toBe('operator');
    expect(slackIdentity(generous, member('UBOSS')).role).toBe('approver');
    expect(slackIdentity(generous, member('UNOBODY', { groups: ['SLEADS'] })).role).toBe('approver');
    expect(slackIdentity(generous, member('UNOBODY', { guestStatusVerified: true })).role).toBe('operator');
    expect(slackIdentity(generous, member('UNOBODY', { guestStatusVerified: true, restricted: true })).role).toBe('viewer');
  });
});
