/**
 * The change timeline of an RCA: what changed on which service and when (rollouts: a new ReplicaSet revision
 * with what its pod template changed, e.g. an image or a config map reference). It is evidence for the ranking
 * (`fleetops rank --changes`: a change shortly before a service's symptoms raises it) and shown in the report's
 * timeline beside the symptoms.
 */
import type { Evidence, RolloutEvidence } from './evidence.ts';
import type { Change } from './rank.ts';

/** Changes this long before the symptoms are part of the timeline. */
export const CHANGE_WINDOW_MS = 60 * 60_000;

/** Rollouts as ranker changes (epoch seconds), within CHANGE_WINDOW_MS before `at` and anything after. */
export function changesOf(rollouts: readonly RolloutEvidence[], at: Date): Change[] {
  const from = at.getTime() - CHANGE_WINDOW_MS;
  return rollouts
    .filter((r) => r.changes.length > 0 && Date.parse(r.at) >= from)
    .map((r) => ({ node: r.deployment, at: Math.floor(Date.parse(r.at) / 1000), kind: 'rollout', detail: `revision ${r.revision}: ${r.changes.slice(0, 3).join('; ')}` }));
}

/** The changes of an RCA's evidence, oldest first. */
export function changeTimeline(evidence: Pick<Evidence, 'rollouts' | 'target'>): Change[] {
  return changesOf(evidence.rollouts, new Date(evidence.target.at)).sort((a, b) => a.at - b.at);
}
