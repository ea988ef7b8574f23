import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';

/** The routes served by functions/handlers/openapi.ts (see ../routes.ts for the whole table). */
export const OPENAPI_ROUTES = {
  openapi: defineRoute({
    method: 'GET',
    path: '/openapi.json',
    handler: 'openapi',
    auth: 'none',
    summary: 'This OpenAPI 3.1 document',
    tags: ['meta'],
    responses: { 200: { description: 'OpenAPI document' } },
  }),
} satisfies Record<string, RouteDefinition>;
