import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { rcaMessage } from '../core/slack/messages.ts';
import { logger } from '../observability.ts';
import { wiring } from '../wiring.ts';
import { rcaStore } from '../wiring/rca.ts';
import { slackFollowUps } from '../wiring/slack.ts';

const RcaDone = z.object({ rcaId: z.string().min(1).max(128) });

/**
 * RcaCompleted → the report, posted to the Slack `response_url` of whoever asked with
 * `/fleet diagnose` (or the Run RCA button). The follow-up is claimed by a conditional delete, so
 * a redelivered event posts nothing twice; a failed post is retried by EventBridge once the claim
 * is given back.
 */
export const handler = middy(async (event: EventBridgeEvent<string, unknown>) => {
  const detail = RcaDone.safeParse(event.detail);
  if (!detail.success) return { posted: 0 };
  const { followUps, responder } = slackFollowUps();
  const now = wiring().clock.now();
  const waiting = await followUps.claim(`rca#${detail.data.rcaId}`, now);
  if (waiting.length === 0) return { posted: 0 };
  const record = await rcaStore().get(detail.data.rcaId);
  if (!record) return { posted: 0 };
  const message = rcaMessage({ id: record.id, status: record.status, ...(record.report ? { report: record.report } : {}) });
  let posted = 0;
  for (const followUp of waiting) {
    try {
      await responder.post(followUp.responseUrl, message);
      posted++;
    } catch (error) {
      // Put it back for the retry, then let EventBridge retry the event.
      await followUps.add(followUp, now);
      logger.warn('could not post the RCA report to Slack', { rcaId: record.id, error: (error as Error).message });
      throw error;
    }
  }
  return { posted };
}).use(injectLambdaContext(logger, { resetKeys: true }));
