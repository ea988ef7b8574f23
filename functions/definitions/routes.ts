import * as z from 'zod';
import type { RouteDefinition } from '../http/route-definition.ts';
import { HEALTH_ROUTES } from './routes/health.ts';
import { OPENAPI_ROUTES } from './routes/openapi.ts';
import { PUT_EVENT_ROUTES } from './routes/put-event.ts';
import { CLUSTERS_ROUTES } from './routes/clusters.ts';
import { ALERTS_ROUTES } from './routes/alerts.ts';
import { INCIDENTS_ROUTES } from './routes/incidents.ts';
import { METRICS_ROUTES } from './routes/metrics.ts';
import { HEALING_ROUTES } from './routes/healing.ts';
import { DEPLOYMENTS_ROUTES } from './routes/deployments.ts';
import { SLACK_ROUTES } from './routes/slack.ts';
import { RCA_ROUTES } from './routes/rca.ts';
import { CATALOG_ROUTES } from './routes/catalog.ts';
import { SCORECARDS_ROUTES } from './routes/scorecards.ts';
import { CREDENTIALS_ROUTES } from './routes/credentials.ts';
import { COSTS_ROUTES } from './routes/costs.ts';
import { RIGHTSIZING_ROUTES } from './routes/rightsizing.ts';

/**
 * The route table: one source for API Gateway (lib/constructs/api.ts), the local gateway,
 * request validation and /openapi.json. Keys are OpenAPI operation ids. Each handler serves the routes of its own
 * file under routes/ and imports only that file, so a Lambda bundles only its own routes' schemas.
 */
export const ROUTES = {
  ...HEALTH_ROUTES,
  ...OPENAPI_ROUTES,
  ...PUT_EVENT_ROUTES,
  ...CLUSTERS_ROUTES,
  ...ALERTS_ROUTES,
  ...INCIDENTS_ROUTES,
  ...METRICS_ROUTES,
  ...HEALING_ROUTES,
  ...DEPLOYMENTS_ROUTES,
  ...SLACK_ROUTES,
  ...RCA_ROUTES,
  ...CATALOG_ROUTES,
  ...SCORECARDS_ROUTES,
  ...CREDENTIALS_ROUTES,
  ...COSTS_ROUTES,
  ...RIGHTSIZING_ROUTES,
} satisfies Record<string, RouteDefinition>;

export type RouteId = keyof typeof ROUTES;

export const ROUTE_LIST: (RouteDefinition & { id: string })[] = Object.entries(ROUTES).map(([id, route]) => ({
  id,
  ...(route as RouteDefinition),
}));

/** Handlers that serve at least one route (each becomes one Lambda in AWS). */
export function httpHandlerNames(options: { includeLocalOnly: boolean }): string[] {
  return [...new Set(ROUTE_LIST.filter((r) => options.includeLocalOnly || !r.localOnly).map((r) => r.handler))];
}

export const NoQuery = z.object({}).strict();
