import type { NotificationMessage } from '../../ports.ts';
import { truncate } from './http.ts';

const ICON: Record<NotificationMessage['severity'], string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':white_circle:',
};

/** Block Kit message with a plain `text` fallback (notifications and screen readers use it). */
export function slackMessage(message: NotificationMessage): { text: string; blocks: unknown[] } {
  const icon = message.status === 'resolved' ? ':white_check_mark:' : ICON[message.severity];
  const text = truncate(`${icon} [${message.severity.toUpperCase()}] ${message.title}`, 3000);
  const fields = Object.entries(message.fields ?? {})
    .slice(0, 10)
    .map(([k, v]) => ({ type: 'mrkdwn', text: truncate(`*${k}*\n${v}`, 2000) }));
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(message.title, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`${icon} ${message.text}`, 3000) } },
  ];
  if (fields.length > 0) blocks.push({ type: 'section', fields });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `*${message.status}* · severity *${message.severity}* · incident \`${message.incidentId}\`` }],
  });
  const buttons: unknown[] = (message.actions ?? []).slice(0, 4).map((a) => ({
    type: 'button',
    text: { type: 'plain_text', text: truncate(a.text, 75) },
    action_id: a.actionId,
    value: truncate(a.value, 2000),
    ...(a.style ? { style: a.style } : {}),
  }));
  if (message.link) buttons.push({ type: 'button', text: { type: 'plain_text', text: 'Open incident' }, url: message.link, action_id: 'open_incident' });
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  return { text, blocks };
}
