import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { idempotentStep } from '../idempotency.ts';
import { logger, metrics } from '../observability.ts';
import { metricPull } from '../wiring/metrics.ts';
import { pullClusterSide } from '../wiring/cluster-side-pull.ts';
import { pullCosts } from '../wiring/cost-pull.ts';
import { recordClusterHealth } from '../wiring/fleet.ts';

/** Map step of metric-pull.asl.json: pulls and scores one batch of clusters. One cluster's failure is reported, not thrown. */
/** A retried Map iteration whose batch already finished returns the stored results (Step Functions retries at least once). */
const pullBatch = idempotentStep('pull-metrics', async (batch: { pullId: string; at: string; clusterIds: string[] }) => {
  // Kubernetes state (and the mesh graph) is read beside the metrics: neither waits for or fails the other.
  // Cost allocation (nodes' prices split over containers) runs beside them too (issue 22).
  const [results, clusterSide, cost] = await Promise.all([metricPull().pullBatch(batch), pullClusterSide(batch), pullCosts(batch)]);
  for (const e of cost.errors) logger.warn('cost allocation failed', e);
  // After metrics and kube-state: the health score needs the services' signals and the nodes (issue 24).
  const health = await recordClusterHealth(batch, results);
  for (const e of health.errors) logger.warn('cluster health failed', e);
  for (const result of results) {
    if (result.error) logger.warn('cluster pull failed', { clusterId: result.clusterId, error: result.error });
  }
  metrics.addMetric(
    'ServicesScored',
    MetricUnit.Count,
    results.reduce((n, r) => n + r.services, 0),
  );
  metrics.addMetric(
    'AnomaliesFound',
    MetricUnit.Count,
    results.reduce((n, r) => n + r.anomalies, 0),
  );
  metrics.addMetric('ClusterPullErrors', MetricUnit.Count, results.filter((r) => r.error).length);
  logger.info('batch pulled', {
    pullId: batch.pullId,
    clusters: results.length,
    anomalies: results.reduce((n, r) => n + r.anomalies, 0),
    ...clusterSide,
    costClusters: cost.costClusters,
    costErrors: cost.costErrors,
    healthScored: health.scored,
    healthDegraded: health.fired,
    healthRecovered: health.resolved,
  });
  // The signals read stay out of the workflow's output (Step Functions caps a state's payload at 256 KB).
  return { pullId: batch.pullId, results: results.map(({ series: _series, environment: _environment, ...rest }) => rest) };
});

export const handler = middy(pullBatch)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
