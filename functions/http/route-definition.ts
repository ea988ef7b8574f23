import type * as z from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * One row of the route table. CDK creates an API Gateway route per row, the local gateway
 * serves the same rows, the middleware validates with the same schemas and /openapi.json is
 * generated from them.
 */
export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway path template, e.g. `/v1/clusters/{id}`. */
  path: string;
  /** Lambda entry point: `functions/handlers/<handler>.ts`. */
  handler: string;
  /** `bearer`: the API token; `slack`: Slack's request signature, checked in the handler. */
  auth: 'none' | 'bearer' | 'slack';
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

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

export function defineRoute<const T extends RouteDefinition>(route: T): T {
  return route;
}
