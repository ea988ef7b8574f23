import { SESv2Client, SendEmailCommand, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import type { NotificationMessage, Notifier } from '../../ports.ts';
import { NotifyError, isRetryableStatus, truncate, withRetry, type RetryOptions } from './http.ts';

export interface SesEmailOptions extends RetryOptions {
  from: string;
  to: string[];
  region?: string;
  /** Set for a local SESv2-compatible receiver; unset in AWS. */
  endpoint?: string;
  credentials?: SESv2ClientConfig['credentials'];
  /** Tests inject a client; otherwise one is built from region/endpoint. */
  client?: SESv2Client;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function emailContent(message: NotificationMessage): { subject: string; text: string; html: string } {
  const subject = truncate(`[${message.severity.toUpperCase()}] ${message.title}`.replace(/[\r\n]+/g, ' '), 200);
  const rows = Object.entries(message.fields ?? {});
  const text = [
    message.title,
    '',
    message.text,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    `status: ${message.status}`,
    `incident: ${message.incidentId}`,
    ...(message.link ? [message.link] : []),
  ].join('\n');
  const html =
    `<h2>${escapeHtml(message.title)}</h2><p>${escapeHtml(message.text)}</p><table>` +
    rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('') +
    `</table><p>status: ${escapeHtml(message.status)} · incident ${escapeHtml(message.incidentId)}</p>` +
    (message.link ? `<p><a href="${escapeHtml(message.link)}">Open incident</a></p>` : '');
  return { subject, text, html };
}

/**
 * Amazon SES v2 `SendEmail`. The SDK's own retries are off (maxAttempts 1) so that retry policy is the
 * same for every notifier: 429/5xx retried with backoff, other 4xx not.
 */
export class SesEmailNotifier implements Notifier {
  readonly kind = 'email';
  readonly #options: SesEmailOptions;
  readonly #client: SESv2Client;

  constructor(options: SesEmailOptions) {
    this.#options = options;
    this.#client =
      options.client ??
      new SESv2Client({
        ...(options.region ? { region: options.region } : {}),
        ...(options.endpoint ? { endpoint: options.endpoint, region: options.region ?? 'us-east-1' } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
        maxAttempts: 1,
      });
  }

  async send(message: NotificationMessage): Promise<void> {
    const { subject, text, html } = emailContent(message);
    const command = new SendEmailCommand({
      FromEmailAddress: this.#options.from,
      Destination: { ToAddresses: this.#options.to },
      Content: {
        Simple: {
          Subject: { Data: subject, Charset: 'UTF-8' },
          Body: { Text: { Data: text, Charset: 'UTF-8' }, Html: { Data: html, Charset: 'UTF-8' } },
        },
      },
    });
    await withRetry('ses', this.#options, async (signal) => {
      try {
        await this.#client.send(command, { abortSignal: signal });
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === undefined) throw error;
        const name = (error as Error).name;
        throw new NotifyError('ses', `SendEmail failed: ${name} (${status})`, {
          status,
          retryable: isRetryableStatus(status) || name === 'TooManyRequestsException',
        });
      }
    });
  }
}
