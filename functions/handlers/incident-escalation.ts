import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../observability.ts';
import { alertPipeline, alertStore } from '../wiring/alerts.ts';

/**
 * Scheduled every minute: escalates open incidents whose `escalateAt` has passed without an ack,
 * and finishes notifications left pending by a failed or crashed sender (their lease expired).
 * Both are conditional state changes, so overlapping runs act on each incident once.
 */
export const handler = middy(async () => {
  const now = Date.now();
  const since = new Date(now - 86_400_000);
  const [open, acknowledged, resolved] = await Promise.all(
    (['open', 'acknowledged', 'resolved'] as const).map((status) => alertStore().incidents.listByStatus(status, { limit: 500, ...(status === 'open' ? {} : { since }) })),
  );
  const items = open.items;
  const due = items.filter((incident) => incident.escalateAt && Date.parse(incident.escalateAt) <= now);
  let escalated = 0;
  let failed = 0;
  let recovered = 0;
  for (const incident of [...open.items, ...acknowledged.items, ...resolved.items].filter((i) => i.pending)) {
    try {
      if (await alertPipeline().recoverPending(incident.id)) recovered++;
    } catch (error) {
      failed++;
      logger.error('pending delivery failed again', { incidentId: incident.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  for (const incident of due) {
    try {
      if (await alertPipeline().escalate(incident.id)) escalated++;
    } catch (error) {
      // One incident's failed page must not stop the others' escalation.
      failed++;
      logger.error('escalation failed', { incidentId: incident.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  logger.info('escalation sweep', { open: items.length, due: due.length, escalated, recovered, failed });
  if (failed) throw new Error(`${failed} escalation(s) failed`);
  return { open: items.length, due: due.length, escalated, recovered };
}).use(injectLambdaContext(logger, { resetKeys: true }));
