import * as z from 'zod';

/** A slash command as Slack posts it (application/x-www-form-urlencoded). Unknown fields are kept out. */
export const SlackCommandForm = z
  .object({
    command: z.string().max(64),
    text: z.string().max(4000).default(''),
    user_id: z.string().min(1).max(64),
    user_name: z.string().max(256).default(''),
    team_id: z.string().max(64).optional(),
    enterprise_id: z.string().max(64).optional(),
    /** `true` for an org-wide (Enterprise Grid) install. */
    is_enterprise_install: z.string().max(8).optional(),
    channel_id: z.string().max(64).optional(),
    response_url: z.string().max(2048).optional(),
    trigger_id: z.string().max(256).optional(),
  })
  .meta({ id: 'SlackCommand', description: 'Slack slash command payload (form-encoded)' });

/** Interactive payloads arrive as `payload=<JSON>` in a form body. */
export const SlackInteractionForm = z
  .object({
    payload: z
      .string()
      .min(2)
      .max(64 * 1024),
  })
  .meta({ id: 'SlackInteraction', description: 'Slack interaction payload (form-encoded `payload` JSON)' });

export const SlackBlockActions = z.object({
  type: z.literal('block_actions'),
  user: z.object({
    id: z.string().min(1).max(64),
    username: z.string().max(256).optional(),
    name: z.string().max(256).optional(),
    /** The user's own workspace: differs from `team.id` for Slack Connect users. */
    team_id: z.string().max(64).optional(),
    is_restricted: z.boolean().optional(),
    is_ultra_restricted: z.boolean().optional(),
  }),
  team: z
    .object({ id: z.string().max(64) })
    .nullable()
    .optional(),
  is_enterprise_install: z.boolean().optional(),
  channel: z.object({ id: z.string().max(64) }).optional(),
  response_url: z.string().max(2048).optional(),
  actions: z
    .array(z.object({ action_id: z.string().max(255), value: z.string().max(2000).default('') }))
    .min(1)
    .max(5),
});

export const SlackReplySchema = z
  .object({ response_type: z.enum(['ephemeral', 'in_channel']), text: z.string(), blocks: z.array(z.unknown()).optional() })
  .meta({ id: 'SlackReply' });
