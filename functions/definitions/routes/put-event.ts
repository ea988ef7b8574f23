import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { EventAccepted, EventEntry } from '../../schemas/common.ts';
import { unauthorized, badRequest } from './responses.ts';

/** The routes served by functions/handlers/put-event.ts (see ../routes.ts for the whole table). */
export const PUT_EVENT_ROUTES = {
  putEvent: defineRoute({
    method: 'POST',
    path: '/v1/events',
    handler: 'put-event',
    auth: 'bearer',
    role: 'admin',
    summary: 'Put one event on the local bus (local stack only), shaped like an EventBridge PutEvents entry',
    tags: ['events'],
    body: EventEntry,
    localOnly: true,
    responses: { 202: { description: 'Accepted', schema: EventAccepted }, ...badRequest, ...unauthorized },
  }),
} satisfies Record<string, RouteDefinition>;
