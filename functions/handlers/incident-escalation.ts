import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../observability.ts';
import { alertPipeline, alertStore } from '../wiring/alerts.ts';

/**
 * Scheduled every minute: escalates open incidents whose `escalateAt` has passed without an ack.
 * `escalate` is a conditional state change, so overlapping runs escalate each incident once.
 */
export const handler = middy(async () => {
  const now = Date.now();
  const { items } = await alertStore().incidents.listByStatus('open', { limit: 500 });
  const due = items.filter((incident) => incident.escalateAt && Date.parse(incident.escalateAt) <= now);
  let escalated = 0;
  let failed = 0;
  for (const incident of due) {
    try {
      if (await alertPipeline().escalate(incident.id)) escalated++;
    } catch (error) {
      // One incident's failed page must not stop the others' escalation.
      failed++;
      logger.error('escalation failed', { incidentId: incident.id, error: error instanceof Error ? error.message : String(error) });
    }
  }
  logger.info('escalation sweep', { open: items.length, due: due.length, escalated, failed });
  if (failed) throw new Error(`${failed} escalation(s) failed`);
  return { open: items.length, due: due.length, escalated };
}).use(injectLambdaContext(logger, { resetKeys: true }));
