/**
 * The safety rules that need no I/O. The atomic parts (actions per hour, cool-down, kill switch at
 * the moment of acting) are conditional writes in the store; these decide everything else.
 */
import type { FreezeWindow, ServicePolicy } from './policy.ts';
import { SEVERITIES, severityRank, type Severity } from './types.ts';

export type Ceiling = 'none' | Severity;

const MINUTES = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The freeze window `now` falls in, if any. Weekly windows may wrap past midnight (from > to). */
export function activeFreezeWindow(windows: readonly FreezeWindow[], now: Date): FreezeWindow | undefined {
  const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
  const day = now.getUTCDay();
  return windows.find((w) => {
    if ('start' in w) return Date.parse(w.start) <= now.getTime() && now.getTime() < Date.parse(w.end);
    const from = MINUTES(w.from);
    const to = MINUTES(w.to);
    if (from <= to) return w.days.includes(day) && minute >= from && minute < to;
    // Wraps midnight: the evening part belongs to the listed day, the morning part to the next.
    return (w.days.includes(day) && minute >= from) || (w.days.includes((day + 6) % 7) && minute < to);
  });
}

export function describeFreezeWindow(w: FreezeWindow): string {
  const name = w.name ? ` "${w.name}"` : '';
  return 'start' in w ? `change freeze${name} until ${w.end}` : `weekly change freeze${name} ${w.from}–${w.to} UTC`;
}

/** Critical services that call this one, directly or through one intermediate service. */
export function criticalDependents(service: string, graph: Record<string, string[]>, critical: readonly string[]): string[] {
  const callersOf = (s: string) =>
    Object.entries(graph)
      .filter(([, callees]) => callees.includes(s))
      .map(([caller]) => caller);
  const direct = callersOf(service);
  const indirect = direct.flatMap(callersOf);
  return [...new Set([...direct, ...indirect])].filter((s) => s !== service && critical.includes(s)).sort();
}

/** Each critical dependent at risk lowers the automatic ceiling by one severity. */
export function automaticCeiling(configured: Ceiling, dependentsAtRisk: number): Ceiling {
  if (configured === 'none') return 'none';
  const index = SEVERITIES.indexOf(configured) - dependentsAtRisk;
  return index < 0 ? 'none' : SEVERITIES[index];
}

export function needsApproval(severity: Severity, ceiling: Ceiling): boolean {
  return ceiling === 'none' || severityRank(severity) > severityRank(ceiling);
}

export interface PreflightInput {
  now: Date;
  severity: Severity;
  policy: ServicePolicy;
  killSwitch: { config: boolean; flag: boolean };
  freezeWindows: readonly FreezeWindow[];
  cooldownUntil?: string;
  dependents: string[];
}

export type Preflight = { ok: false; reason: string } | { ok: true; ceiling: Ceiling; approval: boolean; note?: string };

/** Kill switch, freeze windows, cool-down, and the severity gate (lowered by critical dependents). */
export function preflight(input: PreflightInput): Preflight {
  if (input.killSwitch.config) return { ok: false, reason: 'healing is switched off (kill switch in configuration)' };
  if (input.killSwitch.flag) return { ok: false, reason: 'healing is switched off (kill switch flag)' };
  const freeze = activeFreezeWindow(input.freezeWindows, input.now);
  if (freeze) return { ok: false, reason: `${describeFreezeWindow(freeze)}: no changes` };
  if (input.cooldownUntil && Date.parse(input.cooldownUntil) > input.now.getTime()) {
    return { ok: false, reason: `cool-down: the same issue was acted on for this service; next action allowed after ${input.cooldownUntil}` };
  }
  const ceiling = automaticCeiling(input.policy.autoCeiling, input.dependents.length);
  const approval = needsApproval(input.severity, ceiling);
  const note = input.dependents.length ? `critical dependents at risk (${input.dependents.join(', ')}): automatic ceiling lowered to ${ceiling}` : undefined;
  return { ok: true, ceiling, approval, ...(note ? { note } : {}) };
}

/** The higher of two severities. */
export function maxSeverity(a: Severity, b: Severity | undefined): Severity {
  return b && severityRank(b) > severityRank(a) ? b : a;
}

/**
 * The most severe unresolved incident involving a service (its own, or one it joined through
 * dependency grouping): the floor under the severity of any action on it, whoever asks.
 */
export function openIncidentFor<I extends { id: string; namespace: string; service: string; services?: string[]; severity: string; status: string }>(
  incidents: readonly I[],
  target: { namespace: string; service: string },
): { id: string; severity: Severity } | undefined {
  const involved = incidents.filter(
    (i) =>
      i.status !== 'resolved' &&
      i.namespace === target.namespace &&
      (i.service === target.service || i.services?.includes(target.service)) &&
      (SEVERITIES as readonly string[]).includes(i.severity),
  );
  const worst = involved.sort((a, b) => severityRank(b.severity as Severity) - severityRank(a.severity as Severity))[0];
  return worst ? { id: worst.id, severity: worst.severity as Severity } : undefined;
}
