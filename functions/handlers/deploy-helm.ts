import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ClusterStep } from '../core/deploy/deployer.ts';
import { logger } from '../observability.ts';
import { deployer } from '../wiring/deploy.ts';

/** The deploy workflow's helm steps: x86-64 with the helm/kubectl layer (/opt/helm/helm). */
export const handler = middy(async (input: ClusterStep & { action: 'apply' | 'rollback' }) => {
  logger.appendKeys({ deploymentId: input.deploymentId, clusterId: input.clusterId });
  const step = { deploymentId: input.deploymentId, waveIndex: input.waveIndex, clusterId: input.clusterId };
  if (input.action === 'rollback') {
    const result = await deployer('helm').rollback(step);
    logger.info('release rolled back', { rolledBack: result.rolledBack });
    return result;
  }
  const result = await deployer('helm').apply(step);
  if (result.outcome === 'failed') logger.warn('helm upgrade failed', { reason: result.reason });
  else logger.info('helm upgrade applied', { revision: result.revision });
  return result;
}).use(injectLambdaContext(logger, { resetKeys: true }));
