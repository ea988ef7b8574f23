import { ACTIONS } from '../slack/actions.ts';
import type { NotificationAction, NotificationMessage } from '../platform/ports.ts';
import { notificationStatus, type Transition } from './incident-lifecycle.ts';
import type { IncidentRecord } from './ports.ts';
import { ALERTS_MOVED, CLUSTER_DEREGISTERED, type Incident } from './types.ts';

const VERB: Record<Transition, string> = {
  opened: 'Incident opened',
  reopened: 'Incident reopened',
  acknowledged: 'Incident acknowledged',
  resolved: 'Incident resolved',
  escalated: 'Incident escalated (not acknowledged)',
  'severity-raised': 'Incident severity raised',
  rerooted: 'Incident traced to a failing dependency',
};

/** Transitions after which someone may act on the incident from the message itself. */
const ACTIONABLE = new Set<Transition>(['opened', 'reopened', 'escalated', 'severity-raised', 'rerooted']);

/** Acknowledge, run an RCA, silence for an hour: the `/v1/slack/interactions` button ids. */
function incidentActions(incidentId: string): NotificationAction[] {
  return [
    { text: 'Acknowledge', actionId: ACTIONS.ack, value: incidentId, style: 'primary' },
    { text: 'Run RCA', actionId: ACTIONS.rca, value: incidentId },
    { text: 'Silence 1h', actionId: ACTIONS.silence, value: incidentId },
  ];
}

/** A resolution other than "its alerts ended" names itself in the title: on-call must not read it as fixed. */
const CLOSED: Record<string, string> = {
  [CLUSTER_DEREGISTERED]: 'Incident closed: cluster deregistered',
  [ALERTS_MOVED]: 'Incident closed: its alerts moved to another incident',
};

function verbFor(incident: IncidentRecord, transition: Transition): string {
  return (transition === 'resolved' && incident.resolution && CLOSED[incident.resolution]) || VERB[transition];
}

export function notificationFor(incident: IncidentRecord, transition: Transition, linkBase?: string): NotificationMessage {
  return {
    incidentId: incident.id,
    title: `${verbFor(incident, transition)}: ${incident.type} on ${incident.service} (${incident.cluster}/${incident.namespace})`,
    text: incident.title ?? incident.type,
    severity: incident.severity,
    status: notificationStatus(transition),
    fields: {
      ...(transition === 'resolved' && incident.resolution ? { resolution: incident.resolution } : {}),
      cluster: incident.cluster,
      namespace: incident.namespace,
      service: incident.service,
      type: incident.type,
      severity: incident.severity,
      alerts: String(incident.alertCount),
      firstSeen: incident.firstSeen,
      ...(incident.services && incident.services.length > 1 ? { services: incident.services.join(', ') } : {}),
      ...(transition === 'rerooted' && incident.rerootedFrom ? { firstSeenOn: incident.rerootedFrom } : {}),
      ...(incident.owner ? { owner: incident.owner } : {}),
      ...(incident.splitFrom ? { splitFrom: incident.splitFrom } : {}),
      ...(incident.predictedBreachAt ? { predictedBreachAt: incident.predictedBreachAt } : {}),
    },
    ...(ACTIONABLE.has(transition) ? { actions: incidentActions(incident.id) } : {}),
    ...(linkBase ? { link: `${linkBase.replace(/\/$/, '')}/v1/incidents/${encodeURIComponent(incident.id)}` } : {}),
  };
}

/** The incident as events and the API show it: bookkeeping stays inside the store. */
export function publicIncident(record: IncidentRecord): Incident {
  const keys: (keyof Incident)[] = [
    'id',
    'cluster',
    'namespace',
    'service',
    'type',
    'severity',
    'status',
    'alertCount',
    'firstSeen',
    'lastSeen',
    'rcaId',
    'healingIds',
    'title',
    'importance',
    'notify',
    'acknowledgedAt',
    'resolvedAt',
    'resolution',
    'services',
    'notes',
    'owner',
    'splitFrom',
    'predictedBreachAt',
  ];
  const out: Record<string, unknown> = {};
  for (const k of keys) if (record[k] !== undefined) out[k] = record[k];
  out.types = record.types?.length ? [...record.types].sort() : [record.type];
  return out as unknown as Incident;
}
