import { createHash } from 'node:crypto';

/**
 * Dedup state of one incident key (`DEDUP#<key>/STATE`).
 *
 * Windows (both end at `expiresAt`, so one read-side check covers them):
 * - while firing, every alert slides the window: expiresAt = lastSeen + dedupWindow. An alert that keeps
 *   firing never falls out of its incident (the seed's fixed 10 minutes split long incidents in pieces).
 *   The window must exceed the longest re-send interval of a source (Alertmanager repeat_interval, 4h by
 *   default); when a source goes quiet without resolving, the next alert after the window opens a new
 *   incident.
 * - once resolved: expiresAt = resolvedAt + reopenWindow. A firing alert inside it reopens the same
 *   incident (a flap is the same problem, and people already looking at it keep their context); after
 *   it, the problem is considered new and gets a new incident.
 */
export interface DedupState {
  key: string;
  incidentId: string;
  status: 'firing' | 'resolved';
  alertCount: number;
  firstSeen: string;
  lastSeen: string;
  resolvedAt?: string;
  /** When an alert of the key last resolved (its incident may stay open): a condition back long after is another fault. */
  quietSince?: string;
  /** Epoch seconds (DynamoDB TTL). */
  expiresAt: number;
}

export interface DedupConfig {
  dedupWindowSeconds: number;
  reopenWindowSeconds: number;
}

export const DEFAULT_DEDUP_CONFIG: DedupConfig = { dedupWindowSeconds: 6 * 3600, reopenWindowSeconds: 30 * 60 };

export type FiringDecision = { kind: 'join'; incidentId: string } | { kind: 'reopen'; incidentId: string } | { kind: 'open' };

export function epochSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

/** TTL deletion is lazy (and DynamoDB Local never deletes): an item past expiresAt does not exist. */
export function isExpired(state: Pick<DedupState, 'expiresAt'>, now: Date): boolean {
  return state.expiresAt < epochSeconds(now);
}

export function decideFiring(state: DedupState | undefined, now: Date): FiringDecision {
  if (!state || isExpired(state, now)) return { kind: 'open' };
  if (state.status === 'resolved') return { kind: 'reopen', incidentId: state.incidentId };
  return { kind: 'join', incidentId: state.incidentId };
}

export function firingExpiry(now: Date, config: DedupConfig): number {
  return epochSeconds(now) + config.dedupWindowSeconds;
}

export function resolvedExpiry(now: Date, config: DedupConfig): number {
  return epochSeconds(now) + config.reopenWindowSeconds;
}

/**
 * The window start of a new incident: the earliest `startsAt` of its alerts when that is recent
 * (stable across redeliveries and across concurrent Lambdas), else now.
 */
export function windowStart(startsAt: string[], now: Date, config: DedupConfig): string {
  const earliest = Math.min(...startsAt.map((s) => Date.parse(s)).filter((n) => !Number.isNaN(n)));
  const oldest = now.getTime() - config.dedupWindowSeconds * 1000;
  return Number.isFinite(earliest) && earliest >= oldest && earliest <= now.getTime() ? new Date(earliest).toISOString() : now.toISOString();
}

/** Deterministic: a retried or concurrent creation of the same incident computes the same id. */
export function incidentIdFor(key: string, start: string): string {
  return `inc-${createHash('sha256').update(`${key}#${start}`).digest('hex').slice(0, 20)}`;
}
