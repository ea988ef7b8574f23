import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { AppliedStep, ClusterStep } from '../core/deploy/deployer.ts';
import { logger } from '../observability.ts';
import { deployer } from '../wiring/deploy.ts';

type StepInput =
  | { step: 'plan'; deploymentId: string }
  | { step: 'startWave'; deploymentId: string; waveIndex: number }
  | ({ step: 'checkRollout' } & AppliedStep)
  | ({ step: 'verify' } & AppliedStep & { verifyUntil: number })
  | ({ step: 'markFailed'; error?: { Error?: string; Cause?: string } } & ClusterStep)
  | { step: 'finishWave'; deploymentId: string; waveIndex: number }
  | { step: 'failDeployment'; deploymentId: string; waveIndex: number };

/** The deploy workflow's steps that need no helm (ARM64, no layer); `step` says which. */
export const handler = middy(async (input: StepInput) => {
  const d = deployer('steps');
  logger.appendKeys({ deploymentId: input.deploymentId });
  switch (input.step) {
    case 'plan':
      return d.plan(input.deploymentId);
    case 'startWave':
      return d.startWave(input.deploymentId, input.waveIndex);
    case 'checkRollout':
      return d.checkRollout(input);
    case 'verify':
      return d.verify(input);
    case 'markFailed': {
      const reason = `${input.error?.Error ?? 'Error'}: ${(input.error?.Cause ?? '').slice(0, 300)}`;
      await d.markFailed({ deploymentId: input.deploymentId, waveIndex: input.waveIndex, clusterId: input.clusterId }, reason);
      return { deploymentId: input.deploymentId, waveIndex: input.waveIndex, clusterId: input.clusterId, state: 'failed' };
    }
    case 'finishWave':
      return d.finishWave(input.deploymentId, input.waveIndex);
    case 'failDeployment': {
      const result = await d.failDeployment(input.deploymentId, input.waveIndex);
      logger.warn('deployment failed', { message: result.message });
      return result;
    }
    default:
      throw new Error(`Unknown deploy step ${(input as { step: string }).step}`);
  }
}).use(injectLambdaContext(logger, { resetKeys: true }));
