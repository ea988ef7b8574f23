import type { NotificationMessage, Notifier } from '../../ports.ts';
import { NotifyError, postJsonOnce, withRetry, type HttpOptions } from './http.ts';
import { slackMessage } from './slack-blocks.ts';

export interface SlackChatOptions extends HttpOptions {
  /** Bot token (xoxb-...): a secret, only ever sent in the Authorization header. */
  token: string;
  /** Used when the routed message names no channel. */
  defaultChannel: string;
  /** Default https://slack.com/api */
  baseUrl?: string;
}

/** Slack errors that mean "try again later"; every other `ok:false` is our request's fault. */
const RETRYABLE = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** `chat.postMessage` with a bot token; Slack answers 200 with `{ok, error?}`. */
export class SlackChatNotifier implements Notifier {
  readonly kind = 'slack';
  readonly #options: SlackChatOptions;

  constructor(options: SlackChatOptions) {
    this.#options = options;
  }

  async send(message: NotificationMessage): Promise<void> {
    const url = `${(this.#options.baseUrl ?? 'https://slack.com/api').replace(/\/$/, '')}/chat.postMessage`;
    const body = { channel: message.channel ?? this.#options.defaultChannel, ...slackMessage(message), unfurl_links: false };
    await withRetry('slack-chat', this.#options, async (signal) => {
      const response = await postJsonOnce('slack-chat', url, body, signal, {
        fetch: this.#options.fetch,
        headers: { authorization: `Bearer ${this.#options.token}` },
      });
      let parsed: { ok?: boolean; error?: string };
      try {
        parsed = JSON.parse(response.text) as { ok?: boolean; error?: string };
      } catch {
        throw new NotifyError('slack-chat', 'answered with a non-JSON body', { status: response.status, retryable: true });
      }
      if (!parsed.ok) {
        const code = String(parsed.error ?? 'unknown_error')
          .replace(/[^a-z0-9_]/gi, '')
          .slice(0, 64);
        throw new NotifyError('slack-chat', `chat.postMessage failed: ${code}`, { status: response.status, retryable: RETRYABLE.has(code) });
      }
    });
  }
}
