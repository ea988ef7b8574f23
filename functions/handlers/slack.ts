import { ValidationError } from '../core/errors.ts';
import { runFleetCommand, runSlackAction, type SlackActor } from '../core/slack/dispatch.ts';
import { SLACK_ROUTES } from '../definitions/routes/slack.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json } from '../http/responses.ts';
import { logger } from '../observability.ts';
import { SlackBlockActions } from '../schemas/slack.ts';
import { slackPolicy, slackPorts, slackRequester } from '../wiring/slack.ts';

/** `/fleet` slash commands and message buttons. The signature was checked by the middleware. */
export const handler = httpHandler(SLACK_ROUTES, {
  slackCommands: async ({ body }) => {
    const actor: SlackActor = {
      userId: body.user_id,
      userName: body.user_name,
      ...(body.team_id ? { teamId: body.team_id } : {}),
      ...(body.channel_id ? { channelId: body.channel_id } : {}),
      ...(body.is_enterprise_install === 'true' ? { enterpriseInstall: true } : {}),
    };
    logger.info('slack command', {
      slackTeam: actor.teamId,
      slackUser: actor.userId,
      slackUserName: actor.userName,
      subcommand: body.text.trim().split(/\s+/)[0]?.slice(0, 20),
    });
    return json(200, await runFleetCommand(body.text, await slackRequester(actor), slackPorts(), slackPolicy(), body.response_url));
  },
  slackInteractions: async ({ body }) => {
    let payload: unknown;
    try {
      payload = JSON.parse(body.payload);
    } catch {
      throw new ValidationError('payload is not valid JSON', undefined, 'INVALID_JSON');
    }
    const parsed = SlackBlockActions.safeParse(payload);
    if (!parsed.success) throw new ValidationError('Unsupported Slack interaction payload', undefined, 'UNSUPPORTED_INTERACTION');
    const { user, team, channel, actions, response_url: responseUrl } = parsed.data;
    const actor: SlackActor = {
      userId: user.id,
      userName: user.username ?? user.name ?? user.id,
      ...(team?.id ? { teamId: team.id } : {}),
      ...(user.team_id ? { userTeamId: user.team_id } : {}),
      ...(channel?.id ? { channelId: channel.id } : {}),
      ...(parsed.data.is_enterprise_install ? { enterpriseInstall: true } : {}),
      ...(user.is_restricted || user.is_ultra_restricted ? { restricted: true } : {}),
    };
    const action = actions[0]!;
    logger.info('slack action', { slackTeam: actor.teamId, slackUser: actor.userId, slackUserName: actor.userName, actionId: action.action_id });
    const reply = await runSlackAction(
      { actionId: action.action_id, value: action.value },
      await slackRequester(actor),
      slackPorts(),
      slackPolicy(),
      responseUrl,
    );
    return json(200, { replace_original: false, ...reply });
  },
});
