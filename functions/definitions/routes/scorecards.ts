import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { EntityRefParams, Scorecard, ScorecardSummary } from '../../schemas/catalog.ts';
import { unauthorized, badRequest, notFound } from './responses.ts';

/** The routes served by functions/handlers/scorecards.ts (see ../routes.ts for the whole table). */
export const SCORECARDS_ROUTES = {
  scorecardSummary: defineRoute({
    method: 'GET',
    path: '/v1/scorecards',
    handler: 'scorecards',
    auth: 'bearer',
    role: 'viewer',
    summary: 'Fleet summary: the score of every catalog component, worst first',
    tags: ['catalog'],
    responses: { 200: { description: 'Summary', schema: ScorecardSummary }, ...unauthorized },
  }),
  getScorecard: defineRoute({
    method: 'GET',
    path: '/v1/scorecards/{entityRef}',
    handler: 'scorecards',
    auth: 'bearer',
    role: 'viewer',
    summary: 'Scorecard of one component (URL-encode the ref: component%3Adefault%2Fuser-service); Kubernetes checks run against every registered cluster',
    tags: ['catalog'],
    params: EntityRefParams,
    responses: { 200: { description: 'Scorecard', schema: Scorecard }, ...badRequest, ...unauthorized, ...notFound },
  }),
  // --- Identity and machine credentials (issue 19) ---
} satisfies Record<string, RouteDefinition>;
