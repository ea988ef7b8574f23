import { randomUUID } from 'node:crypto';
import { PUT_EVENT_ROUTES } from '../definitions/routes/put-event.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';
import { wiring } from '../wiring.ts';

/** Local stack only: CloudWatch alarm state changes and other AWS events arrive through here. */
export const handler = httpHandler(PUT_EVENT_ROUTES, {
  putEvent: async ({ body }) => {
    const id = randomUUID();
    await wiring().events.publish([{ id, source: body.source, detailType: body['detail-type'], detail: body.detail, resources: body.resources }]);
    return json(202, { id });
  },
});
