/**
 * Text from alerts, clusters, logs, models and users is data. This module is the one escaping path
 * to Slack: every message fleetops sends there (notifier posts, `/fleet` answers, delayed
 * `response_url` answers) renders untrusted text through `escapeMrkdwn` / `safe`.
 *
 * Slack's rules: `&`, `<` and `>` are the only control characters of mrkdwn (`<!channel>`,
 * `<!here>`, `<@U123>`, `<#C123>`, `<!subteam^S1>`, `<url|label>`), so they become `&amp;`,
 * `&lt;`, `&gt;`. On top of that, what Slack may still turn into a ping or a link without angle
 * brackets is defused: bare `@channel`/`@here`/`@everyone` get a word joiner after the `@`, and
 * URLs are defanged (`https[:]//evil[.]example`) so a log line cannot plant a clickable link.
 */
const WORD_JOINER = '\u2060';
const BARE_MENTION = /@(channel|here|everyone)\b/gi;
const URL_LIKE = /\b([a-z][a-z0-9+.-]{1,15}):\/\/([^\s/?#|&;]*)/gi;

export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(BARE_MENTION, `@${WORD_JOINER}$1`)
    .replace(URL_LIKE, (_m, scheme: string, host: string) => `${scheme}[:]//${host.replace(/\./g, '[.]')}`);
}

export function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Escaped and bounded: what every untrusted value goes through before it reaches a Slack message. */
export function safe(text: unknown, max = 500): string {
  return truncateText(escapeMrkdwn(String(text ?? '')), max);
}
