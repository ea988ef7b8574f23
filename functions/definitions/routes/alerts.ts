import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { AlertmanagerWebhook, AlertRequest, AlertsAccepted } from '../../schemas/alerts.ts';
import { ErrorResponse } from '../../schemas/common.ts';
import { unauthorized, badRequest } from './responses.ts';

/** The routes served by functions/handlers/alerts.ts (see ../routes.ts for the whole table). */
export const ALERTS_ROUTES = {
  ingestAlertmanager: defineRoute({
    method: 'POST',
    path: '/v1/alerts/alertmanager',
    handler: 'alerts',
    auth: 'bearer',
    role: 'operator',
    ingest: true,
    summary: 'Alertmanager webhook receiver (version 4): deduplicated into incidents',
    tags: ['alerts'],
    body: AlertmanagerWebhook,
    maxBodyBytes: 4 * 1024 * 1024,
    responses: {
      202: { description: 'Accepted', schema: AlertsAccepted },
      ...badRequest,
      ...unauthorized,
      413: { description: 'Payload too large', schema: ErrorResponse },
      503: { description: 'Recorded, but a notification is pending: retry', schema: ErrorResponse },
    },
  }),
  ingestAlert: defineRoute({
    method: 'POST',
    path: '/v1/alerts',
    handler: 'alerts',
    auth: 'bearer',
    role: 'operator',
    ingest: true,
    summary: 'Any other alert source',
    tags: ['alerts'],
    body: AlertRequest,
    maxBodyBytes: 64 * 1024,
    responses: { 202: { description: 'Accepted', schema: AlertsAccepted }, ...badRequest, ...unauthorized },
  }),
} satisfies Record<string, RouteDefinition>;
