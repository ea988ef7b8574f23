import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { ModelTrainer } from '../core/pull/training.ts';
import { logger } from '../observability.ts';
import { wiring } from '../wiring.ts';
import { clusterStore } from '../wiring/cluster-store.ts';
import { metricsStore } from '../wiring/metrics-store.ts';

/**
 * Scheduled: retrains the Isolation Forest and the tfjs autoencoder of every series seen in the
 * last day. Series are trained one after another to bound memory; a failure is logged and the
 * next series goes on (the pull keeps the previous model version).
 */
export const handler = middy(async () => {
  const trainer = new ModelTrainer({ store: metricsStore(), clock: wiring().clock });
  const since = new Date(Date.now() - 86_400_000).toISOString();
  const clusterIds = (await clusterStore().list()).map((c) => c.id);
  const recent = await metricsStore().listAnomalies({ clusterIds, limit: 1000 });
  const series = new Map<string, { clusterId: string; namespace: string; service: string }>();
  for (const r of recent) if (r.at >= since) series.set(`${r.clusterId}#${r.namespace}#${r.service}`, { clusterId: r.clusterId, namespace: r.namespace, service: r.service });
  let trained = 0;
  for (const ref of series.values()) {
    try {
      const result = await trainer.trainSeries(ref);
      if (result.trained.length) trained++;
    } catch (error) {
      logger.error('training failed', { ...ref, error: error instanceof Error ? error.message : String(error) });
    }
  }
  logger.info('models trained', { series: series.size, trained });
  return { series: series.size, trained };
}).use(injectLambdaContext(logger, { resetKeys: true }));
