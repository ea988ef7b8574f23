import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger, metrics } from '../observability.ts';
import { metricPull } from '../wiring/metrics.ts';
import { pullClusterSide } from '../wiring/cluster-side-pull.ts';

/** Map step of metric-pull.asl.json: pulls and scores one batch of clusters. One cluster's failure is reported, not thrown. */
export const handler = middy(async (batch: { pullId: string; at: string; clusterIds: string[] }) => {
  // Kubernetes state (and the mesh graph) is read beside the metrics: neither waits for or fails the other.
  const [results, clusterSide] = await Promise.all([metricPull().pullBatch(batch), pullClusterSide(batch)]);
  for (const result of results) {
    if (result.error) logger.warn('cluster pull failed', { clusterId: result.clusterId, error: result.error });
  }
  metrics.addMetric('ServicesScored', MetricUnit.Count, results.reduce((n, r) => n + r.services, 0));
  metrics.addMetric('AnomaliesFound', MetricUnit.Count, results.reduce((n, r) => n + r.anomalies, 0));
  metrics.addMetric('ClusterPullErrors', MetricUnit.Count, results.filter((r) => r.error).length);
  logger.info('batch pulled', { pullId: batch.pullId, clusters: results.length, anomalies: results.reduce((n, r) => n + r.anomalies, 0), ...clusterSide });
  return { pullId: batch.pullId, results };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
