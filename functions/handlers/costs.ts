import { requestedRef } from '../core/catalog/entity.ts';
import { COSTS_ROUTES } from '../definitions/routes/costs.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';
import { costService } from '../wiring/cost.ts';

export const handler = httpHandler(COSTS_ROUTES, {
  getCosts: async ({ query }) => json(200, await costService().costs(query)),
  getEntityCost: async ({ params, query }) => json(200, await costService().entityCost(requestedRef(params.entityRef), query.window)),
  getRecommendations: async ({ query }) => json(200, await costService().recommendations(query)),
});
