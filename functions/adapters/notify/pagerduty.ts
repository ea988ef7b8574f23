import type { NotificationMessage, Notifier } from '../../ports.ts';
import { postJsonOnce, truncate, withRetry, type HttpOptions } from './http.ts';

export interface PagerDutyOptions extends HttpOptions {
  /** Events API v2 integration key: a secret. */
  routingKey: string;
  /** Default https://events.pagerduty.com */
  baseUrl?: string;
  /** `payload.source` when the message names no cluster. */
  source?: string;
}

const SEVERITY: Record<NotificationMessage['severity'], 'critical' | 'error' | 'warning' | 'info'> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
};

const ACTION: Record<NotificationMessage['status'], 'trigger' | 'acknowledge' | 'resolve'> = {
  open: 'trigger',
  escalated: 'trigger',
  acknowledged: 'acknowledge',
  resolved: 'resolve',
};

/** The Events API v2 body; the incident id is the dedup key, so trigger/ack/resolve address one PagerDuty incident. */
export function pagerDutyEvent(message: NotificationMessage, routingKey: string, source = 'fleetops') {
  const action = ACTION[message.status];
  const f = message.fields ?? {};
  return {
    routing_key: routingKey,
    event_action: action,
    dedup_key: message.incidentId,
    ...(action === 'trigger'
      ? {
          payload: {
            summary: truncate(message.title, 1024),
            source: f.cluster ?? source,
            severity: SEVERITY[message.severity],
            ...(f.service ? { component: f.service } : {}),
            ...(f.namespace ? { group: f.namespace } : {}),
            ...(f.type ? { class: f.type } : {}),
            custom_details: { text: message.text, ...f },
          },
          ...(message.link ? { links: [{ href: message.link, text: 'fleetops incident' }] } : {}),
        }
      : {}),
  };
}

export class PagerDutyNotifier implements Notifier {
  readonly kind = 'pagerduty';
  readonly #options: PagerDutyOptions;

  constructor(options: PagerDutyOptions) {
    this.#options = options;
  }

  async send(message: NotificationMessage): Promise<void> {
    const url = `${(this.#options.baseUrl ?? 'https://events.pagerduty.com').replace(/\/$/, '')}/v2/enqueue`;
    const body = pagerDutyEvent(message, this.#options.routingKey, this.#options.source);
    await withRetry('pagerduty', this.#options, (signal) => postJsonOnce('pagerduty', url, body, signal, { fetch: this.#options.fetch }));
  }
}
