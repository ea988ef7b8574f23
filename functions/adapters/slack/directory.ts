/**
 * What Slack's signed payloads do not say about a user: the user groups they belong to (for
 * FLEETOPS_SLACK_ROLES `userGroups`) and whether they are a guest. Read with the bot token
 * (`usergroups:read`, `users:read`) from Slack's Web API, cached per warm Lambda. A failed read
 * grants nothing: no groups (so no role from a group), and the user is treated as a guest.
 */
export interface SlackUserFacts {
  groups: string[];
  restricted: boolean;
  /** The user's own workspace (Slack Connect users have another). */
  teamId?: string;
}

export interface SlackDirectoryOptions {
  token: () => Promise<string | undefined>;
  /** The user groups the role map names: only their members are looked up. */
  groupIds: string[];
  /** Default https://slack.com/api (tests: a local server). */
  baseUrl?: string;
  fetch?: typeof fetch;
  cacheSeconds?: number;
  timeoutMs?: number;
  now?: () => number;
}

export class SlackDirectory {
  readonly #o: SlackDirectoryOptions;
  readonly #groups = new Map<string, { at: number; members: Set<string> }>();
  readonly #users = new Map<string, { at: number; facts: { restricted: boolean; teamId?: string } }>();

  constructor(options: SlackDirectoryOptions) {
    this.#o = options;
  }

  #now(): number {
    return this.#o.now ? this.#o.now() : Date.now();
  }

  async #call(method: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    const token = await this.#o.token();
    if (!token) throw new Error('no Slack bot token');
    const url = `${(this.#o.baseUrl ?? 'https://slack.com/api').replace(/\/$/, '')}/${method}?${new URLSearchParams(params)}`;
    const response = await (this.#o.fetch ?? fetch)(url, {
      headers: { authorization: `Bearer ${token}` },
      redirect: 'error',
      signal: AbortSignal.timeout(this.#o.timeoutMs ?? 1500),
    });
    const body = (await response.json()) as Record<string, unknown>;
    if (!response.ok || body.ok !== true)
      throw new Error(
        `Slack ${method} failed: ${String(body.error ?? response.status)
          .replace(/[^a-z0-9_]/gi, '')
          .slice(0, 60)}`,
      );
    return body;
  }

  async #members(groupId: string): Promise<Set<string>> {
    const ttl = (this.#o.cacheSeconds ?? 300) * 1000;
    const cached = this.#groups.get(groupId);
    if (cached && this.#now() - cached.at < ttl) return cached.members;
    const body = await this.#call('usergroups.users.list', { usergroup: groupId });
    const members = new Set(Array.isArray(body.users) ? body.users.filter((u): u is string => typeof u === 'string') : []);
    this.#groups.set(groupId, { at: this.#now(), members });
    return members;
  }

  async #user(userId: string): Promise<{ restricted: boolean; teamId?: string }> {
    const ttl = (this.#o.cacheSeconds ?? 300) * 1000;
    const cached = this.#users.get(userId);
    if (cached && this.#now() - cached.at < ttl) return cached.facts;
    const body = await this.#call('users.info', { user: userId });
    const user = (body.user ?? {}) as { is_restricted?: boolean; is_ultra_restricted?: boolean; team_id?: string; deleted?: boolean };
    const facts = {
      restricted: Boolean(user.is_restricted || user.is_ultra_restricted || user.deleted),
      ...(typeof user.team_id === 'string' ? { teamId: user.team_id } : {}),
    };
    this.#users.set(userId, { at: this.#now(), facts });
    return facts;
  }

  /** The user's groups (of those configured) and guest status; on any failure: no groups, a guest. */
  async describe(userId: string): Promise<SlackUserFacts> {
    try {
      const [user, ...memberships] = await Promise.all([this.#user(userId), ...this.#o.groupIds.map((g) => this.#members(g))]);
      return { groups: this.#o.groupIds.filter((_g, i) => memberships[i]!.has(userId)), ...user! };
    } catch {
      return { groups: [], restricted: true };
    }
  }
}
