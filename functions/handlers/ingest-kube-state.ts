import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { kubeStateAlert } from '../core/kube-state/alert.ts';
import { logger } from '../observability.ts';
import { KubeStateChangedDetail } from '../schemas/kube-state.ts';
import { alertPipeline } from '../wiring/alerts.ts';

/**
 * EventBridge target for `KubeStateChanged`: a Kubernetes condition (crash loop, OOM kill, image pull,
 * config error, unschedulable pod, stuck rollout, NotReady node) firing or resolved, as one alert.
 * Malformed events are logged and dropped; a failed delivery throws so EventBridge retries.
 */
export const handler = middy(async (event: EventBridgeEvent<string, unknown>) => {
  const detail = KubeStateChangedDetail.safeParse(event.detail);
  if (!detail.success) {
    logger.warn('dropping malformed KubeStateChanged event', { id: event.id, issues: detail.error.issues.length });
    return { received: 0, incidents: [] };
  }
  return alertPipeline().ingest([kubeStateAlert(detail.data)]);
}).use(injectLambdaContext(logger, { resetKeys: true }));
