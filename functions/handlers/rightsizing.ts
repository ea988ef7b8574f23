import { RIGHTSIZING_ROUTES } from '../definitions/routes/rightsizing.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';
import { recommendationApplier } from '../wiring/rightsizing.ts';

export const handler = httpHandler(RIGHTSIZING_ROUTES, {
  applyRecommendation: async ({ params, body, identity }) => json(202, await recommendationApplier().apply(identity, params.id, body?.reason)),
});
