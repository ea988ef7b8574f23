import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { ErrorResponse, IdParams } from '../../schemas/common.ts';
import { CreateHealingRequest, Healing, HealingAnswer, HealingList, HealingListQuery, HealingStarted, KillSwitchRequest } from '../../schemas/healing.ts';
import { unauthorized, badRequest, notFound } from './responses.ts';

/** The routes served by functions/handlers/healing.ts (see ../routes.ts for the whole table). */
export const HEALING_ROUTES = {
  listHealing: defineRoute({
    method: 'GET',
    path: '/v1/healing',
    handler: 'healing',
    auth: 'bearer',
    role: 'viewer',
    summary: 'Healing runs, newest first (filter by service, status, incident)',
    tags: ['healing'],
    query: HealingListQuery,
    responses: { 200: { description: 'Healing runs', schema: HealingList }, ...badRequest, ...unauthorized },
  }),
  createHealing: defineRoute({
    method: 'POST',
    path: '/v1/healing',
    handler: 'healing',
    auth: 'bearer',
    role: 'operator',
    summary: 'Start a healing run: safety checks, strategy, approval for high/critical, verification with undo',
    tags: ['healing'],
    body: CreateHealingRequest,
    responses: { 202: { description: 'Started', schema: HealingStarted }, ...badRequest, ...unauthorized, ...notFound },
  }),
  setHealingKillSwitch: defineRoute({
    method: 'PUT',
    path: '/v1/healing/kill-switch',
    handler: 'healing',
    auth: 'bearer',
    role: 'admin',
    summary: 'Switch all automatic healing off (or back on); runs already acting finish, new ones are SKIPPED',
    tags: ['healing'],
    body: KillSwitchRequest,
    responses: { 200: { description: 'Set' }, ...badRequest, ...unauthorized },
  }),
  getHealing: defineRoute({
    method: 'GET',
    path: '/v1/healing/{id}',
    handler: 'healing',
    auth: 'bearer',
    role: 'viewer',
    summary: 'One healing run with its audit trail (who, what, when, before, after, result)',
    tags: ['healing'],
    params: IdParams,
    responses: { 200: { description: 'Healing run', schema: Healing }, ...unauthorized, ...notFound },
  }),
  approveHealing: defineRoute({
    method: 'POST',
    path: '/v1/healing/{id}/approve',
    handler: 'healing',
    auth: 'bearer',
    role: 'approver',
    summary: 'Approve a healing waiting in PENDING_APPROVAL (records who)',
    tags: ['healing'],
    params: IdParams,
    body: HealingAnswer,
    responses: {
      200: { description: 'Approved', schema: Healing },
      ...badRequest,
      ...unauthorized,
      ...notFound,
      409: { description: 'Not waiting for approval, or expired', schema: ErrorResponse },
    },
  }),
  rejectHealing: defineRoute({
    method: 'POST',
    path: '/v1/healing/{id}/reject',
    handler: 'healing',
    auth: 'bearer',
    role: 'approver',
    summary: 'Reject a healing waiting in PENDING_APPROVAL (records who)',
    tags: ['healing'],
    params: IdParams,
    body: HealingAnswer,
    responses: {
      200: { description: 'Rejected', schema: Healing },
      ...badRequest,
      ...unauthorized,
      ...notFound,
      409: { description: 'Not waiting for approval, or expired', schema: ErrorResponse },
    },
  }),
  // Deployments (issue 11)
} satisfies Record<string, RouteDefinition>;
