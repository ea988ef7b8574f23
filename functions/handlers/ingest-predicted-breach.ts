import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { predictedBreachAlert } from '../core/cost/capacity.ts';
import { logger } from '../observability.ts';
import { PredictedBreachDetail } from '../schemas/cost.ts';
import { alertPipeline } from '../wiring/alerts.ts';

/**
 * EventBridge target for `PredictedBreach`: a container's memory forecast to reach its limit (firing) or
 * no longer (resolved), as one alert of type PredictedBreach. Malformed events are logged and dropped; a
 * failed delivery throws so EventBridge retries.
 */
export const handler = middy(async (event: EventBridgeEvent<string, unknown>) => {
  const detail = PredictedBreachDetail.safeParse(event.detail);
  if (!detail.success) {
    logger.warn('dropping malformed PredictedBreach event', { id: event.id, issues: detail.error.issues.length });
    return { received: 0, incidents: [] };
  }
  return alertPipeline().ingest([predictedBreachAlert(detail.data)]);
}).use(injectLambdaContext(logger, { resetKeys: true }));
