/**
 * Condition lifecycle across pulls: a condition fires when it first appears, is sent again when its
 * severity rises or every `refireSeconds` (the alert's dedup window keeps sliding), and resolves once it
 * has been absent for `resolveAfterPulls` consecutive pulls (a flapping container does not resolve and
 * reopen its incident on every pull).
 */
import type { KubeCondition, RestartCounts } from './conditions.ts';
import type { KubeStateConfig } from './types.ts';

export interface TrackedCondition extends Omit<KubeCondition, 'objects'> {
  objects: string[];
  since: string;
  lastSent: string;
  /** Consecutive pulls without the condition. */
  missing: number;
}

/** Per cluster, stored between pulls. */
export interface KubeStateRecord {
  clusterId: string;
  cluster: string;
  at: string;
  pullId: string;
  restarts: RestartCounts;
  active: Record<string, TrackedCondition>;
  /** Optimistic-lock counter: two overlapping pulls of one cluster cannot both advance the state. */
  version: number;
}

export interface Transitions {
  next: KubeStateRecord;
  firing: TrackedCondition[];
  resolved: TrackedCondition[];
}

const RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

export function advance(
  previous: KubeStateRecord | undefined,
  current: { clusterId: string; cluster: string; pullId: string; conditions: KubeCondition[]; restarts: RestartCounts },
  now: Date,
  config: Pick<KubeStateConfig, 'resolveAfterPulls' | 'refireSeconds'>,
): Transitions {
  const at = now.toISOString();
  const active: Record<string, TrackedCondition> = {};
  const firing: TrackedCondition[] = [];
  const resolved: TrackedCondition[] = [];
  const seen = new Set<string>();
  for (const c of current.conditions) {
    seen.add(c.key);
    const before = previous?.active[c.key];
    if (!before) {
      const tracked = { ...c, since: at, lastSent: at, missing: 0 };
      active[c.key] = tracked;
      firing.push(tracked);
      continue;
    }
    const raised = RANK[c.severity] > RANK[before.severity];
    const stale = now.getTime() - Date.parse(before.lastSent) >= config.refireSeconds * 1000;
    const tracked = { ...c, since: before.since, lastSent: raised || stale ? at : before.lastSent, missing: 0 };
    active[c.key] = tracked;
    if (raised || stale) firing.push(tracked);
  }
  for (const [key, before] of Object.entries(previous?.active ?? {})) {
    if (seen.has(key)) continue;
    const missing = before.missing + 1;
    if (missing >= config.resolveAfterPulls) resolved.push({ ...before, missing });
    else active[key] = { ...before, missing };
  }
  return {
    next: {
      clusterId: current.clusterId,
      cluster: current.cluster,
      at,
      pullId: current.pullId,
      restarts: current.restarts,
      active,
      version: (previous?.version ?? 0) + 1,
    },
    firing,
    resolved,
  };
}
