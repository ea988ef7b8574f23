/**
 * Who may deploy to prod. The prod gate used to exist only in Slack: `/v1/deployments` and the
 * golden path deployed anywhere a bearer token reached. Now every entry point asks the same
 * question of the same data: do the waves select, today, a cluster whose environment is prod? Then
 * the caller must be an approver.
 */
import { ForbiddenError } from '../errors.ts';
import { hasRole, type Identity } from '../identity/identity.ts';
import type { ClusterRecord } from '../clusters/cluster-record.ts';
import { isProdCluster, isProdEnvironmentName } from '../clusters/production.ts';
import { matchesSelector } from './selector.ts';
import type { WaveSpec } from './types.ts';

/** By name only; prefer `isProdCluster`, which honours the `fleetops.io/production` label. */
export const isProdEnvironment = isProdEnvironmentName;

/** Prod by what the waves would select today (any status: a cluster that is down now may be back when the wave runs). */
export function touchesProd(
  waves: readonly Pick<WaveSpec, 'selector'>[],
  clusters: readonly (Pick<ClusterRecord, 'environment' | 'labels'> & { id?: string })[],
): boolean {
  return clusters.some((c) => isProdCluster(c) && waves.some((w) => matchesSelector(c, w.selector)));
}

export function requireProdApprover(
  identity: Identity,
  waves: readonly Pick<WaveSpec, 'selector'>[],
  clusters: readonly (Pick<ClusterRecord, 'environment' | 'labels'> & { id?: string })[],
): void {
  if (touchesProd(waves, clusters) && !hasRole(identity, 'approver')) {
    throw new ForbiddenError(
      'This deployment reaches prod clusters: it needs the approver role. Deploy to non-prod waves, or ask an approver.',
      'PROD_APPROVAL_REQUIRED',
    );
  }
}
