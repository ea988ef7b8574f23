/**
 * Owner routing from the catalog, as a decorator around the configured notifiers: the alert
 * pipeline decides severity routes as before; this sends the Slack message to the owning team's
 * channel and the PagerDuty event to the owning team's service. A catalog that cannot be read
 * never blocks a notification: the message goes where it would have gone without the catalog.
 */
import type { NotificationMessage, Notifier } from '../platform/ports.ts';
import { ownerContactForService, type OwnerContact } from './owners.ts';
import type { ServiceCatalog } from './ports.ts';

export interface CatalogRoutingOptions {
  catalog: ServiceCatalog;
  /** A PagerDuty notifier for a team's own integration key (`pagerduty.com/integration-key`). */
  pagerDutyFor?: (integrationKey: string) => Notifier;
}

export class CatalogRoutedNotifier implements Notifier {
  readonly kind: string;
  readonly #inner: Notifier;
  readonly #options: CatalogRoutingOptions;
  readonly #teamPagerDuty = new Map<string, Notifier>();

  constructor(inner: Notifier, options: CatalogRoutingOptions) {
    this.kind = inner.kind;
    this.#inner = inner;
    this.#options = options;
  }

  async #contact(message: NotificationMessage): Promise<OwnerContact | undefined> {
    const service = message.fields?.service;
    if (!service) return undefined;
    const catalog = await this.#options.catalog.snapshot().catch(() => undefined);
    return catalog ? ownerContactForService(catalog, service, message.fields?.namespace) : undefined;
  }

  async send(message: NotificationMessage): Promise<void> {
    const contact = await this.#contact(message);
    if (!contact) return this.#inner.send(message);
    const fields = { ...message.fields, owner: contact.owner };
    if (this.kind === 'slack') {
      // An explicit route (the pipeline's owner-channel config) stays; the catalog fills in the rest.
      return this.#inner.send({ ...message, fields, ...(contact.slackChannel && !message.channel ? { channel: contact.slackChannel } : {}) });
    }
    if (this.kind === 'pagerduty') {
      const withService = { ...message, fields: { ...fields, ...(contact.pagerDutyServiceId ? { pagerduty_service: contact.pagerDutyServiceId } : {}) } };
      const key = contact.pagerDutyIntegrationKey;
      if (key && this.#options.pagerDutyFor) {
        let team = this.#teamPagerDuty.get(key);
        if (!team) this.#teamPagerDuty.set(key, (team = this.#options.pagerDutyFor(key)));
        return team.send(withService);
      }
      return this.#inner.send(withService);
    }
    return this.#inner.send({ ...message, fields });
  }
}
