import * as z from 'zod';
import { defineRoute, type RouteDefinition } from '../http/route-definition.ts';
import { ErrorResponse, EventAccepted, EventEntry, HealthResponse } from '../schemas/common.ts';

const unauthorized = { 401: { description: 'Missing or wrong bearer token', schema: ErrorResponse } };
const badRequest = { 400: { description: 'Invalid request', schema: ErrorResponse } };

/**
 * The route table: one source for API Gateway (lib/constructs/api.ts), the local gateway,
 * request validation and /openapi.json. Keys are OpenAPI operation ids.
 */
export const ROUTES = {
  health: defineRoute({
    method: 'GET',
    path: '/health',
    handler: 'health',
    auth: 'none',
    summary: 'Liveness of the API',
    tags: ['meta'],
    responses: { 200: { description: 'Ready', schema: HealthResponse } },
  }),
  openapi: defineRoute({
    method: 'GET',
    path: '/openapi.json',
    handler: 'openapi',
    auth: 'none',
    summary: 'This OpenAPI 3.1 document',
    tags: ['meta'],
    responses: { 200: { description: 'OpenAPI document' } },
  }),
  putEvent: defineRoute({
    method: 'POST',
    path: '/v1/events',
    handler: 'put-event',
    auth: 'bearer',
    summary: 'Put one event on the local bus (local stack only), shaped like an EventBridge PutEvents entry',
    tags: ['events'],
    body: EventEntry,
    localOnly: true,
    responses: { 202: { description: 'Accepted', schema: EventAccepted }, ...badRequest, ...unauthorized },
  }),
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
