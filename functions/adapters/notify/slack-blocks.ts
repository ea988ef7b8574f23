import type { NotificationMessage } from '../../ports.ts';
import { safe } from '../../core/slack/mrkdwn.ts';
import { truncate } from './http.ts';

const ICON: Record<NotificationMessage['severity'], string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':white_circle:',
};

/**
 * Block Kit message with a plain `text` fallback (notifications and screen readers use it). Every
 * string of the message is untrusted (alert titles, log excerpts, model answers): all of it goes
 * through the one Slack escaping path (`safe`), the fallback text and the header included.
 */
export function slackMessage(message: NotificationMessage): { text: string; blocks: unknown[] } {
  const icon = message.status === 'resolved' ? ':white_check_mark:' : ICON[message.severity];
  const text = `${icon} [${message.severity.toUpperCase()}] ${safe(message.title, 2900)}`;
  const fields = Object.entries(message.fields ?? {})
    .slice(0, 10)
    .map(([k, v]) => ({ type: 'mrkdwn', text: `*${safe(k, 100)}*\n${safe(v, 1800)}` }));
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: safe(message.title, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: `${icon} ${safe(message.text, 2900)}` } },
  ];
  if (fields.length > 0) blocks.push({ type: 'section', fields });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `*${message.status}* · severity *${message.severity}* · incident \`${safe(message.incidentId, 128)}\`` }],
  });
  const buttons: unknown[] = (message.actions ?? []).slice(0, 4).map((a) => ({
    type: 'button',
    text: { type: 'plain_text', text: safe(a.text, 75) },
    action_id: a.actionId,
    value: truncate(a.value, 2000),
    ...(a.style ? { style: a.style } : {}),
  }));
  if (message.link) buttons.push({ type: 'button', text: { type: 'plain_text', text: 'Open incident' }, url: message.link, action_id: 'open_incident' });
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  return { text, blocks };
}
