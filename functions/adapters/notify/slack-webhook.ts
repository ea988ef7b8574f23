import type { NotificationMessage, Notifier } from '../../ports.ts';
import { postJsonOnce, withRetry, type HttpOptions } from './http.ts';
import { slackMessage } from './slack-blocks.ts';

export interface SlackWebhookOptions extends HttpOptions {
  /** Incoming webhook URL: a secret (it is the credential). The channel is the webhook's, unless the message names one. */
  webhookUrl: string;
}

/** Slack incoming webhook: POST {text, blocks}; Slack answers 200 "ok". */
export class SlackWebhookNotifier implements Notifier {
  readonly kind = 'slack';
  readonly #options: SlackWebhookOptions;

  constructor(options: SlackWebhookOptions) {
    this.#options = options;
  }

  async send(message: NotificationMessage): Promise<void> {
    await withRetry('slack-webhook', this.#options, (signal) =>
      // `channel` routes a legacy or workspace-level webhook to the owner's channel; a channel-bound webhook ignores it.
      postJsonOnce('slack-webhook', this.#options.webhookUrl, { ...slackMessage(message), ...(message.channel ? { channel: message.channel } : {}) }, signal, {
        fetch: this.#options.fetch,
      }),
    );
  }
}
