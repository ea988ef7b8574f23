import type { Severity } from './types.ts';

export interface RouteTarget {
  /** Matches `Notifier.kind`: slack, pagerduty, email, ... */
  notifier: string;
  channel?: string;
}

export interface RoutingDecision {
  targets: RouteTarget[];
  /** Notify again (escalate) when still unacknowledged after this long. */
  escalateAfterSeconds?: number;
}

export interface SeverityRoute {
  notifiers: string[];
  escalateAfterSeconds?: number;
}

export interface RoutingConfig {
  bySeverity: Record<Severity, SeverityRoute>;
  /** Owner (team) → Slack channel; the catalog will fill this. */
  ownerChannels: Record<string, string>;
  /** Service → owner, where the alert carries no `team`/`owner` label. */
  serviceOwners: Record<string, string>;
  defaultSlackChannel?: string;
}

export const DEFAULT_ROUTING_CONFIG: RoutingConfig = {
  bySeverity: {
    critical: { notifiers: ['pagerduty', 'slack', 'email'], escalateAfterSeconds: 15 * 60 },
    high: { notifiers: ['slack', 'email'], escalateAfterSeconds: 30 * 60 },
    medium: { notifiers: ['slack'] },
    low: { notifiers: ['email'] },
  },
  ownerChannels: {},
  serviceOwners: {},
};

export function ownerOf(service: string, labels: Record<string, string>, config: RoutingConfig): string | undefined {
  return labels.team ?? labels.owner ?? config.serviceOwners[service];
}

export function route(
  incident: { severity: Severity; service: string; labels?: Record<string, string> },
  config: RoutingConfig = DEFAULT_ROUTING_CONFIG,
): RoutingDecision {
  const rule = config.bySeverity[incident.severity];
  const owner = ownerOf(incident.service, incident.labels ?? {}, config);
  const slackChannel = (owner && config.ownerChannels[owner]) ?? config.defaultSlackChannel;
  const targets = rule.notifiers.map((notifier) => (notifier === 'slack' && slackChannel ? { notifier, channel: slackChannel } : { notifier }));
  return { targets, ...(rule.escalateAfterSeconds !== undefined ? { escalateAfterSeconds: rule.escalateAfterSeconds } : {}) };
}
