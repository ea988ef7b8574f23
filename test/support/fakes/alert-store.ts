/**
 * In-memory AlertStore: the DynamoDB store's decisions (conditional writes, one winner per race) over maps,
 * for unit tests and benches of the alert pipeline. Every method is synchronous inside, so a decision is
 * atomic the way one conditional write is.
 */
import { epochSeconds, firingExpiry, isExpired, resolvedExpiry, type DedupConfig, type DedupState } from '../../../functions/core/alerts/dedup.ts';
import { resolvedRecord, type Transition } from '../../../functions/core/alerts/incident-lifecycle.ts';
import type {
  AlertBatch,
  AlertStore,
  FiringAlert,
  IncidentDraft,
  IncidentRecord,
  KeyState,
  RootCause,
  TouchResult,
} from '../../../functions/core/alerts/ports.ts';
import type { Silence } from '../../../functions/core/alerts/silences.ts';
import type { Severity } from '../../../functions/core/alerts/types.ts';

const clone = <T>(x: T): T => structuredClone(x);
const union = (a: string[] | undefined, b: string[]) => [...new Set([...(a ?? []), ...b])].sort();

export class InMemoryAlertStore implements AlertStore {
  readonly dedup = new Map<string, DedupState>();
  readonly incidents = new Map<string, IncidentRecord>();
  /** incident id → alert id → the firing alert */
  readonly alerts = new Map<string, Map<string, FiringAlert>>();
  readonly silences: Silence[] = [];
  /** key → the last delivery it counted */
  readonly #lastDelivery = new Map<string, string>();
  readonly #leases = new Map<string, { holder: string; until: number }>();

  /** `join`: an alert the incident holds keeps its item unless the batch brings a signal it lacks (as the DynamoDB store does). */
  #put(incidentId: string, batch: AlertBatch, join = false): void {
    this.#recordDelivery(batch);
    const m = this.alerts.get(incidentId) ?? new Map<string, FiringAlert>();
    for (const alertId of batch.alertIds) {
      const held = m.get(alertId);
      if (join && held && (batch.signals ?? []).every((signal) => held.signals?.includes(signal))) continue;
      m.set(alertId, {
        alertId,
        key: batch.key,
        service: batch.service,
        types: [...batch.types].sort(),
        ...(batch.signals?.length ? { signals: [...batch.signals] } : {}),
      });
    }
    this.alerts.set(incidentId, m);
  }

  #firing(incidentId: string): string[] {
    return [...(this.alerts.get(incidentId)?.keys() ?? [])].sort();
  }

  #out(incident: IncidentRecord): IncidentRecord {
    return clone(incident);
  }

  async touch(batch: AlertBatch, dedup: DedupConfig): Promise<TouchResult> {
    const state = this.dedup.get(batch.key);
    const counted = batch.delivery !== undefined && this.#lastDelivery.get(batch.key) === batch.delivery;
    if (counted) batch = { ...batch, count: 0 };
    if (!state || state.status !== 'firing' || isExpired(state, batch.now))
      return { outcome: 'miss', ...(state ? { previous: clone(state) } : {}), ...(counted ? { counted: true as const } : {}) };
    state.lastSeen = batch.now.toISOString();
    state.expiresAt = firingExpiry(batch.now, dedup);
    state.alertCount += batch.count;
    this.#put(state.incidentId, batch, true);
    const incident = this.incidents.get(state.incidentId);
    if (!incident) return { outcome: 'miss' };
    if (incident.status === 'resolved') {
      const resolvedAt = incident.resolvedAt ?? batch.now.toISOString();
      return { outcome: 'miss', previous: { ...clone(state), status: 'resolved', resolvedAt, expiresAt: resolvedExpiry(new Date(resolvedAt), dedup) } };
    }
    incident.lastSeen = batch.now.toISOString();
    incident.alertCount += batch.count;
    incident.joins = (incident.joins ?? 0) + 1;
    incident.types = union(incident.types, batch.types);
    return { outcome: 'joined', incident: this.#out(incident) };
  }

  #claimable(key: string, now: Date, from?: string): boolean {
    const s = this.dedup.get(key);
    return !s || s.expiresAt < epochSeconds(now) || s.status === 'resolved' || (from !== undefined && s.incidentId === from);
  }

  #create(batch: AlertBatch, draft: IncidentDraft, dedup: DedupConfig, from?: string): IncidentRecord | undefined {
    this.#put(draft.id, batch);
    if (this.incidents.has(draft.id) || !this.#claimable(batch.key, batch.now, from)) {
      if (!this.incidents.has(draft.id)) this.alerts.delete(draft.id);
      return undefined;
    }
    const now = batch.now.toISOString();
    this.dedup.set(batch.key, {
      key: batch.key,
      incidentId: draft.id,
      status: 'firing',
      alertCount: batch.count,
      firstSeen: draft.windowStart,
      lastSeen: now,
      expiresAt: firingExpiry(batch.now, dedup),
    });
    const { windowStart: _w, ...rest } = draft;
    const record: IncidentRecord = {
      ...rest,
      status: 'open',
      alertCount: batch.count,
      firstSeen: now,
      lastSeen: now,
      services: [draft.service],
      types: [...new Set(batch.types)].sort(),
      keys: [batch.key],
      pending: 'opened',
      pendingAt: batch.now.getTime(),
      version: 1,
      joins: 1,
    };
    this.incidents.set(draft.id, record);
    return { ...this.#out(record), firingAlertIds: [...batch.alertIds].sort() };
  }

  async open(batch: AlertBatch, draft: IncidentDraft, dedup: DedupConfig): Promise<IncidentRecord | undefined> {
    return this.#create(batch, draft, dedup);
  }

  async split(batch: AlertBatch, from: string, draft: IncidentDraft, dedup: DedupConfig): Promise<IncidentRecord | undefined> {
    const moved = [...(this.alerts.get(from)?.values() ?? [])].filter((a) => a.key === batch.key).map((a) => a.alertId);
    const all: AlertBatch = { ...batch, alertIds: [...new Set([...batch.alertIds, ...moved])], count: batch.count || moved.length };
    if (!all.alertIds.length) return undefined;
    const created = this.#create(all, { ...draft, splitFrom: from }, dedup, from);
    if (created) for (const id of moved) this.alerts.get(from)?.delete(id);
    return created;
  }

  async reopen(batch: AlertBatch, previous: DedupState, dedup: DedupConfig): Promise<IncidentRecord | undefined> {
    this.#put(previous.incidentId, batch);
    const incident = this.incidents.get(previous.incidentId);
    let out: IncidentRecord | undefined;
    if (incident && incident.status === 'resolved') {
      const { resolvedAt: _r, resolution: _w, acknowledgedAt: _a, escalatedAt: _e, doneTargets: _d, ...rest } = incident;
      const next: IncidentRecord = {
        ...rest,
        status: 'open',
        lastSeen: batch.now.toISOString(),
        pending: 'reopened',
        pendingAt: batch.now.getTime(),
        alertCount: incident.alertCount + batch.count,
        joins: (incident.joins ?? 0) + 1,
        version: (incident.version ?? 1) + 1,
        types: union(incident.types, batch.types),
      };
      this.incidents.set(incident.id, next);
      out = this.#out(next);
    }
    const s = this.dedup.get(previous.key);
    if (s && s.incidentId === previous.incidentId) {
      s.status = 'firing';
      s.lastSeen = batch.now.toISOString();
      s.expiresAt = firingExpiry(batch.now, dedup);
      delete s.resolvedAt;
    }
    return out;
  }

  async attach(batch: AlertBatch, incidentId: string, dedup: DedupConfig, from?: string): Promise<IncidentRecord | undefined> {
    const moved = from ? [...(this.alerts.get(from)?.values() ?? [])].filter((a) => a.key === batch.key).map((a) => a.alertId) : [];
    this.#put(incidentId, { ...batch, alertIds: [...new Set([...batch.alertIds, ...moved])] });
    const incident = this.incidents.get(incidentId);
    if (!incident || incident.status === 'resolved' || !this.#claimable(batch.key, batch.now, from)) return undefined;
    for (const id of moved) this.alerts.get(from!)?.delete(id);
    const now = batch.now.toISOString();
    this.dedup.set(batch.key, {
      key: batch.key,
      incidentId,
      status: 'firing',
      alertCount: batch.count,
      firstSeen: now,
      lastSeen: now,
      expiresAt: firingExpiry(batch.now, dedup),
    });
    incident.lastSeen = now;
    incident.alertCount += batch.count;
    incident.joins = (incident.joins ?? 0) + 1;
    incident.services = union(incident.services, [batch.service]);
    incident.keys = union(incident.keys, [batch.key]);
    incident.types = union(incident.types, batch.types);
    return this.#out(incident);
  }

  async resolveAlerts(batch: AlertBatch): Promise<IncidentRecord | undefined> {
    const state = this.dedup.get(batch.key);
    if (!state) return undefined;
    state.quietSince = batch.now.toISOString();
    if (state.status === 'resolved' && isExpired(state, batch.now)) return undefined;
    for (const id of batch.alertIds) this.alerts.get(state.incidentId)?.delete(id);
    const incident = this.incidents.get(state.incidentId);
    if (!incident) return undefined;
    return { ...this.#out(incident), firingAlertIds: this.#firing(incident.id).slice(0, 1) };
  }

  async *unresolvedIncidents(cluster: string): AsyncGenerator<IncidentRecord> {
    for (const i of [...this.incidents.values()]) if (i.status !== 'resolved' && i.cluster === cluster) yield this.#out(i);
  }

  async dropAlerts(incidentId: string, alertIds: string[]): Promise<void> {
    for (const id of alertIds) this.alerts.get(incidentId)?.delete(id);
  }

  async firingAlerts(incidentId: string): Promise<FiringAlert[]> {
    return clone([...(this.alerts.get(incidentId)?.values() ?? [])]);
  }

  async keyState(key: string, now: Date): Promise<KeyState | undefined> {
    const s = this.dedup.get(key);
    return s && !isExpired(s, now) ? { incidentId: s.incidentId, status: s.status, ...(s.quietSince ? { quietSince: s.quietSince } : {}) } : undefined;
  }

  async markResolved(incident: IncidentRecord, key: string, now: Date, dedup: DedupConfig, resolution?: string): Promise<IncidentRecord | undefined> {
    const current = this.incidents.get(incident.id);
    if (!current || current.status === 'resolved' || current.joins !== incident.joins) return undefined;
    const nowIso = now.toISOString();
    const next = resolvedRecord(current, now, resolution);
    this.incidents.set(incident.id, next);
    for (const k of new Set([key, ...(current.keys ?? [])])) {
      const s = this.dedup.get(k);
      if (s && s.incidentId === incident.id) Object.assign(s, { status: 'resolved', resolvedAt: nowIso, expiresAt: resolvedExpiry(now, dedup) });
    }
    return this.#out(next);
  }

  async acknowledge(incidentId: string, now: Date): Promise<IncidentRecord> {
    const incident = this.incidents.get(incidentId);
    if (!incident) throw new Error(`incident ${incidentId} not found`);
    if (incident.status !== 'open') throw new Error(`incident ${incidentId} is ${incident.status}`);
    Object.assign(incident, {
      status: 'acknowledged',
      acknowledgedAt: now.toISOString(),
      pending: 'acknowledged',
      pendingAt: now.getTime(),
      version: (incident.version ?? 1) + 1,
    });
    delete incident.doneTargets;
    return this.#out(incident);
  }

  async raiseSeverity(incident: IncidentRecord, to: Severity, now: Date, notify?: boolean): Promise<IncidentRecord | undefined> {
    const current = this.incidents.get(incident.id);
    if (!current || current.severity !== incident.severity || current.status === 'resolved') return undefined;
    Object.assign(current, {
      severity: to,
      pending: 'severity-raised',
      pendingAt: now.getTime(),
      version: (current.version ?? 1) + 1,
      ...(notify ? { notify: true } : {}),
    });
    delete current.doneTargets;
    return this.#out(current);
  }

  async markEscalated(incidentId: string, now: Date): Promise<IncidentRecord | undefined> {
    const i = this.incidents.get(incidentId);
    if (!i || i.status !== 'open' || !i.escalateAt || i.escalateAt > now.toISOString() || i.escalatedAt) return undefined;
    Object.assign(i, { escalatedAt: now.toISOString(), pending: 'escalated', pendingAt: now.getTime(), version: (i.version ?? 1) + 1 });
    delete i.doneTargets;
    return this.#out(i);
  }

  async getIncident(incidentId: string): Promise<IncidentRecord | undefined> {
    const i = this.incidents.get(incidentId);
    return i ? this.#out(i) : undefined;
  }

  async recentOpenIncidents(cluster: string, since: Date): Promise<IncidentRecord[]> {
    return [...this.incidents.values()]
      .filter((i) => i.status !== 'resolved' && i.cluster === cluster && i.lastSeen >= since.toISOString())
      .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen))
      .slice(0, 100)
      .map((i) => this.#out(i));
  }

  async claimDelivery(incident: IncidentRecord, now: Date): Promise<boolean> {
    const i = this.incidents.get(incident.id);
    if (!i || i.pending !== incident.pending || (i.pendingAt ?? 0) !== (incident.pendingAt ?? 0)) return false;
    i.pendingAt = now.getTime();
    return true;
  }

  #deliveryMatches(incident: Pick<IncidentRecord, 'id' | 'version'>, transition: Transition): IncidentRecord | undefined {
    const i = this.incidents.get(incident.id);
    return i && i.pending === transition && (i.version ?? 1) === (incident.version ?? 1) ? i : undefined;
  }

  async completeDelivery(incident: Pick<IncidentRecord, 'id' | 'version'>, transition: Transition): Promise<void> {
    const i = this.#deliveryMatches(incident, transition);
    if (!i) return;
    delete i.pending;
    delete i.pendingAt;
    delete i.doneTargets;
  }

  async releaseDelivery(incident: Pick<IncidentRecord, 'id' | 'version'>, transition: Transition, doneTargets: string[]): Promise<void> {
    const i = this.#deliveryMatches(incident, transition);
    if (!i) return;
    i.pendingAt = 0;
    if (doneTargets.length) i.doneTargets = union(i.doneTargets, doneTargets);
  }

  async activeSilences(now: Date): Promise<Silence[]> {
    return this.silences.filter((s) => Date.parse(s.startsAt) <= now.getTime() && Date.parse(s.endsAt) > now.getTime());
  }

  #recordDelivery(batch: AlertBatch): void {
    if (batch.delivery !== undefined) this.#lastDelivery.set(batch.key, batch.delivery);
  }

  async claimLease(name: string, holder: string, now: Date, seconds: number): Promise<boolean> {
    const l = this.#leases.get(name);
    if (l && l.until >= now.getTime() && l.holder !== holder) return false;
    this.#leases.set(name, { holder, until: now.getTime() + seconds * 1000 });
    return true;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    if (this.#leases.get(name)?.holder === holder) this.#leases.delete(name);
  }

  async reroot(incidentId: string, from: string, to: RootCause, now: Date): Promise<IncidentRecord | undefined> {
    const i = this.incidents.get(incidentId);
    if (!i || i.service !== from || i.status === 'resolved') return undefined;
    Object.assign(i, {
      service: to.service,
      namespace: to.namespace,
      type: to.type,
      title: to.title,
      rerootedFrom: from,
      pending: 'rerooted',
      pendingAt: now.getTime(),
      version: (i.version ?? 1) + 1,
      services: union(i.services, [to.service]),
      ...(to.owner ? { owner: to.owner } : {}),
    });
    delete i.doneTargets;
    return this.#out(i);
  }
}
