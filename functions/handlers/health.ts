import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';

export const handler = httpHandler({
  health: async () => json(200, { status: 'ok' }),
});
