import { ROUTE_LIST } from '../definitions/routes.ts';
import { OPENAPI_ROUTES } from '../definitions/routes/openapi.ts';
import { httpHandler } from '../http/http-handler.ts';
import { buildOpenApiDocument } from '../http/openapi.ts';
import { json } from '../http/responses.ts';
import { wiring } from '../wiring.ts';

let document: Record<string, unknown> | undefined;

export const handler = httpHandler(OPENAPI_ROUTES, {
  openapi: async () => {
    const routes = ROUTE_LIST.filter((r) => !r.localOnly || wiring().config.FLEETOPS_RUNTIME === 'local');
    document ??= buildOpenApiDocument(routes, { title: 'fleetops API', version: '1' });
    return json(200, document);
  },
});
