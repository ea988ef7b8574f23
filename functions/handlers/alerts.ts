import { createHash } from 'node:crypto';
import { normalizeAlertmanager, normalizeRequest } from '../core/alerts/normalize.ts';
import { isDeliveryFailure } from '../core/alerts/pipeline.ts';
import { AppError, ForbiddenError } from '../core/errors.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ALERTS_ROUTES } from '../definitions/routes/alerts.ts';
import { httpHandler } from '../http/http-handler.ts';
import { metrics } from '../observability.ts';
import { json } from '../http/responses.ts';
import { alertPipeline } from '../wiring/alerts.ts';
import type { NormalizedAlert } from '../core/alerts/types.ts';
import { mayPostAlertmanager } from '../core/identity/credentials.ts';

/** The state change is stored; a notification failed. retry-later (503) makes Alertmanager (and other senders) retry. */
class NotificationPendingError extends AppError {
  constructor() {
    super('retry-later', 'NOTIFICATION_PENDING', 'The alerts were recorded but a notification could not be delivered yet; retry the request');
  }
}

async function ingest(alerts: NormalizedAlert[], deliveryId?: string) {
  metrics.addMetric('AlertsReceived', MetricUnit.Count, alerts.length);
  try {
    const result = await alertPipeline().ingest(alerts, deliveryId ? { deliveryId } : {});
    metrics.publishStoredMetrics();
    return json(202, result);
  } catch (error) {
    if (isDeliveryFailure(error)) throw new NotificationPendingError();
    throw error;
  }
}

export const handler = httpHandler(ALERTS_ROUTES, {
  // Alertmanager retries a webhook with the same payload: its hash identifies the delivery.
  ingestAlertmanager: async ({ body, identity }) => {
    // Stored as source `alertmanager`: only an Alertmanager's ingest credential may send them (humans and the bootstrap token by role).
    if (identity.kind === 'ingest' && !mayPostAlertmanager(identity.source)) {
      throw new ForbiddenError(
        `This ingest credential posts alerts for source ${identity.source} only, not Alertmanager webhooks (those need a credential for source alertmanager or alertmanager-<name>)`,
        'WRONG_SOURCE',
      );
    }
    return ingest(normalizeAlertmanager(body, new Date()), createHash('sha256').update(JSON.stringify(body)).digest('base64url'));
  },
  ingestAlert: async ({ body, identity }) => {
    // An ingest credential speaks for the one source it was issued to.
    if (identity.kind === 'ingest' && body.source !== identity.source) {
      throw new ForbiddenError(`This ingest credential posts alerts for source ${identity.source} only`, 'WRONG_SOURCE');
    }
    return ingest([normalizeRequest(body, new Date())]);
  },
});
