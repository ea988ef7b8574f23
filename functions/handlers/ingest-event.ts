import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { normalizeAnomaly, normalizeAnomalyResolved, normalizeCloudWatch } from '../core/alerts/normalize.ts';
import { CLUSTER_DELETED_DETAIL_TYPE } from '../core/clusters/cluster-record.ts';
import { clusterHealthAlert } from '../core/fleet/health-alert.ts';
import { CLUSTER_HEALTH_DETAIL_TYPE } from '../core/fleet/health-record.ts';
import { logger } from '../observability.ts';
import { AnomalyDetectedDetail, AnomalyResolvedDetail, CloudWatchAlarmStateChangeDetail } from '../schemas/alerts.ts';
import { ClusterDeletedDetail } from '../schemas/clusters.ts';
import { ClusterHealthDegradedDetail } from '../schemas/fleet.ts';
import { alertPipeline } from '../wiring/alerts.ts';

/**
 * EventBridge target for CloudWatch alarm state changes and our own AnomalyDetected / AnomalyResolved /
 * ClusterHealthDegraded (firing or resolved) events, and ClusterDeleted (its incidents resolve: nothing pulls it now).
 * A malformed event is logged and dropped (retrying it cannot help); a failed delivery throws,
 * so EventBridge retries and finally dead-letters it.
 */
export const handler = middy(async (event: EventBridgeEvent<string, unknown>) => {
  const now = new Date();
  if (event.source === 'aws.cloudwatch') {
    const detail = CloudWatchAlarmStateChangeDetail.safeParse(event.detail);
    if (!detail.success) {
      logger.warn('dropping malformed CloudWatch alarm event', { id: event.id, issues: detail.error.issues.length });
      return { received: 0, incidents: [] };
    }
    const alert = normalizeCloudWatch({ ...event, detail: detail.data } as never, now);
    return alert ? alertPipeline().ingest([alert]) : { received: 0, incidents: [] };
  }
  if (event['detail-type'] === CLUSTER_DELETED_DETAIL_TYPE) {
    const deleted = ClusterDeletedDetail.safeParse(event.detail);
    if (!deleted.success) {
      logger.warn('dropping malformed ClusterDeleted event', { id: event.id, issues: deleted.error.issues.length });
      return { received: 0, incidents: [] };
    }
    const { resolved, deliveryFailures } = await alertPipeline().resolveDeregisteredCluster(deleted.data.name, new Date(deleted.data.at ?? event.time));
    if (deliveryFailures.length) logger.warn('closed incidents whose notification is left to the recovery sweep', { incidents: deliveryFailures });
    return { received: 0, incidents: resolved };
  }
  if (event['detail-type'] === CLUSTER_HEALTH_DETAIL_TYPE) {
    const health = ClusterHealthDegradedDetail.safeParse(event.detail);
    if (!health.success) {
      logger.warn('dropping malformed ClusterHealthDegraded event', { id: event.id, issues: health.error.issues.length });
      return { received: 0, incidents: [] };
    }
    return alertPipeline().ingest([clusterHealthAlert(health.data)]);
  }
  if (event['detail-type'] === 'AnomalyResolved') {
    const resolved = AnomalyResolvedDetail.safeParse(event.detail);
    if (!resolved.success) {
      logger.warn('dropping malformed AnomalyResolved event', { id: event.id, issues: resolved.error.issues.length });
      return { received: 0, incidents: [] };
    }
    return alertPipeline().ingest([normalizeAnomalyResolved(resolved.data)]);
  }
  const detail = AnomalyDetectedDetail.safeParse(event.detail);
  if (!detail.success) {
    logger.warn('dropping malformed AnomalyDetected event', { id: event.id, issues: detail.error.issues.length });
    return { received: 0, incidents: [] };
  }
  return alertPipeline().ingest([normalizeAnomaly(detail.data)]);
}).use(injectLambdaContext(logger, { resetKeys: true }));
