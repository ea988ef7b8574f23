import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SeriesRef } from '../core/pull/records.ts';
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
  const since = new Date(Date.now() - 86_400_000);
  // Every series of every cluster, each cluster's index read to the end: none is left untrained.
  const series: SeriesRef[] = [];
  for (const cluster of await clusterStore().list()) series.push(...(await metricsStore().seriesSince(cluster.id, since)));
  let trained = 0;
  for (const ref of series) {
    try {
      const result = await trainer.trainSeries(ref);
      if (result.trained.length) trained++;
    } catch (error) {
      logger.error('training failed', { ...ref, error: error instanceof Error ? error.message : String(error) });
    }
  }
  logger.info('models trained', { series: series.length, trained });
  return { series: series.length, trained };
}).use(injectLambdaContext(logger, { resetKeys: true }));
