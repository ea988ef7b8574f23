import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';
import { recommendationApplier } from '../wiring/rightsizing.ts';

export const handler = httpHandler({
  applyRecommendation: async ({ params, body, identity }) => json(202, await recommendationApplier().apply(identity, params.id, body?.reason)),
});
