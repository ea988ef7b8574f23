import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../core/errors.ts';
import { publicHealing } from '../core/healing/workflow.ts';
import type { HealingRecord } from '../core/healing/types.ts';
import { HEALING_ROUTES } from '../definitions/routes/healing.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';
import { wiring } from '../wiring.ts';
import { answerHealingApproval, healingRequests, healingStore } from '../wiring/healing-approvals.ts';

const listed = (record: HealingRecord) => publicHealing(record);

export const handler = httpHandler(HEALING_ROUTES, {
  listHealing: async ({ query }) => {
    const items = await healingStore().list({ service: query.service, status: query.status, incidentId: query.incidentId, limit: query.limit });
    return json(200, { items: items.map(listed) });
  },

  // The severity in the body may raise, never lower, the open incident's: the workflow's safety step takes the higher.
  // Below approver, a heal of a service with no open incident is only proposed (the role is recorded for that).
  createHealing: async ({ body, identity }) => {
    const id = `heal-${randomUUID()}`;
    await healingRequests().create(id, { ...body, trigger: 'api', requestedBy: identity.subject, requestedByRole: identity.role ?? 'none' });
    await wiring().workflows.start('healing', { healingId: id }, id);
    return json(202, { id });
  },

  getHealing: async ({ params }) => {
    const record = await healingStore().get(params.id);
    if (!record) throw new NotFoundError(`Healing ${params.id} not found`);
    return json(200, { ...publicHealing(record), audit: await healingStore().auditTrail(params.id) });
  },

  // The approver is the verified caller; a `by` in the body is ignored.
  approveHealing: async ({ params, body, identity }) => {
    const record = await answerHealingApproval({ id: params.id, decision: 'approve', identity, ...(body?.reason ? { reason: body.reason } : {}) });
    return json(200, publicHealing(record));
  },

  rejectHealing: async ({ params, body, identity }) => {
    const record = await answerHealingApproval({ id: params.id, decision: 'reject', identity, ...(body?.reason ? { reason: body.reason } : {}) });
    return json(200, publicHealing(record));
  },

  // Who flipped it is the verified caller (`admin` route); a `by` in the body is ignored.
  setHealingKillSwitch: async ({ body, identity }) => {
    await healingStore().setKillSwitch(body.enabled, `${identity.subject} (${identity.displayName})`, wiring().clock.now());
    return json(200, { enabled: body.enabled });
  },
});
