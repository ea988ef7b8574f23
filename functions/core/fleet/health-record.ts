/** One cluster's health at one pull, as stored (see ports.ts) and read back by the fleet overview. */
import type { DegradedState } from './degraded.ts';
import type { ClusterHealthInput } from './overview.ts';

export interface ClusterHealthRecord extends ClusterHealthInput, DegradedState {
  pullId: string;
  at: string;
  /** 0..1 (health.ts), rounded to 4 digits. */
  score: number;
}

export const CLUSTER_HEALTH_DETAIL_TYPE = 'ClusterHealthDegraded';

/** `detail` of a `ClusterHealthDegraded` event: firing when the score stayed low for the window, resolved when it recovered. */
export interface ClusterHealthDegradedDetail {
  cluster: string;
  clusterId: string;
  environment: string;
  status: 'firing' | 'resolved';
  score: number;
  threshold: number;
  windowMinutes: number;
  /** When the score went below the threshold (firing), or when it recovered (resolved). */
  since: string;
  at: string;
}
