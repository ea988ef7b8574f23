import type { DedupConfig, DedupState } from './dedup.ts';
import type { Transition } from './incident-lifecycle.ts';
import type { Silence } from './silences.ts';
import type { Incident, NormalizedAlert, Severity } from './types.ts';

/** The incident as stored: the public fields plus the bookkeeping the pipeline needs. */
export interface IncidentRecord extends Incident {
  /**
   * Alert instances still firing, as far as the store reports them (after `resolveAlerts`: one of
   * them, or none); the incident resolves when none are left.
   */
  firingAlertIds?: string[];
  /** Bumped whenever alerts join; resolving is conditional on it (see the store). */
  joins?: number;
  /** Incident keys (DEDUP items) pointing at this incident. */
  keys?: string[];
  silenced?: boolean;
  owner?: string;
  /** The service the incident was first about, before a failing dependency joined it. */
  rerootedFrom?: string;
  /** What the pull measured on the service it opened for, when an anomaly opened it. */
  observed?: NormalizedAlert['observed'];
  escalateAt?: string;
  escalatedAt?: string;
  /**
   * Outbox of the last state change: its event and notifications are still to be delivered.
   * `pendingAt` is the lease start (epoch ms, 0 = released after a failure); `doneTargets` the
   * deliveries that already succeeded, so a retry sends only the rest.
   */
  pending?: Transition;
  pendingAt?: number;
  doneTargets?: string[];
  /** Bumped on every state change; event ids use it so consumers can drop redeliveries. */
  version?: number;
}

export interface AlertBatch {
  key: string;
  alertIds: string[];
  fingerprints: string[];
  /** Number of alerts in this write (alertCount grows by it). */
  count: number;
  service: string;
  /** Alert types in this write; they join the incident's `types`. */
  types: string[];
  /** Detection signals of this write's alerts (an anomaly's), kept on their alert items. */
  signals?: string[];
  /** The highest severity in this write: a duplicate at a severity the incident already has needs nothing but counting. */
  severity?: Severity;
  /**
   * The delivery this write comes from (an Alertmanager webhook's hash): the key records the last one it counted, in
   * the same write, so a sender's retry of it (after a 503) is not counted again.
   */
  delivery?: string;
  now: Date;
}

export type TouchResult =
  /** Counted (and stored) at a severity the incident has, with no delivery of it waiting: nothing else to do. */
  | { outcome: 'duplicate'; incidentId: string }
  | { outcome: 'joined'; incident: IncidentRecord }
  /**
   * No live incident for the key; `previous` is the dedup state found (expired or resolved), if any; `counted`: the
   * key already counted this write's delivery (write it with count 0).
   */
  | { outcome: 'miss'; previous?: DedupState; counted?: true };

export interface IncidentDraft {
  id: string;
  cluster: string;
  namespace: string;
  service: string;
  type: string;
  severity: Severity;
  title: string;
  importance: number;
  notify: boolean;
  silenced: boolean;
  owner?: string;
  windowStart: string;
  escalateAt?: string;
  /** The incident this one splits off from (see `AlertStore.split`). */
  splitFrom?: string;
  /** PredictedBreach incidents: when the forecast crosses the limit. */
  predictedBreachAt?: string;
  /** What the pull measured on the service it opened for (grouping weighs a callee's share of it). */
  observed?: NormalizedAlert['observed'];
}

/** One still-firing alert instance of an incident, with the key, service and types it came in with. */
export interface KeyState {
  incidentId: string;
  status: 'firing' | 'resolved';
  quietSince?: string;
}

export interface FiringAlert {
  alertId: string;
  /** Absent on items written before keys were recorded. */
  key?: string;
  service?: string;
  types?: string[];
  /** The detection signals it fired on, when it is an anomaly. */
  signals?: string[];
}

/**
 * Persistence of dedup state and incidents. Every method is one atomic decision: when two callers
 * race, exactly one gets a result and the other gets `undefined` (and starts over with `touch`).
 */
export interface AlertStore {
  /** Joins the live incident of `batch.key` (the common path); a duplicate costs one conditional write. */
  touch(batch: AlertBatch, dedup: DedupConfig): Promise<TouchResult>;
  open(batch: AlertBatch, draft: IncidentDraft, dedup: DedupConfig): Promise<IncidentRecord | undefined>;
  reopen(batch: AlertBatch, previous: DedupState, dedup: DedupConfig): Promise<IncidentRecord | undefined>;
  /**
   * Points `batch.key` at another service's open incident (dependency or similarity grouping). With `from`,
   * the key may be taken from that incident too (it moves, with its still-firing alerts).
   */
  attach(batch: AlertBatch, incidentId: string, dedup: DedupConfig, from?: string): Promise<IncidentRecord | undefined>;
  /**
   * Removes resolved alert instances; returns the incident afterwards (with `joins` as read before its
   * remaining alerts were looked up), or undefined when none is known.
   */
  resolveAlerts(batch: AlertBatch): Promise<IncidentRecord | undefined>;
  /** `resolution`: why, when not because its alerts ended (`cluster-deregistered`, `alerts-moved`); a reopen clears it. */
  markResolved(incident: IncidentRecord, key: string, now: Date, dedup: DedupConfig, resolution?: string): Promise<IncidentRecord | undefined>;
  acknowledge(incidentId: string, now: Date): Promise<IncidentRecord>;
  /** `notify: true` turns notifications on when the higher severity makes a quiet incident important enough. */
  raiseSeverity(incident: IncidentRecord, to: Severity, now: Date, notify?: boolean): Promise<IncidentRecord | undefined>;
  markEscalated(incidentId: string, now: Date): Promise<IncidentRecord | undefined>;
  getIncident(incidentId: string): Promise<IncidentRecord | undefined>;
  /** Unresolved (open or acknowledged) incidents of a cluster active since `since`, most recent first, at most 100 (correlation candidates). */
  recentOpenIncidents(cluster: string, since: Date): Promise<IncidentRecord[]>;
  claimDelivery(incident: IncidentRecord, now: Date): Promise<boolean>;
  /** Both only act while the incident is still at `incident.version`: a slow sender never touches a newer delivery. */
  completeDelivery(incident: Pick<IncidentRecord, 'id' | 'version'>, transition: Transition): Promise<void>;
  /** Also makes the incident's keys take the full path again, so a redelivered input retries the delivery. */
  releaseDelivery(incident: Pick<IncidentRecord, 'id' | 'version' | 'keys'>, transition: Transition, doneTargets: string[]): Promise<void>;
  activeSilences(now: Date): Promise<Silence[]>;
  /** A short exclusive lease (true when taken); a crashed holder's lease lapses after `seconds`. */
  claimLease(name: string, holder: string, now: Date, seconds: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
  /**
   * Moves an open incident from `from` (a symptom) to the failing dependency that joined it, with a
   * pending `rerooted` delivery; undefined when it has moved on (another caller won).
   */
  reroot(incidentId: string, from: string, to: RootCause, now: Date): Promise<IncidentRecord | undefined>;
  /** Every unresolved (open or acknowledged) incident of a cluster, page after page (the status index: a sweep's read). */
  unresolvedIncidents(cluster: string): AsyncIterable<IncidentRecord>;
  /** Deletes these alert items of this incident, whichever incident their keys point at now. */
  dropAlerts(incidentId: string, alertIds: string[]): Promise<void>;
  /** Every still-firing alert instance of an incident, with the key it came in under. */
  firingAlerts(incidentId: string): Promise<FiringAlert[]>;
  /** Where a key points now (undefined when it never did or has expired), and when an alert of it last resolved. */
  keyState(key: string, now: Date): Promise<KeyState | undefined>;
  /**
   * Moves `batch.key` out of incident `from` into a new incident (`draft`, with `splitFrom`): the key's
   * still-firing alerts of `from` and the batch's alerts go with it, `from` keeps its history. Undefined
   * when the key has moved on meanwhile (another caller won).
   */
  split(batch: AlertBatch, from: string, draft: IncidentDraft, dedup: DedupConfig): Promise<IncidentRecord | undefined>;
}

/** What an incident is about once a deeper cause joins it. */
export interface RootCause {
  service: string;
  namespace: string;
  type: string;
  title: string;
  /** The dependency's owner, when known; otherwise the incident keeps its owner. */
  owner?: string;
}
