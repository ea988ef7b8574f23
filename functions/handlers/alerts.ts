import { normalizeAlertmanager, normalizeRequest } from '../core/alerts/normalize.ts';
import { isDeliveryFailure } from '../core/alerts/pipeline.ts';
import { AppError } from '../core/errors.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { httpHandler } from '../http/http-handler.ts';
import { metrics } from '../observability.ts';
import { json } from '../http/responses.ts';
import { alertPipeline } from '../wiring/alerts.ts';
import type { NormalizedAlert } from '../core/alerts/types.ts';

/** The state change is stored; a notification failed. retry-later (503) makes Alertmanager (and other senders) retry. */
class NotificationPendingError extends AppError {
  constructor() {
    super('retry-later', 'NOTIFICATION_PENDING', 'The alerts were recorded but a notification could not be delivered yet; retry the request');
  }
}

async function ingest(alerts: NormalizedAlert[]) {
  metrics.addMetric('AlertsReceived', MetricUnit.Count, alerts.length);
  try {
    const result = await alertPipeline().ingest(alerts);
    metrics.publishStoredMetrics();
    return json(202, result);
  } catch (error) {
    if (isDeliveryFailure(error)) throw new NotificationPendingError();
    throw error;
  }
}

export const handler = httpHandler({
  ingestAlertmanager: async ({ body }) => ingest(normalizeAlertmanager(body, new Date())),
  ingestAlert: async ({ body }) => ingest([normalizeRequest(body, new Date())]),
});
