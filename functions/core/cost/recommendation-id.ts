/**
 * A recommendation's id: `rs-<window>-<container>-<values>`. The container part names which
 * container of which workload on which cluster (a hash of cluster id, namespace, workload and
 * container); the values part, what was recommended. An id whose container is still recommended
 * for but whose values changed since (new evidence) is stale, not unknown.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../deploy/identity.ts';
import type { Resources } from './rightsizing.ts';

const ID = /^rs-(\d{1,2})d-([0-9a-f]{12})-([0-9a-f]{10})$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface ContainerKey {
  clusterId: string;
  namespace: string;
  workload: string;
  container: string;
}

export const containerHash = (k: ContainerKey): string => sha256(`${k.clusterId}\n${k.namespace}\n${k.workload}\n${k.container}`).slice(0, 12);

export function recommendationId(key: ContainerKey, days: number, recommended: Resources): string {
  return `rs-${days}d-${containerHash(key)}-${sha256(canonicalJson(recommended)).slice(0, 10)}`;
}

/** The parts of a well-formed id; undefined for anything else. */
export function parseRecommendationId(id: string): { days: number; container: string } | undefined {
  const m = ID.exec(id);
  if (!m) return undefined;
  const days = Number(m[1]);
  return days >= 1 && days <= 30 ? { days, container: m[2]! } : undefined;
}
