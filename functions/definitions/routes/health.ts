import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { HealthResponse } from '../../schemas/common.ts';

/** The routes served by functions/handlers/health.ts (see ../routes.ts for the whole table). */
export const HEALTH_ROUTES = {
  health: defineRoute({
    method: 'GET',
    path: '/health',
    handler: 'health',
    auth: 'none',
    summary: 'Liveness of the API',
    tags: ['meta'],
    responses: { 200: { description: 'Ready', schema: HealthResponse } },
  }),
} satisfies Record<string, RouteDefinition>;
