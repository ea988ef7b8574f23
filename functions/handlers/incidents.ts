import { publicIncident } from '../core/alerts/messages.ts';
import { isDeliveryFailure } from '../core/alerts/pipeline.ts';
import { NotFoundError } from '../core/errors.ts';
import { INCIDENTS_ROUTES } from '../definitions/routes/incidents.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json, noContent } from '../http/responses.ts';
import { alertPipeline, alertStore } from '../wiring/alerts.ts';
import { incidentQueries } from '../wiring/incidents.ts';

export const handler = httpHandler(INCIDENTS_ROUTES, {
  listIncidents: async ({ query }) =>
    json(200, { items: (await incidentQueries().list({ ...(query.status ? { status: query.status } : {}) })).map(publicIncident) }),
  getIncident: async ({ params }) => {
    const incident = await alertStore().incidents.get(params.id);
    if (!incident) throw new NotFoundError(`Incident ${params.id} not found`);
    return json(200, publicIncident(incident));
  },
  acknowledgeIncident: async ({ params }) => {
    try {
      return json(200, publicIncident(await alertPipeline().acknowledge(params.id)));
    } catch (error) {
      // The ack is stored; only its notification failed (kept in the incident's outbox).
      if (!isDeliveryFailure(error)) throw error;
      const incident = await alertStore().incidents.get(params.id);
      if (!incident) throw error;
      return json(200, publicIncident(incident));
    }
  },
  createSilence: async ({ body }) => {
    const silence = await alertStore().silences.create({ ...body, startsAt: body.startsAt ?? new Date().toISOString() });
    alertPipeline().invalidateSilences();
    return json(201, silence);
  },
  listSilences: async () => json(200, { items: await alertStore().silences.list(new Date()) }),
  deleteSilence: async ({ params }) => {
    await alertStore().silences.delete(params.id);
    alertPipeline().invalidateSilences();
    return noContent();
  },
});
