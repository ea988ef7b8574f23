import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { EntityRefParams } from '../../schemas/catalog.ts';
import { CostQuery, CostReport, EntityCost, EntityCostQuery, RecommendationList, RecommendationQuery } from '../../schemas/cost.ts';
import { unauthorized, badRequest, notFound } from './responses.ts';

/** The routes served by functions/handlers/costs.ts (see ../routes.ts for the whole table). */
export const COSTS_ROUTES = {
  getCosts: defineRoute({
    method: 'GET',
    path: '/v1/costs',
    handler: 'costs',
    auth: 'bearer',
    role: 'viewer',
    summary:
      'What the fleet cost over a window (OpenCost allocation: max(request, usage) per container, idle apart), grouped by cluster, namespace, service or catalog owner, with the previous window and a daily series',
    tags: ['cost'],
    query: CostQuery,
    responses: { 200: { description: 'Cost report', schema: CostReport }, ...badRequest, ...unauthorized },
  }),
  getEntityCost: defineRoute({
    method: 'GET',
    path: '/v1/costs/{entityRef}',
    handler: 'costs',
    auth: 'bearer',
    role: 'viewer',
    summary: "Cost of one catalog entity (URL-encode the ref): a component's workload, or all components a group, user or system owns",
    tags: ['cost'],
    params: EntityRefParams,
    query: EntityCostQuery,
    responses: { 200: { description: 'Cost item', schema: EntityCost }, ...badRequest, ...unauthorized, ...notFound },
  }),
  getRecommendations: defineRoute({
    method: 'GET',
    path: '/v1/recommendations',
    handler: 'costs',
    auth: 'bearer',
    role: 'viewer',
    summary: 'Right-sizing per container (p95 CPU, max memory + 15 %; OOM kills and throttling raise it) with the monthly saving at current prices',
    tags: ['cost'],
    query: RecommendationQuery,
    responses: { 200: { description: 'Recommendations', schema: RecommendationList }, ...badRequest, ...unauthorized },
  }),
} satisfies Record<string, RouteDefinition>;
