import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { IncidentRecord } from '../core/alerts/ports.ts';
import type { IncidentStatus } from '../core/alerts/types.ts';
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
  const collect = async (status: IncidentStatus, since?: Date) => {
    const out: IncidentRecord[] = [];
    for await (const incident of alertStore().incidents.allByStatus(status, since ? { since } : {})) out.push(incident);
    return out;
  };
  // Every open incident (not just a first page), and the last day of the others for pending deliveries.
  const [open, acknowledged, resolved] = await Promise.all([collect('open'), collect('acknowledged', since), collect('resolved', since)]);
  const due = open.filter((incident) => incident.escalateAt && Date.parse(incident.escalateAt) <= now);
  let escalated = 0;
  let failed = 0;
  let recovered = 0;
  for (const incident of [...open, ...acknowledged, ...resolved].filter((i) => i.pending)) {
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
  logger.info('escalation sweep', { open: open.length, due: due.length, escalated, recovered, failed });
  if (failed) throw new Error(`${failed} escalation(s) failed`);
  return { open: open.length, due: due.length, escalated, recovered };
}).use(injectLambdaContext(logger, { resetKeys: true }));
