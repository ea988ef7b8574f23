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
  for (const incident of due) if (await alertPipeline().escalate(incident.id)) escalated++;
  logger.info('escalation sweep', { open: items.length, due: due.length, escalated });
  return { open: items.length, due: due.length, escalated };
}).use(injectLambdaContext(logger, { resetKeys: true }));
