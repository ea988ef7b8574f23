/**
 * Who owns a running service and how to reach them: workload → component → `spec.owner` → the
 * owner's Group (or User) annotations, walking up parent groups when a team has none of its own.
 */
import { annotation, type CatalogEntity } from './entity.ts';
import type { CatalogIndex } from './graph.ts';

export const SLACK_CHANNEL_ANNOTATIONS = ['fleetops.io/slack-channel', 'slack.com/channel'] as const;
export const PAGERDUTY_SERVICE_ANNOTATION = 'pagerduty.com/service-id';
export const PAGERDUTY_INTEGRATION_ANNOTATION = 'pagerduty.com/integration-key';

/** A channel name (`#team-payments`, `team-payments`) or a channel id (`C0123ABCD`); anything else is ignored. */
const SLACK_CHANNEL = /^#?[a-z0-9][a-z0-9._-]{0,79}$|^[CGD][A-Z0-9]{6,20}$/;
const PAGERDUTY_SERVICE = /^[A-Z0-9]{5,20}$/;
const PAGERDUTY_KEY = /^[a-zA-Z0-9]{20,64}$/;

export interface OwnerContact {
  /** The component the service runs as. */
  component: string;
  /** Normalised owner ref (`group:default/team-payments`). */
  owner: string;
  /** The owner entity is in the catalog. */
  resolved: boolean;
  slackChannel?: string;
  pagerDutyServiceId?: string;
  pagerDutyIntegrationKey?: string;
}

function contactAnnotations(entity: CatalogEntity): Pick<OwnerContact, 'slackChannel' | 'pagerDutyServiceId' | 'pagerDutyIntegrationKey'> {
  const slack = SLACK_CHANNEL_ANNOTATIONS.map((key) => annotation(entity, key)).find((v) => v !== undefined && SLACK_CHANNEL.test(v));
  const service = annotation(entity, PAGERDUTY_SERVICE_ANNOTATION);
  const key = annotation(entity, PAGERDUTY_INTEGRATION_ANNOTATION);
  return {
    ...(slack ? { slackChannel: slack.startsWith('#') || /^[CGD][A-Z0-9]/.test(slack) ? slack : `#${slack}` } : {}),
    ...(service && PAGERDUTY_SERVICE.test(service) ? { pagerDutyServiceId: service } : {}),
    ...(key && PAGERDUTY_KEY.test(key) ? { pagerDutyIntegrationKey: key } : {}),
  };
}

/** The owner of a component and the first contact found on it or its parent groups (at most 5 levels up). */
export function ownerContactOf(catalog: CatalogIndex, component: CatalogEntity): OwnerContact | undefined {
  const owner = component.relations.find((r) => r.type === 'ownedBy')?.targetRef;
  if (!owner) return undefined;
  const contact: OwnerContact = { component: component.ref, owner, resolved: catalog.get(owner) !== undefined };
  let current = catalog.get(owner);
  const seen = new Set<string>();
  for (let level = 0; current && level < 5 && !seen.has(current.ref); level++) {
    seen.add(current.ref);
    const found = contactAnnotations(current);
    contact.slackChannel ??= found.slackChannel;
    contact.pagerDutyServiceId ??= found.pagerDutyServiceId;
    contact.pagerDutyIntegrationKey ??= found.pagerDutyIntegrationKey;
    if (contact.slackChannel && contact.pagerDutyServiceId) break;
    const parent = current.relations.find((r) => r.type === 'childOf')?.targetRef;
    current = parent ? catalog.get(parent) : undefined;
  }
  return contact;
}

/** The owner contact of the component running as `service` (in `namespace` when the catalog says so); undefined when unknown or ambiguous. */
export function ownerContactForService(catalog: CatalogIndex, service: string, namespace?: string): OwnerContact | undefined {
  const components = catalog.componentsForWorkload(service, namespace);
  const contacts = components.map((c) => ownerContactOf(catalog, c)).filter((c): c is OwnerContact => c !== undefined);
  const owners = new Set(contacts.map((c) => c.owner));
  return owners.size === 1 ? contacts[0] : undefined;
}
