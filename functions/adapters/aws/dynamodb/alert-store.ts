import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { epochSeconds, firingExpiry, isExpired, resolvedExpiry, type DedupConfig, type DedupState } from '../../../core/alerts/dedup.ts';
import { resolvedRecord, type Transition } from '../../../core/alerts/incident-lifecycle.ts';
import type { AlertBatch, AlertStore, FiringAlert, IncidentDraft, IncidentRecord, KeyState, RootCause, TouchResult } from '../../../core/alerts/ports.ts';
import type { Silence } from '../../../core/alerts/silences.ts';
import { severityRank, type Severity } from '../../../core/alerts/types.ts';
import {
  DEDUP_SK,
  DynamoIncidentStore,
  FAST_COUNT_PREFIX,
  INCIDENT_REFRESH_SECONDS,
  INCIDENT_SK,
  dedupPk,
  MeteredTable,
  incidentPk,
  isConditionFailure,
  statusIndexPk,
  statusIndexSk,
  toIncidentRecord,
  UNRESOLVED_INDEX_SET,
  type DynamoStoreOptions,
} from './incident-store.ts';
import { DynamoSilenceStore } from './silence-store.ts';

export { DynamoRequestMeter } from './incident-store.ts';

const ALERT_PREFIX = 'ALERT#';
const leasePk = (name: string) => `LEASE#${name}`;
const LEASE_SK = 'LEASE';
const alertSk = (alertId: string) => `${ALERT_PREFIX}${alertId}`;
/** BatchWriteItem's limit, and how many such batches run at once. */
const BATCH_WRITE_SIZE = 25;
const BATCH_WRITE_CONCURRENCY = 4;
/** A transaction holds 100 items: alert items of a new incident ride in its creating transaction up to this many. */
const TRANSACT_ALERT_ITEMS = 96;
/** A duplicate's condition names each alert id and type (an expression is capped at 4 KB): larger writes take the full path. */
const DUPLICATE_MAX_IDS = 20;
/** Alert ids a dedup item records at most (about 1 KB): beyond them, a key's alerts always take the full path. */
const SEEN_MAX = 30;
/** A dedup item that points at an incident, live and firing. */
const LIVE_FIRING = 'attribute_exists(pk) AND dedupStatus = :firing AND expiresAt >= :nowSec';

/** Alert types of a write as a DynamoDB string set (a batch always has at least one alert). */
function typesOf(batch: AlertBatch): Set<string> {
  return new Set(batch.types);
}

/**
 * The condition under which a write is a pure duplicate (see `touch`); one that can never hold beside LIVE_FIRING
 * when the write is too large to name in an expression or carries no severity.
 */
function duplicateCondition(batch: AlertBatch, now: Date): { condition: string; values: Record<string, unknown> } {
  const signals = batch.signals ?? [];
  const small =
    batch.alertIds.length > 0 && batch.alertIds.length <= DUPLICATE_MAX_IDS && batch.types.length <= DUPLICATE_MAX_IDS && signals.length <= DUPLICATE_MAX_IDS;
  if (!batch.severity || !small) return { condition: 'attribute_not_exists(pk)', values: {} };
  const values: Record<string, unknown> = { ':fresh': now.getTime() - INCIDENT_REFRESH_SECONDS * 1000, ':sev': batch.severity };
  const parts = ['attribute_exists(gen)', 'touchedAt >= :fresh', 'severity = :sev'];
  batch.alertIds.forEach((id, i) => {
    values[`:a${i}`] = id;
    parts.push(`contains(seen, :a${i})`);
  });
  batch.types.forEach((type, i) => {
    values[`:t${i}`] = type;
    parts.push(`contains(seenTypes, :t${i})`);
  });
  // An anomaly that gained a signal takes the full path: its alert items record the signals (the grouping rules read them).
  signals.forEach((signal, i) => {
    values[`:s${i}`] = signal;
    parts.push(`contains(seenSignals, :s${i})`);
  });
  return { condition: parts.join(' AND '), values };
}

/** What `duplicateCondition` asks of the key's item, read from it: the incident holds the whole batch already. */
function holdsAlready(item: Record<string, unknown>, batch: AlertBatch, now: Date): boolean {
  const seen = item.seen instanceof Set ? (item.seen as Set<string>) : undefined;
  const seenTypes = item.seenTypes instanceof Set ? (item.seenTypes as Set<string>) : undefined;
  return (
    typeof item.gen === 'string' &&
    Number(item.touchedAt ?? 0) >= now.getTime() - INCIDENT_REFRESH_SECONDS * 1000 &&
    batch.severity !== undefined &&
    item.severity === batch.severity &&
    batch.alertIds.every((id) => seen?.has(id)) &&
    batch.types.every((type) => seenTypes?.has(type)) &&
    signalsRecorded(item, batch)
  );
}

/** Whether the key's item records every detection signal of the batch (its alert items carry them). */
function signalsRecorded(item: Record<string, unknown>, batch: AlertBatch): boolean {
  const seenSignals = item.seenSignals instanceof Set ? (item.seenSignals as Set<string>) : undefined;
  return (batch.signals ?? []).every((signal) => seenSignals?.has(signal));
}

function toDedupState(item: Record<string, unknown>): DedupState {
  return {
    key: String(item.key),
    incidentId: String(item.incidentId),
    status: item.dedupStatus === 'resolved' ? 'resolved' : 'firing',
    alertCount: Number(item.alertCount ?? 0),
    firstSeen: String(item.firstSeen),
    lastSeen: String(item.lastSeen),
    ...(item.resolvedAt ? { resolvedAt: String(item.resolvedAt) } : {}),
    ...(item.quietSince ? { quietSince: String(item.quietSince) } : {}),
    expiresAt: Number(item.expiresAt),
  };
}

/** The outbox entry of exactly this state change: same transition and same incident version. */
function deliveryCondition(incident: Pick<IncidentRecord, 'version'>, transition: Transition) {
  return incident.version === undefined
    ? { ConditionExpression: 'pending = :t AND attribute_not_exists(version)', ExpressionAttributeValues: { ':t': transition } as Record<string, unknown> }
    : {
        ConditionExpression: 'pending = :t AND version = :v',
        ExpressionAttributeValues: { ':t': transition, ':v': incident.version } as Record<string, unknown>,
      };
}

function cancellationCodes(error: unknown): string[] | undefined {
  if (error instanceof TransactionCanceledException || (error as { name?: string })?.name === 'TransactionCanceledException') {
    return ((error as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  }
  return undefined;
}

/**
 * Dedup state and incidents in the single table.
 *
 * Per-alert state lives in its own items, never on the incident: each firing alert instance is an item
 * `INCIDENT#<id> / ALERT#<alertId>`, deleted when it resolves, so the incident item stays the same
 * size however many alerts join it (an item is capped at 400 KB). The incident resolves when no alert
 * item is left. Alert items are always written before the incident update that admits them, and every
 * such update bumps `joins`; resolving is conditional on `joins` being what it was when no alert item
 * was found, so an alert joining concurrently is never lost.
 *
 * Requests per write (counted on the wire in test/integration/alerts/request-budget.test.ts): a duplicate (alerts the
 * incident holds, at a severity it has) is 1 (a webhook's too: the key records the last delivery it counted, so a
 * sender's retry of it counts nothing), a conditional UpdateItem on the key's dedup item that counts it there
 * (readers of the incident add those counts: see DynamoIncidentStore.withDuplicates); a new incident is 3 (that
 * update failing, one transaction creating dedup state, incident and alert items, the outbox completion); an alert
 * the incident has not seen is 4 (the failed update, alert items, incident update, what the key has recorded). The
 * correlation lookup adds its reads when a dependency graph or similarity is configured. A batch of pods of one
 * service is one such write (plus one alert-item request per 25 pods beyond a transaction), not one per pod.
 */
export class DynamoAlertStore implements AlertStore {
  readonly #table: MeteredTable;
  readonly incidents: DynamoIncidentStore;
  readonly silences: DynamoSilenceStore;

  constructor(options: DynamoStoreOptions) {
    this.#table = new MeteredTable(options);
    this.incidents = new DynamoIncidentStore(this.#table);
    this.silences = new DynamoSilenceStore(this.#table);
  }

  get meter() {
    return this.#table.meter;
  }

  /**
   * One conditional UpdateItem on the key's dedup item: when the incident already holds every alert of the batch
   * (`seen`), at this severity, with its types, and was written through this key lately (`touchedAt`, cleared while
   * a failed delivery waits for a redelivery), it only counts (`fastCount`; readers add it) and slides the window.
   * Otherwise the same request returns the state and the full join follows.
   */
  async touch(batch: AlertBatch, dedup: DedupConfig): Promise<TouchResult> {
    const now = batch.now;
    const duplicate = duplicateCondition(batch, now);
    const delivery = batch.delivery;
    let old: Record<string, unknown> | undefined;
    try {
      const out = await this.#table.send<{ Attributes?: Record<string, unknown> }>(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: { pk: dedupPk(batch.key), sk: DEDUP_SK },
          UpdateExpression: `SET lastSeen = :now, expiresAt = :exp${delivery ? ', lastDelivery = :dlv' : ''} ADD alertCount :n, fastCount :n`,
          ConditionExpression: `${LIVE_FIRING} AND ${duplicate.condition}${delivery ? ' AND (attribute_not_exists(lastDelivery) OR lastDelivery <> :dlv)' : ''}`,
          ExpressionAttributeValues: {
            ':now': now.toISOString(),
            ':exp': firingExpiry(now, dedup),
            ':n': batch.count,
            ':firing': 'firing',
            ':nowSec': epochSeconds(now),
            ...duplicate.values,
            ...(delivery ? { ':dlv': delivery } : {}),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { outcome: 'duplicate', incidentId: String(out.Attributes!.incidentId) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      old = error.Item ? unmarshall(error.Item as never) : undefined;
    }
    if (!old) return { outcome: 'miss' };
    // A retried delivery this key has counted already (its first try got this far): everything again, counting nothing.
    const counted = delivery !== undefined && old.lastDelivery === delivery;
    if (counted) batch = { ...batch, count: 0 };
    const state = toDedupState(old);
    if (counted && state.status === 'firing' && !isExpired(state, now) && holdsAlready(old, batch, now))
      return { outcome: 'duplicate', incidentId: state.incidentId };
    if (state.status !== 'firing' || isExpired(state, now)) return { outcome: 'miss', previous: state, ...(counted ? { counted: true as const } : {}) };
    return this.#join(batch, state, old, dedup);
  }

  /**
   * Alert items (unless the key's item says the incident holds them), then the incident update and what the key
   * records. When the key already recorded a severity at least this write's, both go in one transaction that
   * also requires no delivery waiting on the incident: then the pipeline has nothing left to do (no raise, nothing
   * to recover), and the join is 3 requests. Otherwise (or when that transaction is refused) the incident update
   * returns the incident for the pipeline and the key's record follows: 4.
   */
  async #join(batch: AlertBatch, state: DedupState, old: Record<string, unknown>, dedup: DedupConfig): Promise<TouchResult> {
    const now = batch.now;
    const seen = old.seen instanceof Set ? (old.seen as Set<string>) : undefined;
    if (!batch.alertIds.every((id) => seen?.has(id)) || !signalsRecorded(old, batch)) await this.#putAlerts(state.incidentId, batch);
    const recorded = typeof old.severity === 'string' ? (old.severity as Severity) : undefined;
    if (batch.severity && recorded && severityRank(recorded) >= severityRank(batch.severity)) {
      const quiet = this.#incidentJoin(batch, state.incidentId, old);
      quiet.ConditionExpression += ' AND attribute_not_exists(pending)';
      try {
        await this.#table.send(
          new TransactWriteCommand({ TransactItems: [{ Update: quiet }, { Update: this.#keyRecord(batch, state, old, dedup, { settled: true }) }] as never }),
        );
        return { outcome: 'duplicate', incidentId: state.incidentId };
      } catch (error) {
        // A delivery waits, the incident resolved, or the key moved or saw a resolve: nothing was written; the long way decides.
        if (!cancellationCodes(error)) throw error;
      }
    }
    let incident: IncidentRecord;
    try {
      const out = await this.#table.send<{ Attributes?: Record<string, unknown> }>(
        new UpdateCommand({ ...this.#incidentJoin(batch, state.incidentId, old), ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      );
      incident = toIncidentRecord(out.Attributes!);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Dedup state says firing but the incident was resolved through another key of it: treat as resolved.
      const resolvedIncident = error.Item ? toIncidentRecord(error.Item as Record<string, unknown>, true) : undefined;
      if (!resolvedIncident) return { outcome: 'miss' };
      const resolvedAt = resolvedIncident.resolvedAt ?? now.toISOString();
      return {
        outcome: 'miss',
        previous: { ...state, status: 'resolved', resolvedAt, expiresAt: resolvedExpiry(new Date(resolvedAt), dedup) },
      };
    }
    // Not the severity when the incident is below it (the pipeline raises it next; until that is stored a duplicate
    // must come this way), nor `touchedAt` while a failed delivery waits (the full path retries it).
    const settled = !incident.pending || (incident.pendingAt ?? 0) > 0;
    const severity = batch.severity && severityRank(incident.severity) >= severityRank(batch.severity) ? batch.severity : undefined;
    try {
      await this.#table.send(new UpdateCommand(this.#keyRecord(batch, state, old, dedup, { settled, ...(severity ? { severity } : {}) })));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The key moved, resolved or saw a resolve meanwhile: nothing recorded, the next alert comes the full way. A
      // firing key still slides its window (the alert just joined).
      await this.#slideWindow(batch, state.incidentId, dedup);
    }
    return { outcome: 'joined', incident };
  }

  /** The incident update of a join: counts, types, activity, and the key's duplicates so far (by generation, idempotent). */
  #incidentJoin(batch: AlertBatch, incidentId: string, old: Record<string, unknown>) {
    const now = batch.now.toISOString();
    const gen = typeof old.gen === 'string' ? old.gen : undefined;
    return {
      TableName: this.#table.tableName,
      Key: { pk: incidentPk(incidentId), sk: INCIDENT_SK },
      UpdateExpression: `SET lastSeen = :now, gsi1sk = :gsk, ${UNRESOLVED_INDEX_SET}${gen ? ', #fc = :fc' : ''} ADD alertCount :n, joins :one, #types :types`,
      ConditionExpression: 'attribute_exists(pk) AND #status <> :resolved',
      ExpressionAttributeNames: {
        '#status': 'status',
        '#types': 'types',
        '#cluster': 'cluster',
        ...(gen ? { '#fc': `${FAST_COUNT_PREFIX}${gen}` } : {}),
      } as Record<string, string>,
      ExpressionAttributeValues: {
        ':now': now,
        ':gsk': statusIndexSk(now, incidentId),
        ':n': batch.count,
        ':one': 1,
        ':types': typesOf(batch),
        ':resolved': 'resolved',
        ...(gen ? { ':fc': Number(old.fastCount ?? 0) } : {}),
      } as Record<string, unknown>,
    };
  }

  /**
   * What the key records after a join so that the next duplicates take the one-request path: the alerts the incident
   * now holds (up to SEEN_MAX, which keeps the item small: an update is billed by item size), their types, the
   * severity the incident has, and when the incident was written. Conditional on no resolve of this key having run
   * since the state was read (`rv`: its alert items may be gone).
   */
  #keyRecord(batch: AlertBatch, state: DedupState, old: Record<string, unknown>, dedup: DedupConfig, what: { settled: boolean; severity?: Severity }) {
    const seenBefore = old.seen instanceof Set ? (old.seen as Set<string>).size : 0;
    const recordIds = batch.alertIds.length > 0 && seenBefore + batch.alertIds.length <= SEEN_MAX;
    const sets = ['lastSeen = :now', 'expiresAt = :exp', 'gen = if_not_exists(gen, :gen)'];
    if (what.settled) sets.push('touchedAt = :ms');
    if (what.severity) sets.push('severity = :sev');
    if (batch.delivery) sets.push('lastDelivery = :dlv');
    const adds = ['alertCount :n', 'seenTypes :types', ...(recordIds ? ['seen :ids'] : []), ...(batch.signals?.length ? ['seenSignals :sigs'] : [])];
    const conditions = ['incidentId = :id', 'dedupStatus = :firing', old.rv === undefined ? 'attribute_not_exists(rv)' : 'rv = :rv'];
    if (recordIds) conditions.push('(attribute_not_exists(seen) OR size(seen) <= :room)');
    return {
      TableName: this.#table.tableName,
      Key: { pk: dedupPk(batch.key), sk: DEDUP_SK },
      UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}${what.settled ? '' : ' REMOVE touchedAt'}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeValues: {
        ':now': batch.now.toISOString(),
        ':exp': firingExpiry(batch.now, dedup),
        ':gen': randomUUID(),
        ':n': batch.count,
        ':types': typesOf(batch),
        ':id': state.incidentId,
        ':firing': 'firing',
        ...(what.settled ? { ':ms': batch.now.getTime() } : {}),
        ...(what.severity ? { ':sev': what.severity } : {}),
        ...(recordIds ? { ':ids': new Set(batch.alertIds), ':room': SEEN_MAX - batch.alertIds.length } : {}),
        ...(batch.signals?.length ? { ':sigs': new Set(batch.signals) } : {}),
        ...(old.rv === undefined ? {} : { ':rv': old.rv }),
        ...(batch.delivery ? { ':dlv': batch.delivery } : {}),
      },
    };
  }

  async #slideWindow(batch: AlertBatch, incidentId: string, dedup: DedupConfig): Promise<void> {
    try {
      await this.#table.send(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: { pk: dedupPk(batch.key), sk: DEDUP_SK },
          UpdateExpression: `SET lastSeen = :now, expiresAt = :exp${batch.delivery ? ', lastDelivery = :dlv' : ''} ADD alertCount :n`,
          ConditionExpression: 'incidentId = :id AND dedupStatus = :firing',
          ExpressionAttributeValues: {
            ':now': batch.now.toISOString(),
            ':exp': firingExpiry(batch.now, dedup),
            ':n': batch.count,
            ':id': incidentId,
            ':firing': 'firing',
            ...(batch.delivery ? { ':dlv': batch.delivery } : {}),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  open(batch: AlertBatch, draft: IncidentDraft, dedup: DedupConfig): Promise<IncidentRecord | undefined> {
    return this.#create(batch, draft, this.#claimDedupKey(batch, draft.id, draft.windowStart, dedup, draft.severity));
  }

  async split(batch: AlertBatch, from: string, draft: IncidentDraft, dedup: DedupConfig): Promise<IncidentRecord | undefined> {
    const moved = (await this.firingAlerts(from)).filter((a) => a.key === batch.key).map((a) => a.alertId);
    const all: AlertBatch = { ...batch, alertIds: [...new Set([...batch.alertIds, ...moved])], count: batch.count || moved.length };
    if (!all.alertIds.length) return undefined;
    const claim = this.#claimDedupKey(all, draft.id, draft.windowStart, dedup, draft.severity);
    // The key may also be taken from the incident it points at (the one being split).
    claim.Put.ConditionExpression = `${claim.Put.ConditionExpression} OR incidentId = :from`;
    (claim.Put.ExpressionAttributeValues as Record<string, unknown>)[':from'] = from;
    const created = await this.#create(all, { ...draft, splitFrom: from }, claim, await this.#keepDuplicates(claim, from));
    if (created && moved.length) await this.#deleteAlerts(from, moved);
    return created;
  }

  async firingAlerts(incidentId: string): Promise<FiringAlert[]> {
    const out: FiringAlert[] = [];
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#table.send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
        new QueryCommand({
          TableName: this.#table.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :alert)',
          ExpressionAttributeValues: { ':pk': incidentPk(incidentId), ':alert': ALERT_PREFIX },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    for (const item of items) {
      out.push({
        alertId: String(item.sk).slice(ALERT_PREFIX.length),
        ...(typeof item.key === 'string' ? { key: item.key } : {}),
        ...(typeof item.service === 'string' ? { service: item.service } : {}),
        ...(item.types ? { types: [...(item.types as Iterable<string>)].sort() } : {}),
        ...(Array.isArray(item.signals) ? { signals: item.signals.map(String) } : {}),
      });
    }
    return out;
  }

  async keyState(key: string, now: Date): Promise<KeyState | undefined> {
    const got = await this.#table.send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: this.#table.tableName, Key: { pk: dedupPk(key), sk: DEDUP_SK }, ConsistentRead: true }),
    );
    if (!got.Item) return undefined;
    const state = toDedupState(got.Item);
    if (isExpired(state, now)) return undefined;
    return { incidentId: state.incidentId, status: state.status, ...(state.quietSince ? { quietSince: state.quietSince } : {}) };
  }

  /** One transaction: the key's claim, the incident and (up to TRANSACT_ALERT_ITEMS) its alert items; `extra` rides along. */
  async #create(
    batch: AlertBatch,
    draft: IncidentDraft,
    claim: { Put: Record<string, unknown> },
    extra: Record<string, unknown>[] = [],
  ): Promise<IncidentRecord | undefined> {
    const now = batch.now.toISOString();
    const record: IncidentRecord = {
      id: draft.id,
      cluster: draft.cluster,
      namespace: draft.namespace,
      service: draft.service,
      type: draft.type,
      severity: draft.severity,
      status: 'open',
      alertCount: batch.count,
      firstSeen: now,
      lastSeen: now,
      title: draft.title,
      importance: draft.importance,
      notify: draft.notify,
      silenced: draft.silenced,
      ...(draft.owner ? { owner: draft.owner } : {}),
      ...(draft.escalateAt ? { escalateAt: draft.escalateAt } : {}),
      ...(draft.splitFrom ? { splitFrom: draft.splitFrom } : {}),
      ...(draft.predictedBreachAt ? { predictedBreachAt: draft.predictedBreachAt } : {}),
      ...(draft.observed ? { observed: draft.observed } : {}),
      services: [draft.service],
      types: [...typesOf(batch)].sort(),
      keys: [batch.key],
      firingAlertIds: [...batch.alertIds].sort(),
      pending: 'opened',
      pendingAt: batch.now.getTime(),
      version: 1,
      joins: 1,
    };
    const { services, types, keys, firingAlertIds: _firing, ...scalars } = record;
    const inTransaction = batch.alertIds.length <= TRANSACT_ALERT_ITEMS;
    if (!inTransaction) await this.#putAlerts(draft.id, batch);
    try {
      await this.#table.send(
        new TransactWriteCommand({
          TransactItems: [
            claim as never,
            {
              Put: {
                TableName: this.#table.tableName,
                Item: {
                  pk: incidentPk(draft.id),
                  sk: INCIDENT_SK,
                  gsi1pk: statusIndexPk('open'),
                  gsi1sk: statusIndexSk(now, draft.id),
                  gsi2pk: draft.cluster,
                  gsi2sk: statusIndexSk(now, draft.id),
                  entity: 'incident',
                  ...scalars,
                  services: new Set(services),
                  types: new Set(types),
                  keys: new Set(keys),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...(inTransaction
              ? batch.alertIds.map((alertId) => ({ Put: { TableName: this.#table.tableName, Item: this.#alertItem(draft.id, alertId, batch) } }))
              : []),
            ...(extra as never[]),
          ],
        }),
      );
      return record;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      // Lost the race. When this id exists, the items are where the caller will join; otherwise they are
      // orphans (the caller starts over and writes them again wherever they belong).
      if (!inTransaction && codes[1] !== 'ConditionalCheckFailed') await this.#deleteAlerts(draft.id, batch.alertIds);
      return undefined;
    }
  }

  async reopen(batch: AlertBatch, previous: DedupState, dedup: DedupConfig): Promise<IncidentRecord | undefined> {
    const now = batch.now;
    let incident: IncidentRecord | undefined;
    await this.#putAlerts(previous.incidentId, batch);
    try {
      const out = await this.#table.send<{ Attributes?: Record<string, unknown> }>(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: { pk: incidentPk(previous.incidentId), sk: INCIDENT_SK },
          UpdateExpression:
            `SET #status = :open, gsi1pk = :gpk, gsi1sk = :gsk, ${UNRESOLVED_INDEX_SET}, lastSeen = :now, pending = :t, pendingAt = :ms ` +
            'REMOVE resolvedAt, resolution, acknowledgedAt, escalatedAt, doneTargets ADD alertCount :n, joins :one, version :one, #types :types',
          ConditionExpression: '#status = :resolved',
          ExpressionAttributeNames: { '#status': 'status', '#types': 'types', '#cluster': 'cluster' },
          ExpressionAttributeValues: {
            ':open': 'open',
            ':resolved': 'resolved',
            ':gpk': statusIndexPk('open'),
            ':gsk': statusIndexSk(now.toISOString(), previous.incidentId),
            ':now': now.toISOString(),
            ':t': 'reopened',
            ':ms': now.getTime(),
            ':n': batch.count,
            ':one': 1,
            ':types': typesOf(batch),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      incident = toIncidentRecord(out.Attributes!);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // Winner or not, the dedup state must say firing again, else every later alert comes back here.
    await this.#setDedupFiring(previous.key, previous.incidentId, now, dedup, batch.delivery);
    return incident;
  }

  async #setDedupFiring(key: string, incidentId: string, now: Date, dedup: DedupConfig, delivery?: string): Promise<void> {
    try {
      await this.#table.send(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: { pk: dedupPk(key), sk: DEDUP_SK },
          // The next alert takes the full path and records what the reopened incident holds.
          UpdateExpression: `SET dedupStatus = :firing, lastSeen = :now, expiresAt = :exp${delivery ? ', lastDelivery = :dlv' : ''} REMOVE resolvedAt, touchedAt, seen, seenTypes, seenSignals`,
          ConditionExpression: 'incidentId = :id',
          ExpressionAttributeValues: {
            ':firing': 'firing',
            ':now': now.toISOString(),
            ':exp': firingExpiry(now, dedup),
            ':id': incidentId,
            ...(delivery ? { ':dlv': delivery } : {}),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async attach(batch: AlertBatch, incidentId: string, dedup: DedupConfig, from?: string): Promise<IncidentRecord | undefined> {
    const now = batch.now.toISOString();
    const moved = from ? (await this.firingAlerts(from)).filter((a) => a.key === batch.key).map((a) => a.alertId) : [];
    if (moved.length) batch = { ...batch, alertIds: [...new Set([...batch.alertIds, ...moved])] };
    const claim = this.#claimDedupKey(batch, incidentId, now, dedup);
    if (from) {
      claim.Put.ConditionExpression = `${claim.Put.ConditionExpression} OR incidentId = :from`;
      (claim.Put.ExpressionAttributeValues as Record<string, unknown>)[':from'] = from;
    }
    const extra = from ? await this.#keepDuplicates(claim, from) : [];
    await this.#putAlerts(incidentId, batch);
    const done = await this.#attach(batch, incidentId, now, claim, extra);
    if (done && from && moved.length) await this.#deleteAlerts(from, moved);
    return done;
  }

  async #attach(
    batch: AlertBatch,
    incidentId: string,
    now: string,
    claim: { Put: Record<string, unknown> },
    extra: Record<string, unknown>[],
  ): Promise<IncidentRecord | undefined> {
    try {
      await this.#table.send(
        new TransactWriteCommand({
          TransactItems: [
            claim as never,
            {
              Update: {
                TableName: this.#table.tableName,
                Key: { pk: incidentPk(incidentId), sk: INCIDENT_SK },
                UpdateExpression: `SET lastSeen = :now, gsi1sk = :gsk, ${UNRESOLVED_INDEX_SET} ADD alertCount :n, joins :one, services :svc, #keys :key, #types :types`,
                ConditionExpression: 'attribute_exists(pk) AND #status <> :resolved',
                ExpressionAttributeNames: { '#status': 'status', '#keys': 'keys', '#types': 'types', '#cluster': 'cluster' },
                ExpressionAttributeValues: {
                  ':now': now,
                  ':gsk': statusIndexSk(now, incidentId),
                  ':n': batch.count,
                  ':one': 1,
                  ':svc': new Set([batch.service]),
                  ':key': new Set([batch.key]),
                  ':types': typesOf(batch),
                  ':resolved': 'resolved',
                },
              },
            },
            ...(extra as never[]),
          ],
        }),
      );
      return { id: incidentId } as IncidentRecord;
    } catch (error) {
      if (!cancellationCodes(error)) throw error;
      // Lost the race (or the incident resolved): the caller starts over and writes them where they belong.
      await this.#deleteAlerts(incidentId, batch.alertIds);
      return undefined;
    }
  }

  async resolveAlerts(batch: AlertBatch): Promise<IncidentRecord | undefined> {
    // Reads the key's state and, in the same request, takes the resolving alerts out of what a duplicate may skip
    // (`seen`); `rv` tells a full join in flight that its alert items may be gone.
    let item: Record<string, unknown>;
    try {
      const out = await this.#table.send<{ Attributes?: Record<string, unknown> }>(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: { pk: dedupPk(batch.key), sk: DEDUP_SK },
          UpdateExpression: `SET quietSince = :now ADD rv :one${batch.alertIds.length ? ' DELETE seen :ids' : ''}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1, ':now': batch.now.toISOString(), ...(batch.alertIds.length ? { ':ids': new Set(batch.alertIds) } : {}) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      item = out.Attributes!;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
    const state = toDedupState(item);
    // A resolve for an incident that is long gone is noise; a resolve for a stale but open one still counts.
    if (state.status === 'resolved' && isExpired(state, batch.now)) return undefined;
    await this.#deleteAlerts(state.incidentId, batch.alertIds);
    return this.#withFiringSample(state.incidentId);
  }

  /**
   * The incident with `joins` as read, and `firingAlertIds` holding one still-firing alert id, or none
   * (a sample, not the full list: it only decides whether the incident may resolve). The incident is
   * read before its alert items, so a join after the read changes `joins` and fails markResolved.
   */
  async #withFiringSample(incidentId: string): Promise<IncidentRecord | undefined> {
    const incident = await this.incidents.get(incidentId);
    if (!incident) return undefined;
    const firing = await this.#firingAlertIds(incidentId, 1);
    return { ...incident, firingAlertIds: firing };
  }

  /** Still-firing alert ids of an incident (every one when `limit` is absent), oldest write order aside. */
  async #firingAlertIds(incidentId: string, limit?: number): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.#table.send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
        new QueryCommand({
          TableName: this.#table.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :alert)',
          ExpressionAttributeValues: { ':pk': incidentPk(incidentId), ':alert': ALERT_PREFIX },
          ProjectionExpression: 'sk',
          ConsistentRead: true,
          ...(limit ? { Limit: limit - ids.length } : {}),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) ids.push(String(item.sk).slice(ALERT_PREFIX.length));
      start = limit && ids.length >= limit ? undefined : out.LastEvaluatedKey;
    } while (start);
    return ids;
  }

  /** Every alert instance still firing on the incident. */
  firingAlertIds(incidentId: string): Promise<string[]> {
    return this.#firingAlertIds(incidentId);
  }

  async markResolved(incident: IncidentRecord, key: string, now: Date, dedup: DedupConfig, resolution?: string): Promise<IncidentRecord | undefined> {
    const nowIso = now.toISOString();
    const incidentUpdate = {
      TableName: this.#table.tableName,
      Key: { pk: incidentPk(incident.id), sk: INCIDENT_SK },
      UpdateExpression:
        `SET #status = :resolved, gsi1pk = :gpk, resolvedAt = :now, pending = :t, pendingAt = :ms${resolution ? ', resolution = :why' : ''} ` +
        'REMOVE doneTargets, gsi2pk, gsi2sk ADD version :one',
      ConditionExpression: `#status <> :resolved AND ${incident.joins === undefined ? 'attribute_not_exists(joins)' : 'joins = :joins'}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ...(incident.joins === undefined ? {} : { ':joins': incident.joins }),
        ':resolved': 'resolved',
        ':gpk': statusIndexPk('resolved'),
        ':now': nowIso,
        ':t': 'resolved',
        ':ms': now.getTime(),
        ':one': 1,
        ...(resolution ? { ':why': resolution } : {}),
      },
    };
    const dedupUpdate = (k: string) => ({
      TableName: this.#table.tableName,
      Key: { pk: dedupPk(k), sk: DEDUP_SK },
      UpdateExpression: 'SET dedupStatus = :resolved, resolvedAt = :now, expiresAt = :exp REMOVE touchedAt',
      ConditionExpression: 'incidentId = :id',
      ExpressionAttributeValues: { ':resolved': 'resolved', ':now': nowIso, ':exp': resolvedExpiry(now, dedup), ':id': incident.id },
    });
    try {
      await this.#table.send(new TransactWriteCommand({ TransactItems: [{ Update: incidentUpdate }, { Update: dedupUpdate(key) }] }));
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (codes[0] !== 'None') return undefined;
      // Only the dedup item had moved on to a newer incident: resolve the incident alone.
      try {
        await this.#table.send(new UpdateCommand(incidentUpdate));
      } catch (inner) {
        if (isConditionFailure(inner)) return undefined;
        throw inner;
      }
    }
    for (const other of (incident.keys ?? []).filter((k) => k !== key)) {
      try {
        await this.#table.send(new UpdateCommand(dedupUpdate(other)));
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    await this.#foldDuplicates(incident.id, [key, ...(incident.keys ?? [])]);
    return resolvedRecord(incident, now, resolution);
  }

  acknowledge(incidentId: string, now: Date): Promise<IncidentRecord> {
    return this.incidents.acknowledge(incidentId, now);
  }

  async raiseSeverity(incident: IncidentRecord, to: Severity, now: Date, notify?: boolean): Promise<IncidentRecord | undefined> {
    return this.#conditionalUpdate(incident.id, {
      UpdateExpression: `SET severity = :to, pending = :t, pendingAt = :ms${notify ? ', notify = :notify' : ''} REMOVE doneTargets ADD version :one`,
      ConditionExpression: 'severity = :from AND #status <> :resolved',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':to': to,
        ':from': incident.severity,
        ':resolved': 'resolved',
        ':t': 'severity-raised',
        ':ms': now.getTime(),
        ':one': 1,
        ...(notify ? { ':notify': true } : {}),
      },
    });
  }

  async markEscalated(incidentId: string, now: Date): Promise<IncidentRecord | undefined> {
    return this.#conditionalUpdate(incidentId, {
      UpdateExpression: 'SET escalatedAt = :now, pending = :t, pendingAt = :ms REMOVE doneTargets ADD version :one',
      ConditionExpression: '#status = :open AND attribute_exists(escalateAt) AND escalateAt <= :now AND attribute_not_exists(escalatedAt)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':open': 'open', ':now': now.toISOString(), ':t': 'escalated', ':ms': now.getTime(), ':one': 1 },
    });
  }

  getIncident(incidentId: string): Promise<IncidentRecord | undefined> {
    return this.incidents.get(incidentId);
  }

  async *unresolvedIncidents(cluster: string): AsyncGenerator<IncidentRecord> {
    for (const status of ['open', 'acknowledged'] as const) {
      for await (const incident of this.incidents.allByStatus(status)) if (incident.cluster === cluster) yield incident;
    }
  }

  dropAlerts(incidentId: string, alertIds: string[]): Promise<void> {
    return this.#deleteAlerts(incidentId, alertIds);
  }

  async recentOpenIncidents(cluster: string, since: Date): Promise<IncidentRecord[]> {
    return this.incidents.listUnresolved(cluster, since, 100);
  }

  async claimDelivery(incident: IncidentRecord, now: Date): Promise<boolean> {
    const claimed = await this.#conditionalUpdate(incident.id, {
      UpdateExpression: 'SET pendingAt = :ms',
      ConditionExpression: 'pending = :t AND pendingAt = :old',
      ExpressionAttributeValues: { ':ms': now.getTime(), ':t': incident.pending, ':old': incident.pendingAt ?? 0 },
    });
    return claimed !== undefined;
  }

  async completeDelivery(incident: Pick<IncidentRecord, 'id' | 'version'>, transition: Transition): Promise<void> {
    await this.#conditionalUpdate(incident.id, {
      UpdateExpression: 'REMOVE pending, pendingAt, doneTargets',
      ...deliveryCondition(incident, transition),
    });
  }

  async releaseDelivery(incident: Pick<IncidentRecord, 'id' | 'version' | 'keys'>, transition: Transition, doneTargets: string[]): Promise<void> {
    // First: a redelivered input must not pass as a duplicate, or nothing would retry the delivery.
    const keys = incident.keys ?? (await this.incidents.get(incident.id))?.keys ?? [];
    await Promise.all(
      keys.map((key) =>
        this.#table
          .send(
            new UpdateCommand({
              TableName: this.#table.tableName,
              Key: { pk: dedupPk(key), sk: DEDUP_SK },
              UpdateExpression: 'REMOVE touchedAt',
              ConditionExpression: 'incidentId = :id',
              ExpressionAttributeValues: { ':id': incident.id },
            }),
          )
          .catch((error: unknown) => {
            if (!isConditionFailure(error)) throw error;
          }),
      ),
    );
    const condition = deliveryCondition(incident, transition);
    await this.#conditionalUpdate(incident.id, {
      UpdateExpression: doneTargets.length > 0 ? 'SET pendingAt = :zero ADD doneTargets :done' : 'SET pendingAt = :zero',
      ...condition,
      ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':zero': 0, ...(doneTargets.length > 0 ? { ':done': new Set(doneTargets) } : {}) },
    });
  }

  async claimLease(name: string, holder: string, now: Date, seconds: number): Promise<boolean> {
    try {
      await this.#table.send(
        new PutCommand({
          TableName: this.#table.tableName,
          Item: { pk: leasePk(name), sk: LEASE_SK, holder, leaseUntil: now.getTime() + seconds * 1000, expiresAt: epochSeconds(now) + seconds + 60 },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :ms OR holder = :me',
          ExpressionAttributeValues: { ':ms': now.getTime(), ':me': holder },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    try {
      await this.#table.send(
        new DeleteCommand({
          TableName: this.#table.tableName,
          Key: { pk: leasePk(name), sk: LEASE_SK },
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':me': holder },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async reroot(incidentId: string, from: string, to: RootCause, now: Date): Promise<IncidentRecord | undefined> {
    return this.#conditionalUpdate(incidentId, {
      UpdateExpression: `SET service = :service, namespace = :namespace, #type = :type, title = :title, rerootedFrom = :from, pending = :t, pendingAt = :ms${to.owner ? ', #owner = :owner' : ''} REMOVE doneTargets ADD services :svc, version :one`,
      ConditionExpression: 'service = :from AND #status <> :resolved',
      // OWNER is a DynamoDB reserved word.
      ExpressionAttributeNames: { '#status': 'status', '#type': 'type', ...(to.owner ? { '#owner': 'owner' } : {}) },
      ExpressionAttributeValues: {
        ':service': to.service,
        ':namespace': to.namespace,
        ':type': to.type,
        ':title': to.title,
        ':from': from,
        ':svc': new Set([to.service]),
        ':resolved': 'resolved',
        ':t': 'rerooted',
        ':ms': now.getTime(),
        ':one': 1,
        ...(to.owner ? { ':owner': to.owner } : {}),
      },
    });
  }

  activeSilences(now: Date): Promise<Silence[]> {
    return this.silences.active(now);
  }

  /** The transaction step that points a free (or expired) dedup key at an incident. */
  /**
   * `severity`: the incident's, when the same transaction writes it. A new generation (`gen`) starts counting
   * duplicates at zero; the incident it pointed at before keeps what the old one counted (see #keepDuplicates).
   */
  #claimDedupKey(batch: AlertBatch, incidentId: string, firstSeen: string, dedup: DedupConfig, severity?: Severity) {
    return {
      Put: {
        TableName: this.#table.tableName,
        Item: {
          pk: dedupPk(batch.key),
          sk: DEDUP_SK,
          key: batch.key,
          incidentId,
          dedupStatus: 'firing',
          alertCount: batch.count,
          firstSeen,
          lastSeen: batch.now.toISOString(),
          expiresAt: firingExpiry(batch.now, dedup),
          gen: randomUUID(),
          touchedAt: batch.now.getTime(),
          seenTypes: typesOf(batch),
          ...(batch.alertIds.length ? { seen: new Set(batch.alertIds) } : {}),
          ...(batch.signals?.length ? { seenSignals: new Set(batch.signals) } : {}),
          ...(severity && batch.severity === severity ? { severity } : {}),
          ...(batch.delivery ? { lastDelivery: batch.delivery } : {}),
        } as Record<string, unknown>,
        // A resolved key may be claimed too: the pipeline reopens its own incidents itself, so a
        // resolved key arriving here belonged to another service's incident (see the pipeline).
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSec OR dedupStatus = :resolved',
        ExpressionAttributeValues: { ':nowSec': epochSeconds(batch.now), ':resolved': 'resolved' },
      },
    };
  }

  /** One conditional UpdateItem on the incident; undefined when the condition did not hold. */
  async #conditionalUpdate(
    incidentId: string,
    expression: {
      UpdateExpression: string;
      ConditionExpression: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues: Record<string, unknown>;
    },
  ): Promise<IncidentRecord | undefined> {
    try {
      const out = await this.#table.send<{ Attributes?: Record<string, unknown> }>(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: { pk: incidentPk(incidentId), sk: INCIDENT_SK },
          ...expression,
          ConditionExpression: `attribute_exists(pk) AND ${expression.ConditionExpression}`,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toIncidentRecord(out.Attributes!);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  #alertItem(incidentId: string, alertId: string, batch: AlertBatch): Record<string, unknown> {
    return {
      pk: incidentPk(incidentId),
      sk: alertSk(alertId),
      entity: 'alert',
      alertId,
      key: batch.key,
      service: batch.service,
      types: typesOf(batch),
      ...(batch.signals?.length ? { signals: batch.signals } : {}),
    };
  }

  async #putAlerts(incidentId: string, batch: AlertBatch): Promise<void> {
    await this.#batchWrite(batch.alertIds.map((alertId) => ({ PutRequest: { Item: this.#alertItem(incidentId, alertId, batch) } })));
  }

  /**
   * Before a claim replaces the key's dedup item that points at `from`: the transaction step that writes the old
   * generation's duplicates onto `from` for good, with the claim made conditional on that count being the last one.
   */
  async #keepDuplicates(claim: { Put: Record<string, unknown> }, from: string): Promise<Record<string, unknown>[]> {
    const item = claim.Put.Item as Record<string, unknown>;
    const got = await this.#table.send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: this.#table.tableName, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }),
    );
    const old = got.Item;
    if (!old || old.incidentId !== from || typeof old.gen !== 'string' || !Number(old.fastCount ?? 0)) return [];
    claim.Put.ConditionExpression = `(${claim.Put.ConditionExpression}) AND (gen <> :oldGen OR fastCount = :oldCount)`;
    Object.assign(claim.Put.ExpressionAttributeValues as Record<string, unknown>, { ':oldGen': old.gen, ':oldCount': old.fastCount });
    return [
      {
        Update: {
          TableName: this.#table.tableName,
          Key: { pk: incidentPk(from), sk: INCIDENT_SK },
          UpdateExpression: 'SET #fc = :count',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#fc': `${FAST_COUNT_PREFIX}${old.gen}` },
          ExpressionAttributeValues: { ':count': Number(old.fastCount) },
        },
      },
    ];
  }

  /**
   * A resolved incident's keys count no more duplicates (until a reopen) and their items expire: what they counted
   * is written onto the incident for good.
   */
  async #foldDuplicates(incidentId: string, keys: string[]): Promise<void> {
    const counts = (await this.incidents.dedupItems([...new Set(keys)], true)).filter(
      (d) => d.incidentId === incidentId && typeof d.gen === 'string' && Number(d.fastCount ?? 0) > 0,
    );
    if (!counts.length) return;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    counts.forEach((d, i) => {
      names[`#fc${i}`] = `${FAST_COUNT_PREFIX}${String(d.gen)}`;
      values[`:fc${i}`] = Number(d.fastCount);
    });
    await this.#conditionalUpdate(incidentId, {
      UpdateExpression: `SET ${counts.map((_, i) => `#fc${i} = :fc${i}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(sk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  async #deleteAlerts(incidentId: string, alertIds: string[]): Promise<void> {
    await this.#batchWrite(alertIds.map((alertId) => ({ DeleteRequest: { Key: { pk: incidentPk(incidentId), sk: alertSk(alertId) } } })));
  }

  /** BatchWriteItem in chunks of 25, a few at a time, retrying what DynamoDB leaves unprocessed. */
  async #batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    const chunks: Record<string, unknown>[][] = [];
    for (let i = 0; i < requests.length; i += BATCH_WRITE_SIZE) chunks.push(requests.slice(i, i + BATCH_WRITE_SIZE));
    const tableName = this.#table.tableName;
    const writeChunk = async (chunk: Record<string, unknown>[]) => {
      let pending = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        if (attempt >= 8) throw new Error(`DynamoDB left ${pending.length} alert items unprocessed`);
        const out = await this.#table.send<{ UnprocessedItems?: Record<string, Record<string, unknown>[]> }>(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }),
        );
        pending = out.UnprocessedItems?.[tableName] ?? [];
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) await writeChunk(chunks[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_WRITE_CONCURRENCY, chunks.length) }, worker));
  }
}
