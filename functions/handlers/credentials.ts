import { CREDENTIALS_ROUTES } from '../definitions/routes/credentials.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';
import { wiring } from '../wiring.ts';

/** Who am I, and the machine credentials admins hand out (ingest credentials, API keys). */
export const handler = httpHandler(CREDENTIALS_ROUTES, {
  whoAmI: async ({ identity }) => json(200, identity),
  createIngestCredential: async ({ body, identity }) => json(201, await wiring().credentials.createIngest(body, identity)),
  createApiKey: async ({ body, identity }) => json(201, await wiring().credentials.createApiKey(body, identity)),
  listCredentials: async () => json(200, { items: await wiring().credentials.list() }),
  revokeCredential: async ({ params }) => json(200, await wiring().credentials.revoke(params.id)),
});
