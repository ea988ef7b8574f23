/**
 * Alertmanager-style silences: all matchers must match the alert's labels, between startsAt and endsAt.
 * Regex matchers are anchored (`=~"web.*"` does not match "myweb"), like Alertmanager; a missing label
 * reads as the empty string.
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

/** Parses `name="value"`, `name!="v"`, `name=~"re"`, `name!~"re"` (quotes optional). */
export function parseMatcher(text: string): SilenceMatcher {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|(\S*))\s*$/.exec(text);
  if (!m) throw new Error(`Invalid matcher: ${text}`);
  const op = m[2];
  const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[4] ?? '');
  return { name: m[1], value, isRegex: op.endsWith('~'), isEqual: !op.startsWith('!') };
}

const regexCache = new Map<string, RegExp>();

function anchored(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

export function matcherMatches(matcher: SilenceMatcher, labels: Record<string, string>): boolean {
  const actual = labels[matcher.name] ?? '';
  const hit = matcher.isRegex ? anchored(matcher.value).test(actual) : actual === matcher.value;
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
