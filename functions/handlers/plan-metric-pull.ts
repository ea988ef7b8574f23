import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { randomUUID } from 'node:crypto';
import { planPull, pullIdFor } from '../core/pull/plan.ts';
import { idempotentStep } from '../idempotency.ts';
import { logger } from '../observability.ts';
import { wiring } from '../wiring.ts';
import { clusterStore } from '../wiring/cluster-store.ts';

interface PlanInput {
  /** Set by a schedule tick (EventBridge envelope) or by POST /v1/metrics/pull. */
  'detail-type'?: string;
  time?: string;
  pullId?: string;
}

/**
 * First step of metric-pull.asl.json: active clusters in batches. Unreachable clusters wait for the health check.
 * A retried Plan (same pullId, or the same schedule event id) returns the plan it made the first time.
 */
const plan = idempotentStep(
  'plan-metric-pull',
  async (input: PlanInput = {}) => {
    const at = input.time ? new Date(input.time) : new Date();
    const { FLEETOPS_PULL_INTERVAL_SECONDS: intervalSeconds, FLEETOPS_PULL_BATCH_SIZE: batchSize } = wiring().config;
    const pullId = input.pullId ?? (input['detail-type'] === 'Scheduled Event' ? pullIdFor(at, intervalSeconds) : `pull-${randomUUID()}`);
    const clusters = (await clusterStore().list()).filter((c) => c.status === 'active');
    const plan = planPull(
      clusters.map((c) => c.id),
      { pullId, at, batchSize },
    );
    logger.info('metric pull planned', { pullId, clusters: clusters.length, batches: plan.batches.length });
    return plan;
  },
  { key: 'pullId || id' },
);

export const handler = middy(plan).use(injectLambdaContext(logger, { resetKeys: true }));
