/**
 * Starting an RCA: the record (RUNNING), the incident's link, the workflow. Every step is
 * idempotent, so a redelivered IncidentOpened or a retried call converges on one RCA: the id is
 * derived from the incident, the record is created conditionally, the link is set only if absent
 * and the execution is named after the RCA.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Clock, WorkflowStarter } from '../platform/ports.ts';
import type { RcaTarget } from './evidence.ts';

export interface RcaStartRecord extends Omit<RcaTarget, 'rcaId'> {
  id: string;
  status: 'RUNNING';
  createdAt: string;
  updatedAt: string;
}

export interface RcaStartPorts {
  store: { create(record: RcaStartRecord): Promise<boolean> };
  links: { linkRca(incidentId: string, rcaId: string): Promise<string | undefined> };
  workflows: WorkflowStarter;
  clock: Clock;
}

export const RCA_WORKFLOW = 'rca';

export function rcaIdForIncident(incidentId: string): string {
  return `rca-${createHash('sha256').update(`incident:${incidentId}`).digest('hex').slice(0, 24)}`;
}

export function newRcaId(): string {
  return `rca-${randomUUID()}`;
}

export async function startRca(ports: RcaStartPorts, target: RcaTarget): Promise<{ id: string; created: boolean }> {
  const now = ports.clock.now().toISOString();
  const { rcaId, ...rest } = target;
  const created = await ports.store.create({ ...rest, id: rcaId, status: 'RUNNING', createdAt: now, updatedAt: now });
  // The incident links the first RCA started for it (a reopened incident keeps its first one).
  if (target.incidentId) await ports.links.linkRca(target.incidentId, rcaId);
  await ports.workflows.start(RCA_WORKFLOW, { rcaId, target }, rcaId);
  return { id: rcaId, created };
}

/**
 * When the symptoms of a service began, for an RCA asked for by hand: the first seen of the open incidents
 * that involve it. Its evidence is then compared against the time before, not against minutes of outage.
 */
export function symptomsSince(
  open: { namespace: string; service: string; services?: string[]; firstSeen: string; status: string }[],
  namespace: string,
  service: string,
): string | undefined {
  const times = open
    .filter((i) => i.status !== 'resolved' && i.namespace === namespace && (i.service === service || i.services?.includes(service)))
    .map((i) => i.firstSeen)
    .filter((t) => Number.isFinite(Date.parse(t)));
  return times.sort()[0];
}
