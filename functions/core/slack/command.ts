import { safe } from './mrkdwn.ts';
/** `/fleet` subcommands, parsed from the slash command's `text`. Pure: no I/O. */
export type FleetCommand =
  | { kind: 'help' }
  | { kind: 'clusters' }
  | { kind: 'status'; cluster?: string }
  | { kind: 'incidents' }
  | { kind: 'ack'; incidentId: string }
  | { kind: 'diagnose'; service: string; cluster?: string }
  | { kind: 'heal'; decision: 'approve' | 'reject'; healingId: string }
  | { kind: 'silence'; service: string; durationSeconds: number; reason?: string; cluster?: string; namespace?: string }
  | { kind: 'deploy'; release: string; version: string; wave?: string }
  | { kind: 'forecast'; service: string; cluster?: string }
  | { kind: 'cost'; target?: string };

export type ParsedCommand = { ok: true; command: FleetCommand } | { ok: false; usage: string };

export const USAGE: Record<FleetCommand['kind'], string> = {
  help: '/fleet help',
  clusters: '/fleet clusters',
  status: '/fleet status [cluster]',
  incidents: '/fleet incidents',
  ack: '/fleet ack <incident-id>',
  diagnose: '/fleet diagnose <service> [cluster]',
  heal: '/fleet heal approve|reject <healing-id>',
  silence: '/fleet silence <service | cluster/namespace/service> <duration: 30m, 2h, up to 1d> [reason]',
  deploy: '/fleet deploy <release> <version> [wave]',
  forecast: '/fleet forecast <service> [cluster]',
  cost: '/fleet cost [service | team]',
};

export const HELP_TEXT = ['*fleetops* — `/fleet` commands:', ...Object.values(USAGE).map((u) => `• \`${u}\``)].join('\n');

const NAME = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/i;
const ID = /^[A-Za-z0-9._:-]{1,128}$/;
const VERSION = /^[A-Za-z0-9._+-]{1,128}$/;
/** Silences from Slack are short: a longer one is a change to make through the API, with its matchers in view. */
export const MAX_SLACK_SILENCE_SECONDS = 24 * 3600;

/** `90s`, `30m`, `2h`, `1d` (and combinations like `1h30m`) → seconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^(?:(\d{1,4})d)?(?:(\d{1,5})h)?(?:(\d{1,6})m)?(?:(\d{1,7})s)?$/.exec(text.trim().toLowerCase());
  if (!match || text.trim() === '') return undefined;
  const [, d, h, m, s] = match.map((v) => Number(v ?? 0));
  const seconds = d! * 86400 + h! * 3600 + m! * 60 + s!;
  return seconds > 0 ? seconds : undefined;
}

function usage(kind: FleetCommand['kind'], problem: string): ParsedCommand {
  return { ok: false, usage: `${problem}\nUsage: \`${USAGE[kind]}\`` };
}

export function parseFleetCommand(text: string): ParsedCommand {
  const words = text.trim().split(/\s+/).filter(Boolean).slice(0, 64);
  const [sub = 'help', ...args] = words;
  const name = sub.toLowerCase();
  const optionalName = (value: string | undefined) => value === undefined || NAME.test(value);
  switch (name) {
    case 'help':
      return { ok: true, command: { kind: 'help' } };
    case 'clusters':
      return { ok: true, command: { kind: 'clusters' } };
    case 'incidents':
      return { ok: true, command: { kind: 'incidents' } };
    case 'status':
      if (args.length > 1 || !optionalName(args[0])) return usage('status', 'That is not a cluster name.');
      return { ok: true, command: { kind: 'status', ...(args[0] ? { cluster: args[0] } : {}) } };
    case 'ack':
      if (args.length !== 1 || !ID.test(args[0]!)) return usage('ack', 'Give the incident id to acknowledge.');
      return { ok: true, command: { kind: 'ack', incidentId: args[0]! } };
    case 'diagnose':
    case 'forecast': {
      if (args.length < 1 || args.length > 2 || !NAME.test(args[0]!) || !optionalName(args[1])) {
        return usage(name, 'Give a service name, and optionally a cluster.');
      }
      return { ok: true, command: { kind: name, service: args[0]!, ...(args[1] ? { cluster: args[1] } : {}) } };
    }
    case 'cost':
      if (args.length > 1 || !optionalName(args[0])) return usage('cost', 'Give a service or a team name, or nothing for the whole fleet.');
      return { ok: true, command: { kind: 'cost', ...(args[0] ? { target: args[0] } : {}) } };
    case 'heal': {
      const decision = args[0]?.toLowerCase();
      if ((decision !== 'approve' && decision !== 'reject') || args.length !== 2 || !ID.test(args[1]!)) {
        return usage('heal', 'Say approve or reject, then the healing id.');
      }
      return { ok: true, command: { kind: 'heal', decision, healingId: args[1]! } };
    }
    case 'silence': {
      const target = args[0]?.split('/') ?? [];
      if (args.length < 2 || !(target.length === 1 || target.length === 3) || !target.every((part) => NAME.test(part))) {
        return usage('silence', 'Give a service (or cluster/namespace/service) and a duration.');
      }
      const seconds = parseDuration(args[1]!);
      if (seconds === undefined || seconds > MAX_SLACK_SILENCE_SECONDS) return usage('silence', `"${safe(args[1], 40)}" is not a duration of at most 1 day.`);
      const reason = args.slice(2).join(' ').slice(0, 500);
      const scope = target.length === 3 ? { cluster: target[0]!, namespace: target[1]! } : {};
      return { ok: true, command: { kind: 'silence', service: target.at(-1)!, durationSeconds: seconds, ...(reason ? { reason } : {}), ...scope } };
    }
    case 'deploy': {
      if (args.length < 2 || args.length > 3 || !NAME.test(args[0]!) || !VERSION.test(args[1]!) || !optionalName(args[2])) {
        return usage('deploy', 'Give a release and a version, and optionally a wave.');
      }
      return { ok: true, command: { kind: 'deploy', release: args[0]!, version: args[1]!, ...(args[2] ? { wave: args[2] } : {}) } };
    }
    default:
      return { ok: false, usage: `Unknown command "${safe(sub, 40)}".\n${HELP_TEXT}` };
  }
}
