/**
 * ClusterHealthDegraded: a cluster whose stored health score (0..1) has stayed below `threshold` at every pull
 * for `windowMinutes` fires once; the first pull back at or above the threshold resolves it.
 *
 * The state rides on each stored health item (`belowSince`, `degraded`), so a pull needs only the previous
 * item, never a window of them. A previous item older than the window and than `maxGapMinutes` says nothing
 * about the time in between (the pull stopped, the cluster was unreachable): the run below the threshold starts
 * again, while a firing alert stays firing until a score at or above the threshold resolves it.
 */

export interface DegradedSettings {
  /** Scores below this (0..1) count as degraded. */
  threshold: number;
  /** Minutes a cluster must stay below the threshold before the alert fires. */
  windowMinutes: number;
  /** Longest gap between two pulls that still counts as one run (default 15 min: three 5-minute pulls). */
  maxGapMinutes?: number;
}

export interface DegradedState {
  /** Time of the first pull of the current run below the threshold; null when at or above it. */
  belowSince: string | null;
  /** Whether ClusterHealthDegraded is firing for this cluster. */
  degraded: boolean;
}

export interface DegradedStep extends DegradedState {
  transition: 'fire' | 'resolve' | null;
}

export function nextDegradedState(
  previous: (DegradedState & { at: string }) | undefined,
  current: { score: number; at: string },
  settings: DegradedSettings,
): DegradedStep {
  const now = Date.parse(current.at);
  const windowMs = settings.windowMinutes * 60_000;
  const wasDegraded = previous?.degraded ?? false;
  if (!(current.score < settings.threshold)) return { belowSince: null, degraded: false, transition: wasDegraded ? 'resolve' : null };
  const maxGapMs = Math.max(windowMs, (settings.maxGapMinutes ?? 15) * 60_000);
  const continuous = previous !== undefined && now - Date.parse(previous.at) <= maxGapMs;
  const belowSince = continuous && previous.belowSince ? previous.belowSince : current.at;
  if (wasDegraded) return { belowSince, degraded: true, transition: null };
  const fires = now - Date.parse(belowSince) >= windowMs;
  return { belowSince, degraded: fires, transition: fires ? 'fire' : null };
}
