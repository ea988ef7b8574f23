import { HEALTH_ROUTES } from '../definitions/routes/health.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';

export const handler = httpHandler(HEALTH_ROUTES, {
  health: async () => json(200, { status: 'ok' }),
});
