import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../observability.ts';
import { rcaStore } from '../wiring/rca.ts';

/** The workflow's catch-all: the RCA is marked FAILED with a reason (never left RUNNING). */
export const handler = middy(async (input: { rcaId: string; error?: { Error?: string; Cause?: string } }) => {
  const reason = `${input.error?.Error ?? 'Error'}: ${(input.error?.Cause ?? '').slice(0, 300)}`;
  await rcaStore().fail(input.rcaId, reason, new Date());
  logger.error('rca failed', { rcaId: input.rcaId, reason });
  return { rcaId: input.rcaId, status: 'FAILED' };
}).use(injectLambdaContext(logger, { resetKeys: true }));
