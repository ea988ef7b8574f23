import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from '../observability.ts';
import { scorecardService } from '../wiring/scorecards.ts';
import { wiring } from '../wiring.ts';

/** Time kept back from the Lambda's budget for the last batch in flight. */
const RESERVE_MS = 60_000;
/** Locally (no Lambda deadline) one run takes at most this long. */
const LOCAL_BUDGET_MS = 120_000;

/** Schedule target: recomputes stale scorecards, stalest first, until the budget is spent; the next run goes on. */
export const handler = middy(async (_event: unknown, context: Context) => {
  const now = wiring().clock.now().getTime();
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : LOCAL_BUDGET_MS;
  const result = await scorecardService().refresh({ deadline: new Date(now + Math.max(0, remaining - RESERVE_MS)) });
  logger.info('scorecards refreshed', result);
  return result;
}).use(injectLambdaContext(logger, { resetKeys: true }));
