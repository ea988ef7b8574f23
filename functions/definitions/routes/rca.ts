import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { IdParams } from '../../schemas/common.ts';
import { Rca, RcaStarted, StartRcaRequest } from '../../schemas/rca.ts';
import { unauthorized, badRequest, notFound } from './responses.ts';

/** The routes served by functions/handlers/rca.ts (see ../routes.ts for the whole table). */
export const RCA_ROUTES = {
  startRca: defineRoute({
    method: 'POST',
    path: '/v1/rca',
    handler: 'rca',
    auth: 'bearer',
    role: 'operator',
    summary: 'Start a root-cause analysis of a service (the same workflow every new incident gets)',
    tags: ['rca'],
    body: StartRcaRequest,
    responses: { 202: { description: 'Started', schema: RcaStarted }, ...badRequest, ...unauthorized, ...notFound },
  }),
  getRca: defineRoute({
    method: 'GET',
    path: '/v1/rca/{id}',
    handler: 'rca',
    auth: 'bearer',
    role: 'viewer',
    summary: 'An RCA: its status and, once SUCCEEDED, the report',
    tags: ['rca'],
    params: IdParams,
    responses: { 200: { description: 'RCA', schema: Rca }, ...unauthorized, ...notFound },
  }),
  // --- Service catalog, scorecards and golden paths (issue 12) ---
} satisfies Record<string, RouteDefinition>;
