import type { NotificationMessage } from '../platform/ports.ts';
import { severityRank } from './types.ts';
import type { IncidentRecord } from './ports.ts';
import type { IncidentStatus, Severity } from './types.ts';

/**
 * open → acknowledged → resolved; open → resolved. A resolved incident only comes back through a
 * reopen (a firing alert inside the reopen window, see dedup.ts), which makes it open again.
 * Each transition below is one state change and gets exactly one notification.
 */
export type Transition = 'opened' | 'reopened' | 'acknowledged' | 'resolved' | 'escalated' | 'severity-raised' | 'rerooted';

export function canAcknowledge(status: IncidentStatus): boolean {
  return status === 'open';
}

/** An incident resolves when every alert instance that fired into it has resolved. */
export function shouldResolve(incident: Pick<IncidentRecord, 'status' | 'firingAlertIds'>): boolean {
  return incident.status !== 'resolved' && (incident.firingAlertIds?.length ?? 0) === 0;
}

/** The record as a store's `markResolved` leaves it: resolved now, its resolved delivery pending, one version on. */
export function resolvedRecord(incident: IncidentRecord, now: Date, resolution?: string): IncidentRecord {
  const { firingAlertIds: _firing, doneTargets: _done, ...rest } = incident;
  return {
    ...rest,
    status: 'resolved',
    resolvedAt: now.toISOString(),
    ...(resolution ? { resolution } : {}),
    pending: 'resolved',
    pendingAt: now.getTime(),
    version: (incident.version ?? 1) + 1,
  };
}

/** A more severe alert raises the incident's severity (and its routing); a milder one never lowers it. */
export function raisedSeverity(current: Severity, incoming: Severity): Severity | undefined {
  return severityRank(incoming) > severityRank(current) ? incoming : undefined;
}

export function notificationStatus(transition: Transition): NotificationMessage['status'] {
  switch (transition) {
    case 'acknowledged':
      return 'acknowledged';
    case 'resolved':
      return 'resolved';
    case 'escalated':
      return 'escalated';
    default:
      return 'open';
  }
}

export function eventFor(transition: Transition): 'IncidentOpened' | 'IncidentResolved' | undefined {
  if (transition === 'opened' || transition === 'reopened') return 'IncidentOpened';
  if (transition === 'resolved') return 'IncidentResolved';
  return undefined;
}
