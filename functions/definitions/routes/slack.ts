import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { SlackCommandForm, SlackInteractionForm, SlackReplySchema } from '../../schemas/slack.ts';
import { ErrorResponse } from '../../schemas/common.ts';
import { badRequest } from './responses.ts';

/** The routes served by functions/handlers/slack.ts (see ../routes.ts for the whole table). */
export const SLACK_ROUTES = {
  slackCommands: defineRoute({
    method: 'POST',
    path: '/v1/slack/commands',
    handler: 'slack',
    auth: 'slack',
    summary: 'The `/fleet` slash command (Slack signature v0, 5-minute window, replays refused)',
    tags: ['slack'],
    body: SlackCommandForm,
    bodyFormat: 'form',
    maxBodyBytes: 16 * 1024,
    responses: {
      200: { description: 'Slack message', schema: SlackReplySchema },
      ...badRequest,
      401: { description: 'Bad or missing Slack signature', schema: ErrorResponse },
    },
  }),
  slackInteractions: defineRoute({
    method: 'POST',
    path: '/v1/slack/interactions',
    handler: 'slack',
    auth: 'slack',
    summary: 'Buttons on fleetops messages: acknowledge, run RCA, silence 1h, approve or reject healing',
    tags: ['slack'],
    body: SlackInteractionForm,
    bodyFormat: 'form',
    maxBodyBytes: 64 * 1024,
    responses: {
      200: { description: 'Slack message', schema: SlackReplySchema },
      ...badRequest,
      401: { description: 'Bad or missing Slack signature', schema: ErrorResponse },
    },
  }),
  // --- Root-cause analysis ---
} satisfies Record<string, RouteDefinition>;
