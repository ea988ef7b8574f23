/**
 * Text from alerts, clusters and users is data: in Slack mrkdwn, `<`, `>` and `&` are the only
 * control characters (`<!channel>`, `<@U123>`, `<url|label>`), so escaping them keeps hostile
 * text from pinging a channel, mentioning users or disguising links.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Escaped and bounded: what every user-supplied value goes through before it reaches a block. */
export function safe(text: unknown, max = 500): string {
  return truncateText(escapeMrkdwn(String(text ?? '')), max);
}
