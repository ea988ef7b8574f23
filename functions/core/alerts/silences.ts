import { RE2JS } from 're2js';

/**
 * Alertmanager-style silences: all matchers must match the alert's labels, between startsAt and endsAt.
 * Regex matchers are anchored (`=~"web.*"` does not match "myweb"), like Alertmanager; a missing label
 * reads as the empty string. Patterns are user input: they run on RE2 (re2js), Alertmanager's own
 * regexp semantics, in time linear in the label's length, so no pattern can stall ingestion.
 */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** Parses `name="value"`, `name!="v"`, `name=~"re"`, `name!~"re"` (quotes optional); throws on a bad pattern. */
export function parseMatcher(text: string): SilenceMatcher {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|(\S*))\s*$/.exec(text);
  if (!m) throw new Error(`Invalid matcher: ${text}`);
  const op = m[2];
  const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[4] ?? '');
  const matcher = { name: m[1], value, isRegex: op.endsWith('~'), isEqual: !op.startsWith('!') };
  const problem = matcherProblem(matcher);
  if (problem) throw new Error(`Invalid matcher ${text}: ${problem}`);
  return matcher;
}

const regexCache = new Map<string, RE2JS>();

/** Compiled once per pattern; RE2JS `matches` is a whole-string (anchored) match. */
function compiled(pattern: string): RE2JS {
  let re = regexCache.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

/** Why a matcher cannot be used (a pattern RE2 does not accept), or undefined when it can. */
export function matcherProblem(matcher: Pick<SilenceMatcher, 'value' | 'isRegex'>): string | undefined {
  if (!matcher.isRegex) return undefined;
  try {
    compiled(matcher.value);
    return undefined;
  } catch (error) {
    return `invalid regular expression: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** A matcher whose pattern does not compile (stored before validation existed) matches nothing. */
export function matcherMatches(matcher: SilenceMatcher, labels: Record<string, string>): boolean {
  const actual = labels[matcher.name] ?? '';
  let hit: boolean;
  try {
    hit = matcher.isRegex ? compiled(matcher.value).matches(actual) : actual === matcher.value;
  } catch {
    return false;
  }
  return matcher.isEqual ? hit : !hit;
}

export function isActive(silence: Pick<Silence, 'startsAt' | 'endsAt'>, now: Date): boolean {
  const t = now.getTime();
  return Date.parse(silence.startsAt) <= t && t < Date.parse(silence.endsAt);
}

export function silencedBy(labels: Record<string, string>, silences: Silence[], now: Date): Silence | undefined {
  return silences.find((s) => isActive(s, now) && s.matchers.length > 0 && s.matchers.every((m) => matcherMatches(m, labels)));
}

/** Labels a silence sees: the raw labels plus the canonical fields under their own names. */
export function silenceLabels(alert: {
  labels: Record<string, string>;
  cluster: string;
  namespace: string;
  service: string;
  type: string;
  severity: string;
  source: string;
}): Record<string, string> {
  return {
    alertname: alert.type,
    ...alert.labels,
    cluster: alert.cluster,
    namespace: alert.namespace,
    service: alert.service,
    type: alert.type,
    source: alert.source,
    severity: alert.labels.severity ?? alert.severity,
  };
}
