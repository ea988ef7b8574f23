import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { deploymentsForPush } from '../core/deploy/triggers.ts';
import { logger } from '../observability.ts';
import { EcrImageActionDetail } from '../schemas/deployments.ts';
import { apiDeployer } from '../wiring/deploy-api.ts';
import { deploymentStore } from '../wiring/deployment-store.ts';

/**
 * EventBridge target for ECR image pushes: each configured trigger for the repository (and tag
 * prefix) starts a deployment whose id comes from the event id, so a redelivery starts nothing new.
 * A malformed event is dropped; a failure throws, so EventBridge retries.
 */
export const handler = middy(async (event: EventBridgeEvent<string, unknown>) => {
  const detail = EcrImageActionDetail.safeParse(event.detail);
  if (!detail.success || detail.data['action-type'] !== 'PUSH' || detail.data.result !== 'SUCCESS' || !detail.data['image-tag']) {
    logger.info('ignoring ECR event', { id: event.id });
    return { deployments: [] };
  }
  const push = { eventId: event.id, account: event.account, region: event.region, repository: detail.data['repository-name'], tag: detail.data['image-tag'] };
  const planned = deploymentsForPush(push, await deploymentStore().listTriggers());
  const ids: string[] = [];
  for (const p of planned) {
    const { id } = await apiDeployer().create({
      id: p.id,
      trigger: p.trigger,
      release: p.release,
      namespace: p.namespace,
      chart: p.chart,
      values: p.values,
      waves: p.waves,
      strategy: p.strategy,
    });
    ids.push(id);
  }
  logger.info('image push handled', { repository: push.repository, tag: push.tag, deployments: ids });
  return { deployments: ids };
}).use(injectLambdaContext(logger, { resetKeys: true }));
