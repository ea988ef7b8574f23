/**
 * Slack users → fleetops roles. A Slack request is signed by the workspace's app, but anyone the
 * app's channels reach can press a button: guests, and people of other workspaces through Slack
 * Connect. So each request becomes an Identity (`slack:<team>/<user>`) whose role comes from the
 * operator's mapping, for the configured workspace only; everyone else only reads.
 */
import * as z from 'zod';
import { ROLES, roleRank, type Identity, type Role } from '../identity/identity.ts';
import { ValidationError } from '../errors.ts';

export interface SlackRoleMap {
  /** The workspace whose members may act; unset: the workspace is not checked (single-workspace installs). */
  teamId?: string;
  users: ReadonlyMap<string, Role>;
  userGroups: ReadonlyMap<string, Role>;
  /** Role of a member of the workspace who is in neither map. */
  defaultRole: Role;
  /** Channels (C…/G…) from which anyone may act; unset: any channel. Elsewhere everyone only reads. */
  channels?: ReadonlySet<string>;
}

/** Who sent a command or pressed a button, as Slack's signed payload says. */
export interface SlackRequester {
  userId: string;
  userName: string;
  /** The workspace the request came through (`team_id`, `team.id`). */
  teamId?: string;
  /** The user's own workspace (`user.team_id`): differs for Slack Connect users. */
  userTeamId?: string;
  /** Org-wide (Enterprise Grid) install: the request may come from any workspace of the org. */
  enterpriseInstall?: boolean;
  /** Guests (`is_restricted` / `is_ultra_restricted`), when the payload or a lookup says so. */
  restricted?: boolean;
  /**
   * True when the user was looked up (bot token: `users.info`), so `restricted` is known to be
   * accurate. Without it a guest looks like a member: see `unverifiedDefaultRole`.
   */
  guestStatusVerified?: boolean;
  /** The user groups (`S…`) the user is a member of, when they could be looked up. */
  groups?: readonly string[];
  /** The channel the command was sent or the button pressed in. */
  channelId?: string;
}

const RoleName = z.enum(ROLES);
const Id = z.string().regex(/^[A-Z0-9]{2,32}$/, 'a Slack id (T…, U…, W…, S…)');
const RolesJson = z
  .object({
    teamId: Id.optional(),
    users: z.record(Id, RoleName).default({}),
    userGroups: z.record(Id, RoleName).default({}),
    defaultRole: RoleName.default('viewer'),
    channels: z.array(Id).max(500).optional(),
  })
  .strict();

/**
 * `FLEETOPS_SLACK_ROLES` (JSON) plus the older `FLEETOPS_SLACK_APPROVERS` (comma-separated user ids,
 * mapped to `approver` unless the JSON gives them a role). Both unset: everyone reads, nobody acts.
 */
export function parseSlackRoles(json: string | undefined, approvers: string | undefined): SlackRoleMap {
  let raw: unknown = {};
  if (json?.trim()) {
    try {
      raw = JSON.parse(json);
    } catch {
      throw new ValidationError('FLEETOPS_SLACK_ROLES is not valid JSON', undefined, 'INVALID_CONFIG');
    }
  }
  const parsed = RolesJson.safeParse(raw);
  if (!parsed.success) throw new ValidationError(`FLEETOPS_SLACK_ROLES: ${parsed.error.issues[0]?.message ?? 'invalid'}`, undefined, 'INVALID_CONFIG');
  const users = new Map<string, Role>();
  for (const id of approvers
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean) ?? [])
    users.set(id, 'approver');
  for (const [id, role] of Object.entries(parsed.data.users)) users.set(id, role);
  return {
    ...(parsed.data.teamId ? { teamId: parsed.data.teamId } : {}),
    users,
    userGroups: new Map(Object.entries(parsed.data.userGroups)),
    defaultRole: parsed.data.defaultRole,
    ...(parsed.data.channels ? { channels: new Set(parsed.data.channels) } : {}),
  };
}

/** Why a requester only reads, or undefined when they are a full member of the configured workspace. */
export function outsider(map: SlackRoleMap, who: SlackRequester): string | undefined {
  if (who.restricted) return 'guest accounts only read';
  if (who.userTeamId && who.teamId && who.userTeamId !== who.teamId) return 'users of other workspaces only read';
  if (map.teamId) {
    if (who.teamId !== map.teamId) return 'this workspace is not the one fleetops is configured for';
    if (who.userTeamId && who.userTeamId !== map.teamId) return 'users of other workspaces only read';
    if (who.enterpriseInstall && !who.userTeamId) return 'an org-wide install must name the user’s workspace';
  }
  if (map.channels && !(who.channelId && map.channels.has(who.channelId))) return 'fleetops takes actions only from its configured channels';
  return undefined;
}

/**
 * Why the workspace's `defaultRole` is not granted: it is above viewer, the user is listed neither
 * in `users` nor (through a known group) in `userGroups`, and whether they are a guest cannot be
 * verified (no bot token, so no `users.info`; slash commands do not say). Such a user reads only.
 */
export function unverifiedDefaultRole(map: SlackRoleMap, who: SlackRequester): string | undefined {
  if (who.guestStatusVerified || roleRank(map.defaultRole) <= roleRank('viewer') || map.users.has(who.userId)) return undefined;
  if ((who.groups ?? []).some((g) => map.userGroups.has(g))) return undefined;
  return `fleetops cannot verify that you are not a guest (no Slack bot token is configured), so the default role ${map.defaultRole} applies only to users listed in FLEETOPS_SLACK_ROLES`;
}

export function slackIdentity(map: SlackRoleMap, who: SlackRequester): Identity {
  const subject = `slack:${who.userTeamId ?? who.teamId ?? 'unknown'}/${who.userId}`;
  const displayName = who.userName || who.userId;
  if (outsider(map, who)) return { kind: 'slack', subject, displayName, role: 'viewer' };
  // A user's own entry wins (it may also lower someone below the default); else the highest of the default and their groups.
  const own = map.users.get(who.userId);
  if (own) return { kind: 'slack', subject, displayName, role: own };
  let role: Role = unverifiedDefaultRole(map, who) ? 'viewer' : map.defaultRole;
  for (const group of who.groups ?? []) {
    const r = map.userGroups.get(group);
    if (r && roleRank(r) > roleRank(role)) role = r;
  }
  return { kind: 'slack', subject, displayName, role };
}
