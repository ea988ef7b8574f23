import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { publicDeployment } from '../core/deploy/public-view.ts';
import { deployProgressMessage, rcaMessage, type SlackReply } from '../core/slack/messages.ts';
import { logger } from '../observability.ts';
import { wiring } from '../wiring.ts';
import { deploymentStore } from '../wiring/deployment-store.ts';
import { rcaStore } from '../wiring/rca.ts';
import { alertPipeline, alertStore } from '../wiring/alerts.ts';
import { rcaNotification } from '../core/rca/notification.ts';
import { slackFollowUps } from '../wiring/slack.ts';

const Done = z.union([z.object({ rcaId: z.string().min(1).max(128) }), z.object({ deploymentId: z.string().min(1).max(128) })]);

/**
 * RcaCompleted → the report, in the conversation of the incident it was made for (when there is
 * one), and posted to the Slack `response_url` of whoever asked with
 * `/fleet diagnose` (or the Run RCA button); DeploymentSucceeded/Failed → the final per-wave
 * progress, to whoever ran `/fleet deploy`. The follow-up is claimed by a conditional delete, so
 * a redelivered event posts nothing twice; a failed post is retried by EventBridge once the claim
 * is given back.
 */
async function messageFor(done: z.infer<typeof Done>): Promise<SlackReply | undefined> {
  if ('rcaId' in done) {
    const record = await rcaStore().get(done.rcaId);
    return record && rcaMessage({ id: record.id, status: record.status, ...(record.report ? { report: record.report } : {}) });
  }
  const view = await deploymentStore().get(done.deploymentId);
  return view && deployProgressMessage(publicDeployment(view), view.record.release);
}

const ForIncident = z.object({ rcaId: z.string().min(1).max(128), incidentId: z.string().min(1).max(128) });

/** An automatic RCA's report joins its incident's conversation (where the incident was announced), once. */
async function postToIncident(done: z.infer<typeof ForIncident>, now: Date): Promise<number> {
  const { followUps } = slackFollowUps();
  const subject = `rca-incident#${done.rcaId}`;
  if (!(await followUps.once(subject, now))) return 0;
  try {
    const [record, incident] = await Promise.all([rcaStore().get(done.rcaId), alertStore().getIncident(done.incidentId)]);
    if (!record?.report || !incident) return 0;
    return await alertPipeline().postToIncident(incident.id, rcaNotification(incident, { id: record.id, report: record.report }));
  } catch (error) {
    await followUps.forget(subject);
    throw error;
  }
}

export const handler = middy(async (event: EventBridgeEvent<string, unknown>) => {
  const detail = Done.safeParse(event.detail);
  if (!detail.success) return { posted: 0 };
  const forIncident = ForIncident.safeParse(event.detail);
  if (forIncident.success) await postToIncident(forIncident.data, wiring().clock.now());
  const subject = 'rcaId' in detail.data ? `rca#${detail.data.rcaId}` : `deploy#${detail.data.deploymentId}`;
  const { followUps, responder } = slackFollowUps();
  const now = wiring().clock.now();
  const waiting = await followUps.claim(subject, now);
  if (waiting.length === 0) return { posted: 0 };
  const message = await messageFor(detail.data);
  if (!message) return { posted: 0 };
  let posted = 0;
  for (const followUp of waiting) {
    try {
      await responder.post(followUp.responseUrl, message);
      posted++;
    } catch (error) {
      // Put it back for the retry, then let EventBridge retry the event.
      await followUps.add(followUp, now);
      logger.warn('could not post a delayed answer to Slack', { subject, error: (error as Error).message });
      throw error;
    }
  }
  return { posted };
}).use(injectLambdaContext(logger, { resetKeys: true }));
