import type * as z from 'zod';
import type { Role } from '../core/identity/identity.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * One row of the route table. CDK creates an API Gateway route per row, the local gateway
 * serves the same rows, the middleware validates with the same schemas and /openapi.json is
 * generated from them.
 */
interface RouteBase {
  method: HttpMethod;
  /** API Gateway path template, e.g. `/v1/clusters/{id}`. */
  path: string;
  /** Lambda entry point: `functions/handlers/<handler>.ts`. */
  handler: string;
  summary: string;
  tags: string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** How the body is read before validation (default json); yaml and text bodies reach the handler as a string. */
  bodyFormat?: 'json' | 'yaml' | 'form' | 'text';
  maxBodyBytes?: number;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Served by the local stack only (e.g. putting events on the local bus). */
  localOnly?: boolean;
}

/**
 * Who may call a route:
 * - `auth: 'bearer'`: a credential (OIDC JWT, scoped API key, bootstrap token) whose role is at least `role`;
 *   with `ingest: true` an ingest credential is accepted too (only `POST /v1/alerts*`).
 * - `auth: 'slack'`: Slack's request signature (the Slack handler maps the user to a role itself).
 * - `auth: 'none'`: public (`/health`, `/openapi.json`).
 * `role` is required for every authenticated route, so a new route cannot forget it.
 */
export type RouteAuth = { auth: 'bearer'; role: Role; ingest?: boolean } | { auth: 'none' | 'slack'; role?: undefined; ingest?: undefined };

export type RouteDefinition = RouteBase & RouteAuth;

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export function defineRoute<const T extends RouteDefinition>(route: T): T {
  return route;
}
