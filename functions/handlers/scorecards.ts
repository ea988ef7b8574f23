import { SCORECARDS_ROUTES } from '../definitions/routes/scorecards.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';
import { scorecardService } from '../wiring/scorecards.ts';
import { requestedRef } from '../core/catalog/entity.ts';

export const handler = httpHandler(SCORECARDS_ROUTES, {
  getScorecard: async ({ params }) => json(200, await scorecardService().forEntity(requestedRef(params.entityRef))),
  scorecardSummary: async () => json(200, await scorecardService().fleet()),
});
