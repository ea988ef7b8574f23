/**
 * Is this cluster prod? One answer for the deploy gate, Slack and healing.
 *
 * 1. The cluster label `fleetops.io/production: "true" | "false"` wins (operators set it when the
 *    environment name says nothing, or says the wrong thing).
 * 2. Otherwise the environment name, split into tokens on `-`, `_`, `.`, whitespace and digits
 *    (case-insensitive): any token `prod`, `production`, `prd` or `live` makes it prod. So
 *    `prod`, `eu-prod`, `production-eu`, `prd1`, `live` are prod; `preprod`, `staging`, `dev`,
 *    `product-demo` are not.
 */
import type { ClusterRecord } from './cluster-record.ts';

export const PRODUCTION_LABEL = 'fleetops.io/production';

const PROD_TOKENS = new Set(['prod', 'production', 'prd', 'live']);

export function isProdEnvironmentName(environment: string): boolean {
  return environment
    .toLowerCase()
    .split(/[-_.\s\d]+/)
    .some((token) => PROD_TOKENS.has(token));
}

export function isProdCluster(cluster: Pick<ClusterRecord, 'environment'> & { labels?: Record<string, string> }): boolean {
  const label = cluster.labels?.[PRODUCTION_LABEL]?.trim().toLowerCase();
  if (label === 'true') return true;
  if (label === 'false') return false;
  return isProdEnvironmentName(cluster.environment ?? '');
}
