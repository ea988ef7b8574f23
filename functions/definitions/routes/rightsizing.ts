import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { ErrorResponse } from '../../schemas/common.ts';
import { ApplyRecommendationRequest, RecommendationApplied, RecommendationParams } from '../../schemas/cost.ts';
import { unauthorized, badRequest } from './responses.ts';

/** The routes served by functions/handlers/rightsizing.ts (see ../routes.ts for the whole table). */
export const RIGHTSIZING_ROUTES = {
  applyRecommendation: defineRoute({
    method: 'POST',
    path: '/v1/recommendations/{id}/apply',
    handler: 'rightsizing',
    auth: 'bearer',
    role: 'operator',
    summary:
      "Apply a right-sizing recommendation: the workload's fleetops release redeployed to its cluster with the recommended requests and limits at the chart value `resources`, through the deploy workflow (prod clusters need an approver). The values are fleetops' own; the body may only give a reason. Applying it again gives the same deployment",
    tags: ['cost', 'deployments'],
    params: RecommendationParams,
    body: ApplyRecommendationRequest,
    responses: {
      202: { description: 'Deploy started (or, applied already, the same deployment)', schema: RecommendationApplied },
      ...badRequest,
      ...unauthorized,
      404: { description: 'No such recommendation today', schema: ErrorResponse },
      409: {
        description:
          'Stale recommendation, workload not deployed by fleetops, several containers, below the observed need, or another deploy of the release running',
        schema: ErrorResponse,
      },
    },
  }),
} satisfies Record<string, RouteDefinition>;
