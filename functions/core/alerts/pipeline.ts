import type { BusEvent, Clock, EventPublisher, NotificationMessage, Notifier } from '../platform/ports.ts';
import { randomUUID } from 'node:crypto';
import { downstreamOf, mergeGraphs, upstreamOf, type DependencyGraph } from '../mesh/graph.ts';
import { DEFAULT_DEDUP_CONFIG, decideFiring, incidentIdFor, windowStart, type DedupConfig } from './dedup.ts';
import {
  alertText,
  correlationCandidates,
  DEFAULT_GROUPING_CONFIG,
  findCorrelatedIncident,
  groupBatch,
  incidentText,
  isPulledCondition,
  type AlertGroup,
  type GroupingConfig,
} from './grouping.ts';
import {
  DEFAULT_IMPORTANCE_CONFIG,
  environmentOf,
  isNotifiable,
  ruleImportance,
  type ImportanceConfig,
  type ImportanceInput,
  type ImportanceScorer,
} from './importance.ts';
import { eventFor, raisedSeverity, shouldResolve, type Transition } from './incident-lifecycle.ts';
import { notificationFor, publicIncident } from './messages.ts';
import type { AlertBatch, AlertStore, FiringAlert, IncidentDraft, IncidentRecord, KeyState } from './ports.ts';
import { DEFAULT_ROUTING_CONFIG, ownerOf, route, type RoutingConfig } from './routing.ts';
import { silenceLabels, silencedBy, type Silence } from './silences.ts';
import { ALERTS_MOVED, CLUSTER_DEREGISTERED, maxSeverity, type Incident, type NormalizedAlert } from './types.ts';
import { incidentKey } from './fingerprint.ts';
import {
  EVIDENCE_SOURCES,
  explains,
  kubeFailureCanShowAs,
  kubeFailureFollows,
  kubeFailuresExclusive,
  OWN_FAILURE,
  requestSignal,
  signalsIn,
  symptomOf,
  type SymptomAlert,
} from './explain.ts';
import { EDGE_THRESHOLDS, risingSignals, type EdgeHealth, type EdgeSignal, type MeshEvidence } from '../mesh/evidence.ts';

export interface PipelineConfig {
  dedup: DedupConfig;
  grouping: GroupingConfig;
  importance: ImportanceConfig;
  routing: RoutingConfig;
  /** A delivery not completed within this lease may be taken over by the next caller that sees it. */
  deliveryLeaseSeconds: number;
  /** Silences are read once per this many seconds per warm Lambda, not once per alert. */
  silenceCacheSeconds: number;
  /** Dependency graphs likewise (they change when the pull refreshes them). */
  graphCacheSeconds: number;
  /** Groups written in parallel per batch. */
  concurrency: number;
  /** Races lost in a row before giving up (the caller retries the whole batch). */
  maxAttempts: number;
  /** How long one decision to open or attach may hold its cluster's lease (opening is serialised where a call graph is known). */
  openLeaseSeconds: number;
  /**
   * How long a caller's alert waits for the incident of a callee failing at the same moment (`related`)
   * before it opens its own: like Alertmanager's group_wait, but only where the graph says a cause is coming.
   */
  causeWaitSeconds: number;
  /** Edge evidence is read at most once per this many seconds per cluster (it changes with every pull). */
  evidenceCacheSeconds: number;
  /**
   * When an incident's root condition ends while symptoms of other services still fire, how long to wait
   * for them to end too (they usually do within a pull) before they split off into their own incident.
   */
  splitWaitSeconds: number;
  /**
   * An anomaly of the pull back within this long after its incident resolved is a flap and reopens it; later, it
   * is a new fault with an incident of its own. Detection already waits K quiet pulls before calling an anomaly
   * over, so this is best set to a few pull intervals (the wiring does).
   */
  flapSeconds: number;
  /**
   * How long after a caller's incident began a failing callee may still be its cause and take it over: detection of
   * the callee lags its callers' by a pull or two at most (the wiring sets three pull intervals).
   */
  upwardJoinSeconds: number;
  /**
   * A Kubernetes failure, or a resource signal, of a kind new to a service's incident this long after the incident
   * began is another fault; sooner, it may be what the incident is about (a crash loop's condition is seen a pull
   * after its errors). The wiring sets two pull intervals, at least 90 s.
   */
  newKindAfterSeconds: number;
  /**
   * How late a signal of a family new to its service's incident (errors, latency, CPU) may follow it and still be what it
   * is about: one fault shows in its signals at once (a crash loop fails requests and slows them; a saturated CPU slows
   * requests), each crossing its threshold within a pull or two (the wiring sets two pull intervals, at least 30 s).
   * Memory may trail its symptoms (a leaking workload collects garbage before its memory alarms), so it gets
   * `newKindAfterSeconds`.
   */
  signalOnsetSeconds: number;
  /** Base URL for incident links in notifications. */
  linkBase?: string;
}

export const DEFAULT_PIPELINE_CONFIG: PipelineConfig = {
  dedup: DEFAULT_DEDUP_CONFIG,
  grouping: DEFAULT_GROUPING_CONFIG,
  importance: DEFAULT_IMPORTANCE_CONFIG,
  routing: DEFAULT_ROUTING_CONFIG,
  deliveryLeaseSeconds: 60,
  silenceCacheSeconds: 30,
  graphCacheSeconds: 30,
  concurrency: 8,
  maxAttempts: 10,
  openLeaseSeconds: 10,
  causeWaitSeconds: 5,
  evidenceCacheSeconds: 10,
  splitWaitSeconds: 15,
  flapSeconds: 300,
  upwardJoinSeconds: 120,
  newKindAfterSeconds: 90,
  signalOnsetSeconds: 30,
};

/** The flap window for a pull every `pullSeconds`: three pulls, at least a minute. */
export const flapSecondsFor = (pullSeconds: number): number => Math.max(60, 3 * pullSeconds);
/** How late a callee's failure may follow its caller's incident and still be its cause: three pulls, at least 30 s. */
export const upwardJoinSecondsFor = (pullSeconds: number): number => Math.max(30, 3 * pullSeconds);
/** How late a condition or resource signal of a new kind may follow its service's incident and still be its fault: two pulls, at least 90 s. */
export const newKindAfterSecondsFor = (pullSeconds: number): number => Math.max(90, 2 * pullSeconds);
/** How late a signal of a new family may follow its service's incident and still be its fault: two pulls, at least 30 s. */
export const signalOnsetSecondsFor = (pullSeconds: number): number => Math.max(30, 2 * pullSeconds);

export interface AlertPipelineOptions {
  store: AlertStore;
  publisher: EventPublisher;
  notifiers: Notifier[];
  clock: Clock;
  config?: Partial<PipelineConfig>;
  scorer?: ImportanceScorer;
  /** Semantic similarity of alert texts (Bedrock Titan embeddings in AWS); local TF-IDF when absent or failing. */
  similarity?: TextSimilarity;
  /** Per-cluster service dependency graph (from the mesh, later the catalog) for propagation-aware grouping. */
  graphs?: DependencyGraphs;
  /** The team that owns a service (the service catalog), where the alert carries no `team`/`owner` label. */
  owners?: ServiceOwners;
  /** Per-edge mesh evidence of a cluster (the pull stores it): whether a caller's symptom comes from a callee. */
  evidence?: EdgeEvidenceSource;
}

export interface EdgeEvidenceSource {
  forCluster(cluster: string): Promise<MeshEvidence | undefined>;
}

export interface ServiceOwners {
  ownerOf(service: string, namespace: string): Promise<string | undefined>;
}

export interface DependencyGraphs {
  /** Caller → callees of one cluster, or undefined when nothing is known about it. */
  forCluster(cluster: string): Promise<DependencyGraph | undefined>;
}

export interface TextSimilarity {
  /** Similarity 0..1 of `text` to each of `others`, in order. */
  similarities(text: string, others: string[]): Promise<number[]>;
}

export interface IngestResult {
  received: number;
  incidents: string[];
}

export const EVENT_SOURCE = 'fleetops.alerts';

/** Notifiers that hold a conversation (an RCA report belongs there, not in a page or an email). */
const CHAT_NOTIFIERS = new Set(['slack']);

/** Raised when deliveries fail; the state change is stored, so a redelivery of the same input retries only these. */
export class DeliveryError extends Error {
  readonly failures: { target: string; error: unknown }[];
  constructor(incidentId: string, failures: { target: string; error: unknown }[]) {
    super(`Delivery failed for incident ${incidentId}: ${failures.map((f) => f.target).join(', ')}`);
    this.name = 'DeliveryError';
    this.failures = failures;
  }
}

/** Detection signals of a workload's own resources: no callee causes them. */
const RESOURCE_SIGNALS = new Set(['cpu_usage', 'memory_usage']);

/** The alert a group is decided by, with the request signals that began with it (`#onsetOf`). */
type Lead = NormalizedAlert & Pick<SymptomAlert, 'onset'>;

const WAIT_FOR_CAUSE = Symbol('wait for cause');
const CAUSE_POLL_MS = 250;
/** Evidence read this much before an alert's detection time still counts as of its pull. */
const EVIDENCE_SLACK_MS = 3000;
/** An alert handled later than this after its pull is judged without its onset (the edges have moved on since). */
const ONSET_READ_MS = 30_000;

/** `decide(false)` never waits. */
const decided = (outcome: string | undefined | typeof WAIT_FOR_CAUSE): string | undefined => (outcome === WAIT_FOR_CAUSE ? undefined : outcome);

/** A service this alert's service depends on failed at the same moment (the pull says so), and may open the incident first. */
function causeMayBeComing(lead: NormalizedAlert, graph: DependencyGraph): boolean {
  if (!lead.related?.length) return false;
  const callees = downstreamOf(lead.service, graph);
  return lead.related.some((service) => service !== lead.service && callees.has(service));
}

/** One group's failed delivery, or several groups' (an AggregateError of them). */
export function isDeliveryFailure(error: unknown): boolean {
  if (error instanceof DeliveryError) return true;
  return error instanceof AggregateError && error.errors.length > 0 && error.errors.every((e) => e instanceof DeliveryError);
}

/**
 * Alerts in, incidents and notifications out. Every decision that two Lambdas could race on is one
 * conditional write in the store; this class only sequences them. Notifications and events go through
 * an outbox on the incident item (`pending`): exactly one caller wins a state change and delivers it;
 * if that fails the error propagates (so Lambda / EventBridge / Alertmanager retry), the lease is
 * released, and the redelivered input completes the missing deliveries instead of repeating the others.
 */
export class AlertPipeline {
  readonly #store: AlertStore;
  readonly #publisher: EventPublisher;
  readonly #notifiers: Map<string, Notifier>;
  readonly #clock: Clock;
  readonly #scorer?: ImportanceScorer;
  readonly #similarity?: TextSimilarity;
  readonly #graphs?: DependencyGraphs;
  readonly #owners?: ServiceOwners;
  readonly #graphCache = new Map<string, { at: number; graph: DependencyGraph | undefined }>();
  readonly #evidence?: EdgeEvidenceSource;
  readonly #evidenceCache = new Map<string, { at: number; evidence: MeshEvidence | undefined }>();
  readonly config: PipelineConfig;
  #silences?: { at: number; items: Silence[] };

  constructor(options: AlertPipelineOptions) {
    this.#store = options.store;
    this.#publisher = options.publisher;
    this.#notifiers = new Map(options.notifiers.map((n) => [n.kind, n]));
    this.#clock = options.clock;
    this.#scorer = options.scorer;
    this.#similarity = options.similarity;
    this.#graphs = options.graphs;
    this.#owners = options.owners;
    this.#evidence = options.evidence;
    this.config = { ...DEFAULT_PIPELINE_CONFIG, ...options.config };
  }

  /**
   * `deliveryId` identifies one delivery of a payload (an Alertmanager webhook's hash): a sender that
   * retries it (after a 503) does not add its alerts to the counts a second time.
   */
  async ingest(alerts: NormalizedAlert[], options: { deliveryId?: string } = {}): Promise<IngestResult> {
    const now = this.#clock.now();
    const groups = groupBatch(alerts, this.config.grouping.groupLabels);
    const silences = groups.some((g) => g.status === 'firing') ? await this.#activeSilences(now) : [];
    // Firing first: a payload that resolves pod A and fires pod B must not resolve the incident in between.
    const fired = await mapLimit(
      groups.filter((g) => g.status === 'firing'),
      this.config.concurrency,
      (g) => this.#countOnce(g, now, options.deliveryId, (batch) => this.#fire(g, batch, silences, now)),
    );
    const resolved = await mapLimit(
      groups.filter((g) => g.status === 'resolved'),
      this.config.concurrency,
      (g) => this.#resolve(g, now),
    );
    const ids = [...fired, ...resolved].filter((id): id is string => Boolean(id));
    return { received: alerts.length, incidents: [...new Set(ids)] };
  }

  async acknowledge(incidentId: string): Promise<IncidentRecord> {
    const incident = await this.#store.acknowledge(incidentId, this.#clock.now());
    await this.#deliver(incident, 'acknowledged');
    return incident;
  }

  /**
   * Called by the sweep schedule: finishes a delivery whose lease has expired (the sender crashed or
   * every retry failed), so a state change is never left un-notified until the next alert arrives.
   */
  async recoverPending(incidentId: string): Promise<boolean> {
    const incident = await this.#store.getIncident(incidentId);
    if (!incident?.pending) return false;
    await this.#recover(incident, this.#clock.now());
    return true;
  }

  /** Called by a schedule at `escalateAt`: notifies again when the incident is still unacknowledged. */
  async escalate(incidentId: string): Promise<boolean> {
    const incident = await this.#store.markEscalated(incidentId, this.#clock.now());
    if (!incident) return false;
    await this.#deliver(incident, 'escalated');
    return true;
  }

  /**
   * A cluster deregistered at `at`: nothing pulls it any more, so its pulled alerts would never resolve and its
   * incidents would stay open, and escalate, for good. Closes every unresolved incident of it that nothing joined after
   * `at` (its alert items dropped, so a key that fires again starts clean), each announced once with `resolution`
   * `cluster-deregistered`. An incident an alert joined since stays open: that alert is live. Idempotent. A failed
   * notification does not stop the sweep: the incident is closed and its delivery stays pending for the recovery sweep.
   */
  async resolveDeregisteredCluster(cluster: string, at: Date): Promise<{ resolved: string[]; deliveryFailures: string[] }> {
    const candidates: string[] = [];
    for await (const incident of this.#store.unresolvedIncidents(cluster)) if (Date.parse(incident.lastSeen) <= at.getTime()) candidates.push(incident.id);
    const resolved: string[] = [];
    const deliveryFailures: string[] = [];
    for (const id of candidates) {
      try {
        if (await this.#closeDeregistered(id, at)) resolved.push(id);
      } catch (error) {
        if (!(error instanceof DeliveryError)) throw error;
        resolved.push(id);
        deliveryFailures.push(id);
      }
    }
    return { resolved, deliveryFailures };
  }

  /** Reads before it writes, and writes only what it read: a join meanwhile fails `markResolved` (its `joins` moved on) and is judged again. */
  async #closeDeregistered(incidentId: string, at: Date): Promise<boolean> {
    for (let attempt = 0; attempt < this.config.maxAttempts; attempt++) {
      const now = this.#clock.now();
      const current = await this.#store.getIncident(incidentId);
      if (!current || current.status === 'resolved' || Date.parse(current.lastSeen) > at.getTime()) return false;
      const firing = await this.#store.firingAlerts(incidentId);
      await this.#store.dropAlerts(
        incidentId,
        firing.map((a) => a.alertId),
      );
      const key = current.keys?.[0] ?? incidentKey({ ...current, labels: {} }, this.config.grouping.groupLabels);
      const done = await this.#store.markResolved({ ...current, firingAlertIds: [] }, key, now, this.config.dedup, CLUSTER_DEREGISTERED);
      if (done) {
        await this.#deliver(done, 'resolved');
        return true;
      }
    }
    throw new Error(`Could not close incident ${incidentId}: too much contention, retry`);
  }

  /** A group of a delivery: its key counts each delivery once (a retried webhook writes with count 0). */
  async #countOnce(group: AlertGroup, now: Date, deliveryId: string | undefined, write: (batch: AlertBatch) => Promise<string>): Promise<string> {
    const batch = toBatch(group, now);
    if (deliveryId) batch.delivery = deliveryId;
    return write(batch);
  }

  async #reopensOwnIncident(incidentId: string, lead: NormalizedAlert, now: Date): Promise<boolean> {
    const previous = await this.#store.getIncident(incidentId);
    if (!previous) return true;
    // Still open: the key rejoins it (the dependency is still failing), as before; a condition of another kind after
    // the incident's own ended (a flap of its symptoms reopened it) is another fault.
    if (previous.status !== 'resolved')
      return !(isPulledCondition(lead) && previous.service === lead.service && (await this.#anotherKubeFailure(lead, previous, now)));
    // A flap of the same problem reopens; another kind of failure of the service (an image-pull failure after a
    // latency spike, a latency anomaly after an error-rate one) is a fault of its own and gets a new incident.
    if (previous.cluster !== lead.cluster || previous.namespace !== lead.namespace || previous.service !== lead.service) return false;
    if (!(previous.types ?? [previous.type]).includes(lead.type)) return false;
    // Our own detection already waits K quiet pulls before calling an anomaly over: one that comes back after
    // several minutes is a new fault, not a flap.
    if (EVIDENCE_SOURCES.has(lead.source) && previous.resolvedAt && now.getTime() - Date.parse(previous.resolvedAt) > this.config.flapSeconds * 1000)
      return false;
    // A symptom back after the Kubernetes failure its incident was about ended: that failure was fixed. Should it be
    // back, its condition fires again and joins the symptom's new incident (below); if not, this is another fault.
    if (EVIDENCE_SOURCES.has(lead.source) && !OWN_FAILURE.test(lead.type) && holdsKubeFailure(previous)) return false;
    if (isPulledCondition(lead) && (await this.#ownIncidentSince(lead, previous.resolvedAt, now))) return false;
    const before = signalsIn(previous.title ?? '');
    return !lead.signals?.length || !before.length || lead.signals.some((s) => before.includes(s));
  }

  /** An open incident of the condition's service, opened since `since`, that the condition can be the fault of. */
  async #ownIncidentSince(lead: NormalizedAlert, since: string | undefined, now: Date): Promise<boolean> {
    if (!since) return false;
    const newer = (await this.#store.recentOpenIncidents(lead.cluster, new Date(since))).filter((c) => c.firstSeen >= since);
    return (await this.#sameServiceIncident(lead, newer, now)) !== undefined;
  }

  /** A symptom the pull raised that a callee's open incident explains: it joins that incident rather than reopening its own. */
  async #explainedElsewhere(lead: NormalizedAlert, now: Date): Promise<boolean> {
    if (!EVIDENCE_SOURCES.has(lead.source) || symptomOf(lead).own) return false;
    const graph = await this.#dependencies(lead.cluster, now);
    if (!graph || !(await this.#edgesFor(lead.cluster, now))) return false;
    // A callee anomalous in the same pull may be about to open the incident this symptom belongs to: decide after the cause wait.
    if (causeMayBeComing(lead, graph)) return true;
    const down = downstreamOf(lead.service, graph);
    const open = (await this.#joinableIncidents(lead.cluster, now, true)).filter((c) => c.service !== lead.service && down.has(c.service));
    return (await this.#explainedCandidates(lead, open, graph, now)).length > 0;
  }

  /**
   * Open incidents of the cluster that may take a related alert: changed within the correlation window; or, where the
   * pull's edge evidence (or the service's own firing condition) decides the join, within the dedup window. A long
   * outage keeps taking its callers' symptoms while its edges still fail, though nothing new reached it for a while
   * (an anomaly is sent when it starts or worsens, not while it lasts).
   */
  async #joinableIncidents(cluster: string, now: Date, evidenceBacked: boolean): Promise<IncidentRecord[]> {
    return this.#store.recentOpenIncidents(cluster, new Date(now.getTime() - this.#joinWindowSeconds(evidenceBacked) * 1000));
  }

  #joinWindowSeconds(evidenceBacked: boolean): number {
    const recent = this.config.grouping.correlationWindowSeconds;
    return evidenceBacked ? Math.max(recent, this.config.dedup.dedupWindowSeconds) : recent;
  }

  async #fire(group: AlertGroup, batch: AlertBatch, silences: Silence[], now: Date): Promise<string> {
    const strongest = group.alerts.reduce((a, b) => (maxSeverity(a.severity, b.severity) === a.severity ? a : b));
    const onset = await this.#onsetOf(strongest, group.key, now);
    const lead: Lead = onset ? { ...strongest, onset } : strongest;
    await this.#awaitEvidence(lead, now);
    for (let attempt = 0; attempt < this.config.maxAttempts; attempt++) {
      if (attempt > 0) await sleep(Math.random() * 20 * attempt);
      // A symptom grouped into another service's incident that this alert is not explained by (its own
      // Kubernetes failure, or errors the edges do not trace to that incident) splits off before it joins.
      const split = await this.#splitIfUnexplained(group, batch, lead, silences, now, attempt);
      if (split === null) continue;
      if (split) return split;
      const touched = await this.#store.touch(batch, this.config.dedup);
      if (touched.outcome === 'duplicate') return touched.incidentId;
      if (touched.outcome === 'miss' && touched.counted) batch.count = 0;
      if (touched.outcome === 'joined') {
        await this.#afterJoin(touched.incident, lead, group, now);
        return touched.incident.id;
      }
      const decision = decideFiring(touched.previous, now);
      // A service that only joined another service's incident (a symptom of a failing dependency)
      // gets its own incident later: reopening would revive the dependency's incident instead.
      if (decision.kind === 'reopen' && (await this.#reopensOwnIncident(decision.incidentId, lead, now)) && !(await this.#explainedElsewhere(lead, now))) {
        const reopened = await this.#store.reopen(batch, touched.previous!, this.config.dedup);
        if (!reopened) continue;
        await this.#deliver(reopened, 'reopened');
        return reopened.id;
      }
      const graph = await this.#dependencies(lead.cluster, now);
      // With a call graph, opening is serialised per cluster: a failing dependency and its callers' symptoms
      // arrive together (one pull), and each must see the incident the other opens.
      const decide = (mayWait: boolean) => this.#openOrAttach(group, batch, lead, silences, now, attempt, touched.previous?.incidentId, graph, mayWait);
      const id = graph && inGraph(lead.service, graph) ? await this.#decideWaitingForCause(lead.cluster, decide) : decided(await decide(false));
      if (id) return id;
    }
    throw new Error(`Could not record alerts for incident key ${group.key}: too much contention, retry`);
  }

  /**
   * The request signals of a pulled anomaly that begin with it: all of them when its service had no anomaly firing
   * (nor one quiet within the flap window: a flap began before it went quiet) and the alert is handled promptly (the
   * edges' sustained reading is then of the time before it). Unknown otherwise: a re-send of an ongoing anomaly is
   * measured against its last send, minutes back, which the edges' span does not reach; a retried event read minutes
   * later would find a failure that began with it settled. An edge already failing as it is now did not start them.
   */
  async #onsetOf(alert: NormalizedAlert, key: string, now: Date): Promise<Set<EdgeSignal> | undefined> {
    // Without edge evidence nothing weighs an onset: spare the reads.
    if (!this.#evidence || !EVIDENCE_SOURCES.has(alert.source) || alert.type !== 'AnomalyDetected' || !alert.signals?.length) return undefined;
    if (!(now.getTime() - Date.parse(alert.startsAt) <= ONSET_READ_MS)) return undefined;
    const state = await this.#store.keyState(key, now);
    if (state) {
      // Any alert of the service shares its key (an Alertmanager rule's, a POST's): only the pull's anomaly counts.
      const anomalies = (await this.#store.firingAlerts(state.incidentId)).filter((a) => a.key === key && a.signals?.length);
      if (anomalies.length) return undefined;
      if (state.quietSince && now.getTime() - Date.parse(state.quietSince) <= this.config.flapSeconds * 1000) return undefined;
    }
    return new Set(alert.signals.map(requestSignal).filter((s): s is EdgeSignal => s !== undefined));
  }

  async #openOrAttach(
    group: AlertGroup,
    batch: AlertBatch,
    lead: NormalizedAlert,
    silences: Silence[],
    now: Date,
    attempt: number,
    previousId: string | undefined,
    graph: DependencyGraph | undefined,
    mayWait: boolean,
  ): Promise<string | undefined | typeof WAIT_FOR_CAUSE> {
    const correlated = await this.#correlate(lead, now, graph);
    if (correlated) {
      const attached = await this.#store.attach(batch, correlated.id, this.config.dedup);
      if (!attached) return undefined;
      await this.#rerootOnCause(correlated, lead, graph, now);
      return attached.id;
    }
    if (mayWait && graph && causeMayBeComing(lead, graph)) return WAIT_FOR_CAUSE;
    const opened = await this.#store.open(batch, await this.#draft(group, lead, silences, now, attempt, previousId), this.config.dedup);
    if (!opened) return undefined;
    await this.#deliver(opened, 'opened');
    await this.#adoptOwnSymptoms(opened, lead, now);
    return opened.id;
  }

  /**
   * A condition that opens an incident of its own takes its service's symptoms from the service's incident whose
   * own conditions have all ended, when it can show as them (an OOM kill 15 s after a crash loop was fixed: the
   * errors are the new fault's now). The old incident resolves when nothing fires in it any more.
   */
  async #adoptOwnSymptoms(opened: Incident, lead: NormalizedAlert, now: Date): Promise<void> {
    if (!isPulledCondition(lead)) return;
    const symptomKey = incidentKey(lead, this.config.grouping.groupLabels);
    const state = await this.#store.keyState(symptomKey, now);
    if (!state || state.status !== 'firing' || state.incidentId === opened.id) return;
    const old = await this.#store.getIncident(state.incidentId);
    if (!old || old.status === 'resolved' || old.service !== lead.service) return;
    // An anomaly-only incident may be a fault still going on beside the new condition: it keeps its symptoms.
    if (!holdsKubeFailure(old)) return;
    const firing = await this.#store.firingAlerts(old.id);
    if (firingConditions(firing, lead.service, old).length) return;
    const symptoms = firing.filter((a) => a.key === symptomKey);
    const signals = [...new Set(symptoms.flatMap((a) => a.signals ?? []))].sort();
    if (!symptoms.length || !kubeFailureCanShowAs(lead.type, signals)) return;
    const batch: AlertBatch = {
      key: symptomKey,
      alertIds: [],
      fingerprints: [],
      count: 0,
      service: lead.service,
      types: [...new Set(symptoms.flatMap((a) => a.types ?? []))],
      ...(signals.length ? { signals } : {}),
      now,
    };
    if (await this.#store.attach(batch, opened.id, this.config.dedup, old.id)) await this.#resolveIfQuiet(old.id, symptomKey, now);
  }

  /** Resolves an incident that a move left with nothing firing (announced once). */
  async #resolveIfQuiet(incidentId: string, movedKey: string, now: Date): Promise<void> {
    const resolved = await this.#closeIfQuiet(incidentId, movedKey, now);
    if (resolved) await this.#deliver(resolved, 'resolved');
  }

  /** Marks resolved an incident that a move left with nothing firing (`alerts-moved`: not its fault's end); the caller announces it. */
  async #closeIfQuiet(incidentId: string, movedKey: string, now: Date): Promise<IncidentRecord | undefined> {
    if ((await this.#store.firingAlerts(incidentId)).length) return undefined;
    const current = await this.#store.getIncident(incidentId);
    return current && current.status !== 'resolved'
      ? this.#store.markResolved({ ...current, firingAlertIds: [] }, movedKey, now, this.config.dedup, ALERTS_MOVED)
      : undefined;
  }

  async #draft(group: AlertGroup, lead: NormalizedAlert, silences: Silence[], now: Date, attempt: number, previousId?: string): Promise<IncidentDraft> {
    const severity = lead.severity;
    const start = windowStart(
      group.alerts.map((a) => a.startsAt),
      now,
      this.config.dedup,
    );
    let id = incidentIdFor(group.key, attempt === 0 ? start : `${start}#${attempt}`);
    if (id === previousId) id = incidentIdFor(group.key, `${now.toISOString()}#${attempt}`);
    const silenced = group.alerts.every((a) => silencedBy(silenceLabels(a), silences, now));
    const importance = await this.#importance(lead, group);
    const routing = route({ severity, service: lead.service, labels: lead.labels }, this.config.routing);
    const owner = await this.#ownerOf(lead);
    return {
      id,
      cluster: lead.cluster,
      namespace: lead.namespace,
      service: lead.service,
      type: lead.type,
      severity,
      title: lead.message,
      importance,
      silenced,
      notify: !silenced && isNotifiable(importance, this.config.importance),
      ...(owner ? { owner } : {}),
      ...(lead.type === 'PredictedBreach' && lead.labels.predicted_breach_at ? { predictedBreachAt: lead.labels.predicted_breach_at } : {}),
      ...(await this.#observedAtOpen(lead, now)),
      windowStart: start,
      ...(routing.escalateAfterSeconds !== undefined ? { escalateAt: new Date(now.getTime() + routing.escalateAfterSeconds * 1000).toISOString() } : {}),
    };
  }

  /**
   * What the pull measured on the service, and whether its calls were all healthy as the incident opens: a symptom
   * its edges did not trace anywhere then is its own, and no callee failing later takes its incident over.
   */
  async #observedAtOpen(lead: NormalizedAlert, now: Date): Promise<Pick<IncidentDraft, 'observed'>> {
    const edges = EVIDENCE_SOURCES.has(lead.source) && !symptomOf(lead).own ? await this.#edgesFor(lead.cluster, now, lead.startsAt) : undefined;
    const calls = edges?.filter((e) => e.from === lead.service) ?? [];
    const callsHealthy = calls.length ? calls.every((e) => risingSignals(e).size === 0) : undefined;
    if (!lead.observed && callsHealthy === undefined) return {};
    return { observed: { ...lead.observed, ...(callsHealthy !== undefined ? { callsHealthy } : {}) } };
  }

  /**
   * When `batch.key` is a symptom in another service's open incident and this alert is not explained by that
   * incident's fault, moves the key into an incident of its own (announced once, `splitFrom` the old one).
   * Returns its id; undefined when nothing needed to split; null when a race was lost (start over).
   */
  async #splitIfUnexplained(
    group: AlertGroup,
    batch: AlertBatch,
    lead: NormalizedAlert,
    silences: Silence[],
    now: Date,
    attempt: number,
  ): Promise<string | undefined | null> {
    if (!EVIDENCE_SOURCES.has(lead.source) && !OWN_FAILURE.test(lead.type)) return undefined;
    const state = await this.#store.keyState(batch.key, now);
    if (!state || state.status !== 'firing') return undefined;
    const incident = await this.#store.getIncident(state.incidentId);
    if (!incident || incident.status === 'resolved') return undefined;
    if (incident.service === lead.service) {
      const firing = await this.#store.firingAlerts(incident.id);
      const late = this.#lateSignals(lead, incident, firing, now);
      if (
        !this.#backAfterQuiet(batch, lead, incident, state, firing, now) &&
        !(await this.#anotherKubeFailure(lead, incident, now, firing)) &&
        !this.#signalsReplaced(batch, lead, incident, firing) &&
        !late.length
      )
        return this.#rehome(batch, lead, incident, firing, now);
      // Not the fault its incident is about: a callee's open incident that explains it (its late request signals, where
      // it has some) takes it, else it opens its own.
      const lateRequests = late.filter((s) => requestSignal(s));
      const moved = await this.#moveToExplaining(batch, lateRequests.length ? { ...lead, signals: lateRequests } : lead, incident, now);
      if (moved !== undefined) return moved;
    } else {
      if ((await this.#rootFiring(incident)) && (await this.#explainedBy(lead, incident, now))) return undefined;
      // The fault this symptom joined has ended, moved to an incident of its own, or does not explain it (a second
      // fault downstream, overlapping the first): it follows another callee's open incident that explains it, else splits off.
      const moved = await this.#moveToExplaining(batch, lead, incident, now);
      if (moved !== undefined) return moved;
    }
    const draft = await this.#draft(group, lead, silences, now, attempt);
    if (draft.id === incident.id) draft.id = incidentIdFor(group.key, `${now.toISOString()}#split${attempt}`);
    const split = await this.#store.split(batch, incident.id, draft, this.config.dedup);
    if (!split) return null;
    // The incident it left may have nothing firing any more (its service's only key moved): it resolves, or nothing would
    // ever resolve it. Written before either announcement (each one's outbox completes it should it fail).
    const left = await this.#closeIfQuiet(incident.id, batch.key, now);
    try {
      await this.#deliver(split, 'opened');
    } finally {
      if (left) await this.#deliver(left, 'resolved');
    }
    await this.#adoptOwnSymptoms(split, lead, now);
    return split.id;
  }

  /**
   * An alert of the pull whose key went quiet longer than the flap window ago, in its service's incident that other
   * alerts kept open meanwhile, and that no condition of the service still firing there accounts for: the same failure
   * back minutes later is another fault (a flap comes back within the window).
   */
  #backAfterQuiet(batch: AlertBatch, lead: NormalizedAlert, incident: IncidentRecord, state: KeyState, firing: FiringAlert[], now: Date): boolean {
    if (!EVIDENCE_SOURCES.has(lead.source) || !state.quietSince) return false;
    if (now.getTime() - Date.parse(state.quietSince) <= this.config.flapSeconds * 1000) return false;
    if (firing.some((a) => a.key === batch.key)) return false;
    const conditions = firingConditions(firing, lead.service, incident);
    // A condition beside one that still fires is the same pods failing on.
    if (OWN_FAILURE.test(lead.type)) return !conditions.length;
    return !conditions.some((type) => kubeFailureCanShowAs(type, lead.signals ?? []));
  }

  /**
   * A Kubernetes failure of the service that the fault its open incident is about does not account for: a new kind
   * after every Kubernetes failure in the incident has ended (an image-pull failure after a crash loop was fixed), or
   * beside ones it can never be the same failure as (an image-pull failure while the pods crash loop); in
   * an anomaly-only incident, one that arrives well after the incident began (unless a signal there builds up to it:
   * memory before an OOM kill), or that cannot show as the signals the incident opened on (an image-pull failure during
   * a latency spike, a crash loop during a CPU spike).
   */
  async #anotherKubeFailure(lead: NormalizedAlert, incident: IncidentRecord, now: Date, firing?: FiringAlert[]): Promise<boolean> {
    if (!OWN_FAILURE.test(lead.type)) return false;
    const held = holdsKubeFailure(incident);
    if (held && (incident.types ?? [incident.type]).includes(lead.type)) return false;
    const inIncident = firing ?? (await this.#store.firingAlerts(incident.id));
    // None still firing (they ended), or only kinds it can never be one failure with: another fault.
    if (held) return firingConditions(inIncident, lead.service, incident).every((type) => kubeFailuresExclusive(type, lead.type));
    // A memory leak's OOM kill may come minutes after its memory signal opened the incident.
    if (kubeFailureFollows(lead.type, signalsSeen(incident, inIncident, lead.service))) return false;
    if (now.getTime() - Date.parse(incident.firstSeen) > this.config.newKindAfterSeconds * 1000) return true;
    return incident.type === 'AnomalyDetected' && !kubeFailureCanShowAs(lead.type, signalsIn(incident.title ?? ''));
  }

  /**
   * An anomaly of the pull whose signals share none with what its service's open incident has seen of it (the
   * signals it opened on, and those its alerts there last fired on), while no Kubernetes failure fires in it: the
   * condition the incident was opened for has ended and another began (a CPU spike followed 15 s later by an error
   * burst, or a crash loop fixed and a latency spike after it, before detection called the first one over). One
   * fault, one incident: the new one gets its own.
   */
  #signalsReplaced(batch: AlertBatch, lead: NormalizedAlert, incident: IncidentRecord, firing: FiringAlert[]): boolean {
    if (!EVIDENCE_SOURCES.has(lead.source) || lead.type !== 'AnomalyDetected' || !lead.signals?.length) return false;
    const before = new Set([...signalsIn(incident.title ?? ''), ...firing.filter((a) => a.key === batch.key).flatMap((a) => a.signals ?? [])]);
    if (!before.size || lead.signals.some((s) => before.has(s))) return false;
    return !firingConditions(firing, lead.service, incident).length;
  }

  /**
   * The signals of an anomaly that open a family its service's open incident has not seen (errors, latency, CPU, memory),
   * well into the incident (`signalOnsetSeconds`; memory `newKindAfterSeconds`), where nothing firing there can show as
   * them: like a condition of a new kind that late, another fault (a crash loop's errors, or a CPU spike, a minute into a
   * latency spike), where signals that come with the first ones are the same fault. One fault shows in all its signals
   * at once, or within a pull or two as each crosses its threshold. Except after memory: a leaking workload slows down
   * (collecting garbage) and fails requests (its pods killed) minutes after its memory alarmed.
   */
  #lateSignals(lead: NormalizedAlert, incident: IncidentRecord, firing: FiringAlert[], now: Date): string[] {
    if (!EVIDENCE_SOURCES.has(lead.source) || lead.type !== 'AnomalyDetected' || !lead.signals?.length) return [];
    const before = signalsSeen(incident, firing, lead.service);
    const seen = new Set(before.map(signalFamily));
    const leaking = before.includes('memory_usage');
    const fresh = lead.signals.filter((s) => !seen.has(signalFamily(s)) && (RESOURCE_SIGNALS.has(s) || !leaking));
    if (!fresh.length) return [];
    const lateAfter = fresh.every((s) => s === 'memory_usage') ? this.config.newKindAfterSeconds : this.config.signalOnsetSeconds;
    if (now.getTime() - Date.parse(incident.firstSeen) <= lateAfter * 1000) return [];
    return firingConditions(firing, lead.service, incident).some((type) => kubeFailureCanShowAs(type, fresh)) ? [] : fresh;
  }

  /**
   * A service whose own incident is only a symptom (an anomaly, no Kubernetes failure of its own) and whose
   * new alert is explained by a callee's open incident: the key moves there (a caller degraded by one fault
   * after another must not make one incident of them all); its old incident resolves when nothing fires in it.
   */
  async #rehome(batch: AlertBatch, lead: NormalizedAlert, incident: IncidentRecord, firing: FiringAlert[], now: Date): Promise<string | undefined | null> {
    if (!EVIDENCE_SOURCES.has(lead.source) || symptomOf(lead).own) return undefined;
    const conditions = firing.filter((a) => (a.types ?? []).some((t) => OWN_FAILURE.test(t)));
    // A Kubernetes failure of its own under this key (an Alertmanager rule's) keeps the key, and its alerts, where it is.
    if (conditions.some((a) => a.key === undefined || a.key === batch.key)) return undefined;
    // With no condition left to be its root, an incident that other services' symptoms joined keeps this key too.
    if (!conditions.length && (incident.services?.length ?? 1) > 1) return undefined;
    // The signals the incident opened on are its own condition's; the ones the service shows since need a cause.
    const accounted = conditions.length ? signalsIn(incident.title ?? '') : [];
    const news = (lead.signals ?? []).filter((s) => !accounted.includes(s));
    return this.#moveToExplaining(batch, news.length ? { ...lead, signals: news } : lead, incident, now);
  }

  /** Moves `batch.key` (and its firing alerts) from `incident` into the callee's open incident that explains `lead`, if any. */
  async #moveToExplaining(batch: AlertBatch, lead: NormalizedAlert, incident: IncidentRecord, now: Date): Promise<string | undefined | null> {
    if (!EVIDENCE_SOURCES.has(lead.source) || symptomOf(lead).own) return undefined;
    const graph = await this.#dependencies(lead.cluster, now);
    if (!graph || !(await this.#edgesFor(lead.cluster, now))) return undefined;
    const down = downstreamOf(lead.service, graph);
    const open = (await this.#joinableIncidents(lead.cluster, now, true)).filter(
      (c) => c.id !== incident.id && c.service !== lead.service && down.has(c.service),
    );
    const target = (await this.#explainedCandidates(lead, open, graph, now)).sort((a, b) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen))[0];
    if (!target) return undefined;
    const moved = await this.#store.attach(batch, target.id, this.config.dedup, incident.id);
    if (!moved) return null;
    await this.#resolveIfQuiet(incident.id, batch.key, now);
    return target.id;
  }

  /** Whether the incident's root condition still fires in it: a fault that ended, or moved to an incident of its own, explains nothing new. */
  async #rootFiring(incident: Incident): Promise<boolean> {
    return (await this.#store.firingAlerts(incident.id)).some((a) => a.key === undefined || a.service === incident.service);
  }

  /** Whether `incident`'s fault explains `alert` (a caller's symptom): never its own failure; edge evidence when there is some. */
  async #explainedBy(alert: Lead, incident: Incident, now: Date): Promise<boolean> {
    const symptom = symptomOf(alert);
    if (symptom.own) return false;
    const evidence = EVIDENCE_SOURCES.has(alert.source) ? await this.#edgesFor(alert.cluster, now, alert.startsAt) : undefined;
    const targets = new Set([incident.service, ...(incident.services ?? [])]);
    targets.delete(alert.service);
    return explains(alert.service, symptom, targets, evidence) !== 'unexplained';
  }

  /**
   * The pull reads edge evidence beside its detection: an alert may arrive before the evidence of its own pull
   * is stored. Waits for evidence as recent as the alert for at most `causeWaitSeconds`; evidence from before
   * the symptom began would call a propagated symptom unexplained.
   */
  async #awaitEvidence(lead: NormalizedAlert, now: Date): Promise<void> {
    if (!this.#evidence || !EVIDENCE_SOURCES.has(lead.source)) return;
    const wanted = Date.parse(lead.startsAt) - EVIDENCE_SLACK_MS;
    if (Number.isNaN(wanted)) return;
    const until = Date.now() + this.config.causeWaitSeconds * 1000;
    for (;;) {
      const cached = this.#evidenceCache.get(lead.cluster)?.evidence;
      if (cached && Date.parse(cached.at) >= wanted) return;
      const evidence = await this.#evidence.forCluster(lead.cluster).catch(() => undefined);
      this.#evidenceCache.set(lead.cluster, { at: now.getTime(), evidence });
      if (!evidence || Date.parse(evidence.at) >= wanted || Date.now() >= until) return;
      await sleep(CAUSE_POLL_MS);
    }
  }

  /**
   * The cluster's fresh edge evidence, cached per `evidenceCacheSeconds`; undefined when none (topology alone decides).
   * Evidence older than the symptom (`alert.startsAt`, less a little slack) says nothing about it: a pull that lags
   * under load would otherwise call every propagated symptom unexplained. No evidence is not evidence of independence.
   */
  async #edgesFor(cluster: string, now: Date, symptomStartedAt?: string): Promise<EdgeHealth[] | undefined> {
    if (!this.#evidence) return undefined;
    let cached = this.#evidenceCache.get(cluster);
    if (!cached || now.getTime() - cached.at >= this.config.evidenceCacheSeconds * 1000 || now.getTime() < cached.at) {
      cached = { at: now.getTime(), evidence: await this.#evidence.forCluster(cluster).catch(() => undefined) };
      this.#evidenceCache.set(cluster, cached);
    }
    const evidence = cached.evidence;
    if (!evidence || now.getTime() - Date.parse(evidence.at) > EDGE_THRESHOLDS.maxAgeSeconds * 1000) return undefined;
    const startedAt = symptomStartedAt ? Date.parse(symptomStartedAt) : NaN;
    if (!Number.isNaN(startedAt) && Date.parse(evidence.at) < startedAt - EVIDENCE_SLACK_MS) return undefined;
    return evidence.edges;
  }

  /**
   * A failing dependency that joins its callers' incident (their symptoms were seen first) becomes what the
   * incident is about: the incident names the cause, and its callers stay listed in `services`.
   */
  async #rerootOnCause(incident: IncidentRecord, lead: NormalizedAlert, graph: DependencyGraph | undefined, now: Date): Promise<void> {
    if (!graph || !downstreamOf(incident.service, graph).has(lead.service)) return;
    // A caller with a failure of its own (a Kubernetes condition: crash loop, image pull, ...) keeps its incident's name.
    if (holdsKubeFailure(incident)) return;
    const owner = await this.#ownerOf(lead);
    const cause = { service: lead.service, namespace: lead.namespace, type: lead.type, title: lead.message, ...(owner ? { owner } : {}) };
    const rerooted = await this.#store.reroot(incident.id, incident.service, cause, now);
    // Whoever was told "frontend is failing" hears that it is payment-service, once (the outbox makes it so).
    if (rerooted) await this.#deliver(rerooted, 'rerooted');
  }

  /**
   * The alert's team label, the routing config's service owner, else the catalog's; an owner the catalog
   * cannot tell (unreadable, unknown service) is no owner: it never blocks an incident.
   */
  async #ownerOf(lead: NormalizedAlert): Promise<string | undefined> {
    return ownerOf(lead.service, lead.labels, this.config.routing) ?? this.#owners?.ownerOf(lead.service, lead.namespace).catch(() => undefined);
  }

  /**
   * Decides under the cluster's open lease; while a callee failing at the same moment may still open the
   * incident this alert belongs to, gives the lease back and looks again, for at most `causeWaitSeconds`.
   */
  async #decideWaitingForCause(
    cluster: string,
    decide: (mayWait: boolean) => Promise<string | undefined | typeof WAIT_FOR_CAUSE>,
  ): Promise<string | undefined> {
    const until = Date.now() + this.config.causeWaitSeconds * 1000;
    for (;;) {
      const outcome = await this.#withOpenLease(cluster, () => decide(Date.now() < until));
      if (outcome !== WAIT_FOR_CAUSE) return decided(outcome);
      await sleep(CAUSE_POLL_MS);
    }
  }

  /** Runs `decide` while holding the cluster's open lease; a holder that crashed loses it after the lease. */
  async #withOpenLease<T>(cluster: string, decide: () => Promise<T>): Promise<T> {
    const name = `open#${cluster}`;
    const holder = randomUUID();
    const seconds = this.config.openLeaseSeconds;
    const deadline = Date.now() + seconds * 2000;
    while (!(await this.#store.claimLease(name, holder, new Date(), seconds))) {
      if (Date.now() > deadline) throw new Error(`Could not take the open lease of cluster ${cluster}: retry`);
      await sleep(20 + Math.random() * 60);
    }
    try {
      return await decide();
    } finally {
      await this.#store.releaseLease(name, holder);
    }
  }

  async #afterJoin(incident: IncidentRecord, lead: NormalizedAlert, group: AlertGroup, now: Date): Promise<void> {
    const raised = raisedSeverity(incident.severity, lead.severity);
    if (raised) {
      const wakeUp = incident.notify === false && !incident.silenced && isNotifiable(await this.#importance(lead, group), this.config.importance);
      const updated = await this.#store.raiseSeverity(incident, raised, now, wakeUp);
      if (updated) return this.#deliver(updated, 'severity-raised');
    }
    await this.#recover(incident, now);
  }

  async #resolve(group: AlertGroup, now: Date): Promise<string | undefined> {
    const batch = toBatch(group, now);
    // markResolved fails when alerts joined since the read (or someone else resolved): look again.
    for (let attempt = 0; attempt < this.config.maxAttempts; attempt++) {
      const incident = await this.#store.resolveAlerts(batch);
      if (!incident) return undefined;
      if (!shouldResolve(incident)) {
        if (incident.service === batch.service && incident.status !== 'resolved') {
          const ended = await this.#resolveOnRootEnd(incident, group.key, now);
          if (ended === null) continue;
          if (ended) return incident.id;
        }
        await this.#recover(incident, now);
        return incident.id;
      }
      const resolved = await this.#store.markResolved(incident, group.key, now, this.config.dedup);
      if (resolved) {
        await this.#deliver(resolved, 'resolved');
        return incident.id;
      }
    }
    throw new Error(`Could not resolve alerts for incident key ${group.key}: too much contention, retry`);
  }

  /**
   * The incident's root condition (its own service's alerts) has ended while other services' symptoms still
   * fire: waits up to `splitWaitSeconds` for them to end (they usually do within a pull), then resolves the
   * incident and splits the ones left into incidents of their own (each announced once, `splitFrom` it).
   * False while the root still fires; null when a race was lost (look again).
   */
  async #resolveOnRootEnd(incident: IncidentRecord, rootKey: string, now: Date): Promise<boolean | null> {
    const rootFiring = (alerts: FiringAlert[]) => alerts.some((a) => a.key === undefined || a.key === rootKey || a.service === incident.service);
    let firing = await this.#store.firingAlerts(incident.id);
    if (rootFiring(firing)) return false;
    const until = Date.now() + this.config.splitWaitSeconds * 1000;
    while (firing.length && Date.now() < until) {
      await sleep(CAUSE_POLL_MS * 2);
      firing = await this.#store.firingAlerts(incident.id);
      if (rootFiring(firing)) return false;
    }
    const current = await this.#store.getIncident(incident.id);
    if (!current || current.status === 'resolved') return true;
    const resolved = await this.#store.markResolved({ ...current, firingAlertIds: [] }, rootKey, now, this.config.dedup);
    if (!resolved) return null;
    await this.#deliver(resolved, 'resolved');
    const byKey = new Map<string, FiringAlert[]>();
    for (const a of await this.#store.firingAlerts(incident.id)) if (a.key) (byKey.get(a.key) ?? byKey.set(a.key, []).get(a.key)!).push(a);
    const open = byKey.size ? await this.#joinableIncidents(current.cluster, now, true) : [];
    for (const [key, alerts] of byKey) {
      const service = alerts[0].service ?? key;
      const type = alerts[0].types?.[0] ?? 'AnomalyDetected';
      const signals = [...new Set(alerts.flatMap((a) => a.signals ?? []))].sort();
      const batch: AlertBatch = {
        key,
        alertIds: [],
        fingerprints: [],
        count: 0,
        service,
        types: [...new Set(alerts.flatMap((a) => a.types ?? [type]))],
        ...(signals.length ? { signals } : {}),
        now,
      };
      // A symptom of a service whose own condition still fires in an incident of its own, and can show as it, goes back there.
      const own = await this.#incidentOfFiringCondition(service, signals, current, open);
      if (own && (await this.#store.attach(batch, own.id, this.config.dedup, current.id))) continue;
      const lead: NormalizedAlert = {
        fingerprint: key,
        alertId: alerts[0].alertId,
        source: 'split',
        cluster: current.cluster,
        namespace: current.namespace,
        service,
        type,
        severity: current.severity,
        status: 'firing',
        message: `${type} on ${service}${signals.length ? ` (${signals.join(', ')})` : ''}, still firing after ${current.service}'s ${current.type} ended`,
        labels: {},
        startsAt: now.toISOString(),
        ...(signals.length ? { signals } : {}),
      };
      const draft = await this.#draft({ key, status: 'firing', alerts: [lead] }, lead, await this.#activeSilences(now), now, 0);
      draft.id = incidentIdFor(key, `${now.toISOString()}#split`);
      const split = await this.#store.split(batch, current.id, draft, this.config.dedup);
      if (split) await this.#deliver(split, 'opened');
    }
    return true;
  }

  /** The open incident (other than `from`) in which a Kubernetes condition of `service` that can show as `signals` still fires. */
  async #incidentOfFiringCondition(service: string, signals: string[], from: Incident, open: IncidentRecord[]): Promise<IncidentRecord | undefined> {
    for (const incident of open) {
      if (incident.id === from.id || incident.service !== service || incident.namespace !== from.namespace) continue;
      const conditions = firingConditions(await this.#store.firingAlerts(incident.id), service, incident);
      if (conditions.some((type) => kubeFailureCanShowAs(type, signals))) return incident;
    }
    return undefined;
  }

  /** Takes over a delivery its winner did not finish (failed and released, or crashed past the lease). */
  async #recover(incident: IncidentRecord, now: Date): Promise<void> {
    if (!incident.pending) return;
    if ((incident.pendingAt ?? 0) + this.config.deliveryLeaseSeconds * 1000 > now.getTime()) return;
    if (await this.#store.claimDelivery(incident, now)) await this.#deliver(incident, incident.pending);
  }

  async #correlate(alert: NormalizedAlert, now: Date, graph: DependencyGraph | undefined): Promise<IncidentRecord | undefined> {
    const grouping = { ...this.config.grouping, dependencies: graph };
    const pulled = EVIDENCE_SOURCES.has(alert.source);
    if (!grouping.dependencies && grouping.similarityThreshold === undefined && !pulled) return undefined;
    const evidenceBacked = pulled && graph !== undefined && (await this.#edgesFor(alert.cluster, now, alert.startsAt)) !== undefined;
    const all = await this.#joinableIncidents(alert.cluster, now, evidenceBacked);
    // Any source may meet the pull's conditions here; without a graph only the pull's own alerts pay for the read.
    const ownService = await this.#sameServiceIncident(alert, all, now);
    // A condition is the service's own failure: its service's incident, or one of its own (a callee explains none of it).
    if (ownService && OWN_FAILURE.test(alert.type)) return ownService;
    if (!grouping.dependencies && grouping.similarityThreshold === undefined) return ownService;
    const down = graph ? downstreamOf(alert.service, graph) : new Set<string>();
    const ofCallee = (c: Incident) => [c.service, ...(c.services ?? [])].some((s) => down.has(s));
    const recentSince = now.getTime() - grouping.correlationWindowSeconds * 1000;
    // Past the correlation window only a callee's incident that the edges trace this alert to stays a candidate.
    const candidates = (grouping.dependencies ? await this.#explainedCandidates(alert, all, grouping.dependencies, now) : all).filter(
      (c) => Date.parse(c.lastSeen) >= recentSince || ofCallee(c),
    );
    let similarities: Map<string, number> | undefined;
    if (this.#similarity && grouping.similarityThreshold !== undefined) {
      const live = correlationCandidates(alert, candidates, now, grouping);
      if (live.length) {
        try {
          const scores = await this.#similarity.similarities(alertText(alert), live.map(incidentText));
          similarities = new Map(live.map((c, i) => [c.id, scores[i]]));
        } catch {
          // The model is an improvement, not a dependency: TF-IDF answers.
        }
      }
    }
    const correlated = findCorrelatedIncident(
      alert,
      candidates,
      now,
      { ...grouping, correlationWindowSeconds: this.#joinWindowSeconds(evidenceBacked) },
      similarities,
    ) as IncidentRecord | undefined;
    // A callee's incident that the edges trace this symptom to comes first; then the service's own condition.
    if (ownService && !(correlated && ofCallee(correlated))) return ownService;
    return correlated;
  }

  /**
   * The open incident of the alert's own service that the same fault opened: a pulled condition and its service's
   * symptoms key apart, and meet here. A condition joins the service's incident when its fault can be what that
   * incident is about (`#anotherKubeFailure`); a symptom joins the service's incident of a condition that still fires
   * and can show as its signals (a crash loop fails requests; an image that cannot be pulled fails none).
   */
  async #sameServiceIncident(alert: NormalizedAlert, open: IncidentRecord[], now: Date): Promise<IncidentRecord | undefined> {
    const own = open
      .filter((c) => c.status !== 'resolved' && c.cluster === alert.cluster && c.namespace === alert.namespace && c.service === alert.service)
      .sort((a, b) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen));
    for (const incident of own) {
      if (OWN_FAILURE.test(alert.type)) {
        if (!(await this.#anotherKubeFailure(alert, incident, now))) return incident;
        continue;
      }
      const conditions = firingConditions(await this.#store.firingAlerts(incident.id), alert.service, incident);
      if (conditions.some((type) => kubeFailureCanShowAs(type, alert.signals ?? []))) return incident;
    }
    return undefined;
  }

  /**
   * Candidates the topology relates to `alert`, kept only where the fault explains the symptom: a caller's
   * symptom joins a callee's incident when its edges trace it there (never its own failure); a callee joins
   * a caller's incident when the caller's edges trace the caller's symptom to it. Without edge evidence
   * (alerts from outside the pull, or no mesh) topology and time decide, as before. Unrelated candidates
   * stay (text similarity may still group them).
   */
  async #explainedCandidates(alert: Lead, candidates: IncidentRecord[], graph: DependencyGraph, now: Date): Promise<IncidentRecord[]> {
    const symptom = symptomOf(alert);
    const evidence = EVIDENCE_SOURCES.has(alert.source) ? await this.#edgesFor(alert.cluster, now, alert.startsAt) : undefined;
    const down = downstreamOf(alert.service, graph);
    const up = upstreamOf(alert.service, graph);
    const coOnset = new Set(alert.related ?? []);
    return candidates.filter((c) => {
      const members = new Set([c.service, ...(c.services ?? [])]);
      members.delete(alert.service);
      const isDown = [...members].some((s) => down.has(s));
      const isUp = up.has(c.service);
      if (!isDown && !isUp) return true;
      if (isDown && !symptom.own && explains(alert.service, symptom, members, evidence, coOnset) !== 'unexplained') return true;
      // A cause comes before its effects: a callee failing well after the caller's incident began is another fault.
      const causeFirst = !evidence || now.getTime() - Date.parse(c.firstSeen) <= this.config.upwardJoinSeconds * 1000;
      const callerOwn = holdsKubeFailure(c) || (evidence !== undefined && c.observed?.callsHealthy === true);
      if (isUp && causeFirst && (!evidence || (!callerOwn && explains(c.service, incidentSymptom(c), new Set([alert.service]), evidence) === 'explained')))
        return true;
      return false;
    });
  }

  /** The configured dependencies merged with the cluster's graph; undefined when neither exists. */
  async #dependencies(cluster: string, now: Date): Promise<DependencyGraph | undefined> {
    const graph = await this.#graphFor(cluster, now);
    const configured = this.config.grouping.dependencies;
    return graph ? mergeGraphs([configured ?? {}, graph]) : configured;
  }

  /** The cluster's dependency graph, read at most once per `graphCacheSeconds` per warm Lambda; a failed read means no graph. */
  async #graphFor(cluster: string, now: Date): Promise<DependencyGraph | undefined> {
    if (!this.#graphs) return undefined;
    const cached = this.#graphCache.get(cluster);
    if (cached && now.getTime() - cached.at < this.config.graphCacheSeconds * 1000 && now.getTime() >= cached.at) return cached.graph;
    const graph = await this.#graphs.forCluster(cluster).catch(() => undefined);
    this.#graphCache.set(cluster, { at: now.getTime(), graph });
    return graph;
  }

  async #importance(lead: NormalizedAlert, group: AlertGroup): Promise<number> {
    const input: ImportanceInput = {
      fingerprint: lead.fingerprint,
      cluster: lead.cluster,
      namespace: lead.namespace,
      service: lead.service,
      type: lead.type,
      severity: lead.severity,
      message: lead.message,
      environment: environmentOf(lead, this.config.importance.clusterEnvironments),
      instances: new Set(group.alerts.map((a) => a.alertId)).size,
      services: 1,
    };
    return this.#scorer ? this.#scorer.score(input) : ruleImportance(input, this.config.importance);
  }

  async #deliver(incident: IncidentRecord, transition: Transition): Promise<void> {
    const done = new Set(incident.doneTargets ?? []);
    const jobs: { target: string; run: () => Promise<void> }[] = [];
    const eventType = eventFor(transition);
    if (eventType && !incident.silenced) {
      const event: BusEvent = {
        source: EVENT_SOURCE,
        detailType: eventType,
        detail: publicIncident(incident),
        id: `${incident.id}:${transition}:${incident.version ?? 1}`,
      };
      jobs.push({ target: 'event', run: () => this.#publisher.publish([event]) });
    }
    if (incident.notify !== false && !incident.silenced) jobs.push(...this.#sends(incident, notificationFor(incident, transition, this.config.linkBase)));
    const todo = jobs.filter((j) => !done.has(j.target));
    const results = await Promise.allSettled(todo.map((j) => j.run()));
    const failures = todo.flatMap((j, i) => {
      const r = results[i];
      return r.status === 'rejected' ? [{ target: j.target, error: r.reason as unknown }] : [];
    });
    if (failures.length > 0) {
      const succeeded = todo.filter((_, i) => results[i].status === 'fulfilled').map((j) => j.target);
      await this.#store.releaseDelivery(incident, transition, succeeded);
      throw new DeliveryError(incident.id, failures);
    }
    if (incident.pending) await this.#store.completeDelivery(incident, transition);
  }

  /** One send per routed target of the incident (its severity, service and owner decide where). */
  #sends(incident: IncidentRecord, message: NotificationMessage, only?: (notifier: string) => boolean): { target: string; run: () => Promise<void> }[] {
    const targets = route(
      { severity: incident.severity, service: incident.service, labels: incident.owner ? { owner: incident.owner } : {} },
      this.config.routing,
    ).targets;
    return targets.flatMap((target) => {
      const notifier = this.#notifiers.get(target.notifier);
      if (!notifier || (only && !only(target.notifier))) return [];
      const channel = target.channel;
      return [{ target: `${target.notifier}${channel ? `:${channel}` : ''}`, run: () => notifier.send(channel ? { ...message, channel } : message) }];
    });
  }

  /**
   * Adds a message to an incident's conversation (an RCA report, for one): chat notifiers only, where the
   * incident's notifications go; nothing for a silenced or quiet incident. The caller makes it once.
   */
  async postToIncident(incidentId: string, message: NotificationMessage): Promise<number> {
    const incident = await this.#store.getIncident(incidentId);
    if (!incident || incident.notify === false || incident.silenced) return 0;
    const sends = this.#sends(incident, { ...message, incidentId }, (kind) => CHAT_NOTIFIERS.has(kind));
    await Promise.all(sends.map((s) => s.run()));
    return sends.length;
  }

  async #activeSilences(now: Date): Promise<Silence[]> {
    const cached = this.#silences;
    if (cached && now.getTime() - cached.at < this.config.silenceCacheSeconds * 1000 && now.getTime() >= cached.at) {
      return cached.items;
    }
    const items = await this.#store.activeSilences(now);
    this.#silences = { at: now.getTime(), items };
    return items;
  }

  /** Forget cached silences (after creating or deleting one in this process). */
  invalidateSilences(): void {
    this.#silences = undefined;
  }
}

/** What a signal measures: errors, latency (of any percentile), CPU or memory. */
const signalFamily = (signal: string): string => requestSignal(signal) ?? signal;

/** Whether an incident has held a Kubernetes failure (a condition), not only symptoms. */
function holdsKubeFailure(incident: Pick<Incident, 'type' | 'types'>): boolean {
  return (incident.types ?? [incident.type]).some((t) => OWN_FAILURE.test(t));
}

/** What an incident has seen of `service`: its title's signals, and those its firing alerts carry (a predicted breach's memory). */
function signalsSeen(incident: Pick<Incident, 'title'>, firing: readonly FiringAlert[], service: string): string[] {
  return [...signalsIn(incident.title ?? ''), ...firing.filter((a) => a.service === service).flatMap((a) => a.signals ?? [])];
}

/**
 * What an incident's own service showed as it opened, from its title's signals when it names some: an incident opened
 * on a CPU or memory signal is the workload's own doing, whatever its callees do later.
 */
function incidentSymptom(incident: Pick<IncidentRecord, 'type' | 'title' | 'observed'>) {
  const signals = signalsIn(incident.title ?? '');
  return symptomOf({ type: incident.type, message: incident.title ?? '', observed: incident.observed, ...(signals.length ? { signals } : {}) });
}

/** The Kubernetes condition types of `service` still firing among an incident's alerts (an alert without a service is the incident's). */
function firingConditions(firing: readonly FiringAlert[], service: string, incident: Pick<Incident, 'service'>): string[] {
  return firing.filter((a) => (a.service ?? incident.service) === service).flatMap((a) => (a.types ?? []).filter((t) => OWN_FAILURE.test(t)));
}

/** Whether the graph says anything about `service` (it calls, or is called by, something). */
function inGraph(service: string, graph: DependencyGraph): boolean {
  return (graph[service]?.length ?? 0) > 0 || upstreamOf(service, graph).size > 0;
}

function toBatch(group: AlertGroup, now: Date): AlertBatch {
  return {
    key: group.key,
    alertIds: [...new Set(group.alerts.map((a) => a.alertId))],
    fingerprints: [...new Set(group.alerts.map((a) => a.fingerprint))],
    count: group.alerts.length,
    service: group.alerts[0].service,
    types: [...new Set(group.alerts.map((a) => a.type))],
    ...(group.alerts.some((a) => a.signals?.length) ? { signals: [...new Set(group.alerts.flatMap((a) => a.signals ?? []))].sort() } : {}),
    severity: group.alerts.map((a) => a.severity).reduce(maxSeverity),
    now,
  };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} alert groups failed`);
  return results;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
