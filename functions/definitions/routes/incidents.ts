import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { CreateSilenceRequest, Incident, IncidentList, IncidentListQuery } from '../../schemas/alerts.ts';
import { ErrorResponse, IdParams } from '../../schemas/common.ts';
import { unauthorized, badRequest, notFound } from './responses.ts';

/** The routes served by functions/handlers/incidents.ts (see ../routes.ts for the whole table). */
export const INCIDENTS_ROUTES = {
  listIncidents: defineRoute({
    method: 'GET',
    path: '/v1/incidents',
    handler: 'incidents',
    auth: 'bearer',
    role: 'viewer',
    summary: 'Incidents, newest activity first',
    tags: ['incidents'],
    query: IncidentListQuery,
    responses: { 200: { description: 'Incidents', schema: IncidentList }, ...badRequest, ...unauthorized },
  }),
  getIncident: defineRoute({
    method: 'GET',
    path: '/v1/incidents/{id}',
    handler: 'incidents',
    auth: 'bearer',
    role: 'viewer',
    summary: 'One incident',
    tags: ['incidents'],
    params: IdParams,
    responses: { 200: { description: 'Incident', schema: Incident }, ...unauthorized, ...notFound },
  }),
  acknowledgeIncident: defineRoute({
    method: 'POST',
    path: '/v1/incidents/{id}/ack',
    handler: 'incidents',
    auth: 'bearer',
    role: 'operator',
    summary: 'Acknowledge an open incident (stops escalation)',
    tags: ['incidents'],
    params: IdParams,
    responses: {
      200: { description: 'Acknowledged', schema: Incident },
      ...unauthorized,
      ...notFound,
      409: { description: 'Not open', schema: ErrorResponse },
    },
  }),
  createSilence: defineRoute({
    method: 'POST',
    path: '/v1/silences',
    handler: 'incidents',
    auth: 'bearer',
    role: 'operator',
    summary: 'Maintenance window: matching alerts are recorded but not notified',
    tags: ['alerts'],
    body: CreateSilenceRequest,
    responses: { 201: { description: 'Created' }, ...badRequest, ...unauthorized },
  }),
  listSilences: defineRoute({
    method: 'GET',
    path: '/v1/silences',
    handler: 'incidents',
    auth: 'bearer',
    role: 'viewer',
    summary: 'Active and future silences',
    tags: ['alerts'],
    responses: { 200: { description: 'Silences' }, ...unauthorized },
  }),
  deleteSilence: defineRoute({
    method: 'DELETE',
    path: '/v1/silences/{id}',
    handler: 'incidents',
    auth: 'bearer',
    role: 'operator',
    summary: 'End a silence',
    tags: ['alerts'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' }, ...unauthorized },
  }),
} satisfies Record<string, RouteDefinition>;
