import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger, metrics } from '../observability.ts';
import { clusterRegistry } from '../wiring/clusters.ts';

/** Scheduled: probes every registered cluster, marks it active/unreachable, emits ClusterStatusChanged. */
export const handler = middy(async () => {
  const result = await clusterRegistry().checkHealth();
  metrics.addMetric('ClusterStatusChanges', MetricUnit.Count, result.changed.length);
  logger.info('cluster health checked', { checked: result.checked, changed: result.changed });
  return result;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
