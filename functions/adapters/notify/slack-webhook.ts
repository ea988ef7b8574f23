import type { NotificationMessage, Notifier } from '../../ports.ts';
import { postJsonOnce, withRetry, type HttpOptions } from './http.ts';
import { slackMessage } from './slack-blocks.ts';

export interface SlackWebhookOptions extends HttpOptions {
  /** Incoming webhook URL: a secret (it is the credential). The channel is fixed by the webhook. */
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
      postJsonOnce('slack-webhook', this.#options.webhookUrl, slackMessage(message), signal, { fetch: this.#options.fetch }),
    );
  }
}
