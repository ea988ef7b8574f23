import type { Clock } from '../platform/ports.ts';
import { NotFoundError, UnprocessableError } from '../errors.ts';
import type { HealingStore, IncidentHealingLinks, OpenIncidents } from './ports.ts';
import type { AuditEntry, HealingRecord, HealingRequest } from './types.ts';

export interface HealingRequestDeps {
  store: HealingStore;
  clusterName(clusterId: string): Promise<string | undefined>;
  incidents: IncidentHealingLinks;
  /** The service's unresolved incidents; unset: a named incident is not checked. */
  openIncidents?: OpenIncidents;
  clock: Clock;
}

/**
 * Recording a heal request: the first step of every run, and all the API does before it starts the workflow. Apart
 * from HealingSteps so that the API needs no cluster client, Argo CD or notifier to take a request.
 */
export class HealingRequests {
  readonly #d: HealingRequestDeps;

  constructor(deps: HealingRequestDeps) {
    this.#d = deps;
  }

  /** Creates the record (conditional), links it to the incident, audits; false when it existed. */
  async create(id: string, request: HealingRequest): Promise<{ record: HealingRecord; created: boolean }> {
    const cluster = await this.#d.clusterName(request.clusterId);
    if (!cluster) throw new NotFoundError(`Cluster ${request.clusterId} not found`);
    if (request.trigger === 'api' && request.incidentId) await this.#checkIncident(request.incidentId, { ...request, cluster });
    const now = this.#d.clock.now().toISOString();
    const record: HealingRecord = {
      id,
      ...(request.incidentId ? { incidentId: request.incidentId } : {}),
      ...(request.hints?.rcaId ? { rcaId: request.hints.rcaId } : {}),
      clusterId: request.clusterId,
      cluster,
      namespace: request.namespace,
      service: request.service,
      issueType: request.issueType,
      severity: request.severity,
      action: 'none',
      status: 'EXECUTING',
      reason: 'planning',
      createdAt: now,
      updatedAt: now,
      dryRun: request.dryRun ?? false,
      trigger: request.trigger,
      requestedBy: request.requestedBy,
      ...(request.requestedByRole ? { requestedByRole: request.requestedByRole } : {}),
      ...(request.hints ? { hints: request.hints } : {}),
      ...(request.proposal ? { proposal: request.proposal } : {}),
    };
    const created = await this.#d.store.create(record);
    if (!created) return { record: (await this.#d.store.get(id)) ?? record, created: false };
    if (record.incidentId) await this.#d.incidents.link(record.incidentId, id);
    const begun: AuditEntry = {
      step: 'begin',
      at: now,
      actor: request.requestedBy,
      what: `healing requested (${request.trigger}): ${request.issueType}, ${request.severity}${record.dryRun ? ', dry run' : ''}`,
      result: 'recorded',
      after: { cluster, namespace: record.namespace, service: record.service },
    };
    await this.#d.store.audit(id, begun);
    return { record, created: true };
  }

  /**
   * An API request may name the incident it answers only if that incident involves the workload (same
   * cluster and namespace, the service its own or joined): otherwise another team's incident would
   * get the run's link, its notes and, when the action makes things worse, an escalation.
   */
  async #checkIncident(incidentId: string, target: { cluster: string; namespace: string; service: string }): Promise<void> {
    const lookup = this.#d.openIncidents?.incident;
    if (!lookup) return;
    const incident = await lookup.call(this.#d.openIncidents, incidentId);
    const involves =
      !!incident &&
      incident.cluster === target.cluster &&
      (incident.namespace ?? target.namespace) === target.namespace &&
      (incident.service === target.service || !!incident.services?.includes(target.service));
    if (!involves) {
      throw new UnprocessableError(
        `Incident ${incidentId} ${incident ? `is not about ${target.cluster}/${target.namespace}/${target.service}` : 'does not exist'}: a heal may only be linked to an incident of its own workload`,
        'INCIDENT_MISMATCH',
      );
    }
  }
}
