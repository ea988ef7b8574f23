import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoTrainingCursorStore } from '../adapters/aws/dynamodb/training-cursor-store.ts';
import type { SeriesRef } from '../core/pull/records.ts';
import { ModelTrainer } from '../core/pull/training.ts';
import { runTrainingBatch } from '../core/pull/training-run.ts';
import { logger } from '../observability.ts';
import { wiring } from '../wiring.ts';
import { clusterStore } from '../wiring/cluster-store.ts';
import { metricsStore } from '../wiring/metrics-store.ts';

/** Left for the last batch's writes and the continuation event, out of the function's timeout (at most a tenth of it). */
const MARGIN_MS = 60_000;
/** Without a Lambda context (local stack, tests): one invocation's budget. */
const LOCAL_BUDGET_MS = 10 * 60_000;

/**
 * Scheduled, and continued through the bus: retrains the Isolation Forest and the tfjs autoencoder of
 * every series seen in the last day, in bounded batches with a cursor in DynamoDB (core/pull/training-run.ts).
 * When the time left would not fit another batch, it publishes `TrainingContinue` and the next
 * invocation resumes after the cursor. A failed series is logged; the pull keeps its previous model.
 */
export const handler = middy(async (_event: unknown, context?: Context) => {
  const base = wiring();
  const trainer = new ModelTrainer({ store: metricsStore(), clock: base.clock });
  const remainingMs = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : LOCAL_BUDGET_MS;
  const result = await runTrainingBatch({
    store: new DynamoTrainingCursorStore({ client: base.documentClient, tableName: base.config.TABLE_NAME }),
    listSeries: async () => {
      // Every series of every cluster, each cluster's index read to the end: none is left untrained.
      const since = new Date(Date.now() - 86_400_000);
      const series: SeriesRef[] = [];
      for (const cluster of await clusterStore().list()) series.push(...(await metricsStore().seriesSince(cluster.id, since)));
      return series;
    },
    train: async (ref) => (await trainer.trainSeries(ref)).trained.length > 0,
    now: () => Date.now(),
    deadline: Date.now() + remainingMs - Math.min(MARGIN_MS, remainingMs / 10),
    concurrency: 2,
    batchSize: 8,
    perSeriesEstimateMs: 5_000,
    onError: (ref, error) => logger.error('training failed', { ...ref, error: error instanceof Error ? error.message : String(error) }),
  });
  if (result.status === 'continue') {
    await base.events.publish([
      {
        source: 'fleetops.training',
        detailType: 'TrainingContinue',
        detail: { runId: result.runId, after: result.cursor.after, remaining: result.remaining },
        id: `${result.runId}#${result.cursor.version}`,
      },
    ]);
  }
  logger.info('models trained', { ...result, cursor: undefined });
  return result.status === 'busy'
    ? result
    : {
        status: result.status,
        runId: result.runId,
        processed: result.processedNow,
        trained: result.trainedNow,
        failed: result.failedNow,
        remaining: result.remaining,
      };
}).use(injectLambdaContext(logger, { resetKeys: true }));
