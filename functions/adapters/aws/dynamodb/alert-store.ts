import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  epochSeconds,
  firingExpiry,
  isExpired,
  resolvedExpiry,
  type DedupConfig,
  type DedupState,
} from '../../../core/alerts/dedup.ts';
import type { Transition } from '../../../core/alerts/incident-lifecycle.ts';
import type { AlertBatch, AlertStore, IncidentDraft, IncidentRecord, TouchResult } from '../../../core/alerts/ports.ts';
import type { Silence } from '../../../core/alerts/silences.ts';
import type { Severity } from '../../../core/alerts/types.ts';
import {
  DynamoIncidentStore,
  INCIDENT_SK,
  MeteredTable,
  incidentPk,
  isConditionFailure,
  statusIndexPk,
  statusIndexSk,
  toIncidentRecord,
  type DynamoStoreOptions,
} from './incident-store.ts';
import { DynamoSilenceStore } from './silence-store.ts';

export { DynamoRequestMeter } from './incident-store.ts';

const dedupPk = (key: string) => `DEDUP#${key}`;
const DEDUP_SK = 'STATE';

/** Alert types of a write as a DynamoDB string set (a batch always has at least one alert). */
function typesOf(batch: AlertBatch): Set<string> {
  return new Set(batch.types);
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
    expiresAt: Number(item.expiresAt),
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
 * Requests per write (measured in test/integration/alerts): a duplicate is 2 (dedup update + incident
 * update); a new incident is 3 (failed dedup update + one transaction creating dedup state and
 * incident + outbox completion); the correlation lookup adds 1 when a dependency graph or similarity is
 * configured. A batch of pods of one service is one such write, not one per pod.
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

  async touch(batch: AlertBatch, dedup: DedupConfig): Promise<TouchResult> {
    const now = batch.now;
    let state: DedupState;
    try {
      // The one conditional write that decides duplicate vs not: it only succeeds on live, firing state.
      const out = await this.#table.send<{ Attributes?: Record<string, unknown> }>(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: { pk: dedupPk(batch.key), sk: DEDUP_SK },
          UpdateExpression: 'SET lastSeen = :now, expiresAt = :exp ADD alertCount :n',
          ConditionExpression: 'attribute_exists(pk) AND dedupStatus = :firing AND expiresAt >= :nowSec',
          ExpressionAttributeValues: {
            ':now': now.toISOString(),
            ':exp': firingExpiry(now, dedup),
            ':n': batch.count,
            ':firing': 'firing',
            ':nowSec': epochSeconds(now),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      state = toDedupState(out.Attributes!);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { outcome: 'miss', ...(error.Item ? { previous: toDedupState(unmarshall(error.Item as never)) } : {}) };
    }
    try {
      const out = await this.#table.send<{ Attributes?: Record<string, unknown> }>(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: { pk: incidentPk(state.incidentId), sk: INCIDENT_SK },
          UpdateExpression: 'SET lastSeen = :now, gsi1sk = :gsk ADD alertCount :n, firing :ids, fingerprints :fps, #types :types',
          ConditionExpression: 'attribute_exists(pk) AND #status <> :resolved',
          ExpressionAttributeNames: { '#status': 'status', '#types': 'types' },
          ExpressionAttributeValues: {
            ':now': now.toISOString(),
            ':gsk': statusIndexSk(now.toISOString(), state.incidentId),
            ':n': batch.count,
            ':ids': new Set(batch.alertIds),
            ':fps': new Set(batch.fingerprints),
            ':types': typesOf(batch),
            ':resolved': 'resolved',
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { outcome: 'joined', incident: toIncidentRecord(out.Attributes!) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Dedup state says firing but the incident was resolved through another key of it: treat as resolved.
      const incident = error.Item ? toIncidentRecord(error.Item as Record<string, unknown>, true) : undefined;
      if (!incident) return { outcome: 'miss' };
      const resolvedAt = incident.resolvedAt ?? now.toISOString();
      return {
        outcome: 'miss',
        previous: {
          ...state,
          status: 'resolved',
          resolvedAt,
          expiresAt: resolvedExpiry(new Date(resolvedAt), dedup),
        },
      };
    }
  }

  async open(batch: AlertBatch, draft: IncidentDraft, dedup: DedupConfig): Promise<IncidentRecord | undefined> {
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
      services: [draft.service],
      types: [...typesOf(batch)].sort(),
      keys: [batch.key],
      firingAlertIds: [...batch.alertIds].sort(),
      pending: 'opened',
      pendingAt: batch.now.getTime(),
      version: 1,
    };
    const { services, types, keys, firingAlertIds, ...scalars } = record;
    try {
      await this.#table.send(
        new TransactWriteCommand({
          TransactItems: [
            this.#claimDedupKey(batch, draft.id, draft.windowStart, dedup),
            {
              Put: {
                TableName: this.#table.tableName,
                Item: {
                  pk: incidentPk(draft.id),
                  sk: INCIDENT_SK,
                  gsi1pk: statusIndexPk('open'),
                  gsi1sk: statusIndexSk(now, draft.id),
                  entity: 'incident',
                  ...scalars,
                  services: new Set(services),
                  types: new Set(types),
                  keys: new Set(keys),
                  firing: new Set(firingAlertIds),
                  fingerprints: new Set(batch.fingerprints),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return record;
    } catch (error) {
      if (cancellationCodes(error)) return undefined;
      throw error;
    }
  }

  async reopen(batch: AlertBatch, previous: DedupState, dedup: DedupConfig): Promise<IncidentRecord | undefined> {
    const now = batch.now;
    let incident: IncidentRecord | undefined;
    try {
      const out = await this.#table.send<{ Attributes?: Record<string, unknown> }>(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: { pk: incidentPk(previous.incidentId), sk: INCIDENT_SK },
          UpdateExpression:
            'SET #status = :open, gsi1pk = :gpk, gsi1sk = :gsk, lastSeen = :now, pending = :t, pendingAt = :ms ' +
            'REMOVE resolvedAt, acknowledgedAt, escalatedAt, doneTargets ADD alertCount :n, firing :ids, fingerprints :fps, version :one, #types :types',
          ConditionExpression: '#status = :resolved',
          ExpressionAttributeNames: { '#status': 'status', '#types': 'types' },
          ExpressionAttributeValues: {
            ':open': 'open',
            ':resolved': 'resolved',
            ':gpk': statusIndexPk('open'),
            ':gsk': statusIndexSk(now.toISOString(), previous.incidentId),
            ':now': now.toISOString(),
            ':t': 'reopened',
            ':ms': now.getTime(),
            ':n': batch.count,
            ':ids': new Set(batch.alertIds),
            ':fps': new Set(batch.fingerprints),
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
    await this.#setDedupFiring(previous.key, previous.incidentId, now, dedup);
    return incident;
  }

  async #setDedupFiring(key: string, incidentId: string, now: Date, dedup: DedupConfig): Promise<void> {
    try {
      await this.#table.send(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: { pk: dedupPk(key), sk: DEDUP_SK },
          UpdateExpression: 'SET dedupStatus = :firing, lastSeen = :now, expiresAt = :exp REMOVE resolvedAt',
          ConditionExpression: 'incidentId = :id',
          ExpressionAttributeValues: {
            ':firing': 'firing',
            ':now': now.toISOString(),
            ':exp': firingExpiry(now, dedup),
            ':id': incidentId,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async attach(batch: AlertBatch, incidentId: string, dedup: DedupConfig): Promise<IncidentRecord | undefined> {
    const now = batch.now.toISOString();
    try {
      await this.#table.send(
        new TransactWriteCommand({
          TransactItems: [
            this.#claimDedupKey(batch, incidentId, now, dedup),
            {
              Update: {
                TableName: this.#table.tableName,
                Key: { pk: incidentPk(incidentId), sk: INCIDENT_SK },
                UpdateExpression:
                  'SET lastSeen = :now, gsi1sk = :gsk ADD alertCount :n, firing :ids, fingerprints :fps, services :svc, #keys :key, #types :types',
                ConditionExpression: 'attribute_exists(pk) AND #status <> :resolved',
                ExpressionAttributeNames: { '#status': 'status', '#keys': 'keys', '#types': 'types' },
                ExpressionAttributeValues: {
                  ':now': now,
                  ':gsk': statusIndexSk(now, incidentId),
                  ':n': batch.count,
                  ':ids': new Set(batch.alertIds),
                  ':fps': new Set(batch.fingerprints),
                  ':svc': new Set([batch.service]),
                  ':key': new Set([batch.key]),
                  ':types': typesOf(batch),
                  ':resolved': 'resolved',
                },
              },
            },
          ],
        }),
      );
      return { id: incidentId } as IncidentRecord;
    } catch (error) {
      if (cancellationCodes(error)) return undefined;
      throw error;
    }
  }

  async resolveAlerts(batch: AlertBatch): Promise<IncidentRecord | undefined> {
    const got = await this.#table.send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: this.#table.tableName, Key: { pk: dedupPk(batch.key), sk: DEDUP_SK }, ConsistentRead: true }),
    );
    if (!got.Item) return undefined;
    const state = toDedupState(got.Item);
    // A resolve for an incident that is long gone is noise; a resolve for a stale but open one still counts.
    if (state.status === 'resolved' && isExpired(state, batch.now)) return undefined;
    try {
      const out = await this.#table.send<{ Attributes?: Record<string, unknown> }>(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: { pk: incidentPk(state.incidentId), sk: INCIDENT_SK },
          UpdateExpression: 'DELETE firing :ids',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':ids': new Set(batch.alertIds) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toIncidentRecord(out.Attributes!);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async markResolved(incident: IncidentRecord, key: string, now: Date, dedup: DedupConfig): Promise<IncidentRecord | undefined> {
    const nowIso = now.toISOString();
    const incidentUpdate = {
      TableName: this.#table.tableName,
      Key: { pk: incidentPk(incident.id), sk: INCIDENT_SK },
      UpdateExpression:
        'SET #status = :resolved, gsi1pk = :gpk, resolvedAt = :now, pending = :t, pendingAt = :ms REMOVE doneTargets ADD version :one',
      ConditionExpression: '#status <> :resolved AND attribute_not_exists(firing)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':resolved': 'resolved',
        ':gpk': statusIndexPk('resolved'),
        ':now': nowIso,
        ':t': 'resolved',
        ':ms': now.getTime(),
        ':one': 1,
      },
    };
    const dedupUpdate = (k: string) => ({
      TableName: this.#table.tableName,
      Key: { pk: dedupPk(k), sk: DEDUP_SK },
      UpdateExpression: 'SET dedupStatus = :resolved, resolvedAt = :now, expiresAt = :exp',
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
    const { firingAlertIds: _firing, doneTargets: _done, ...rest } = incident;
    return { ...rest, status: 'resolved', resolvedAt: nowIso, pending: 'resolved', pendingAt: now.getTime(), version: (incident.version ?? 1) + 1 };
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

  async recentOpenIncidents(cluster: string, since: Date): Promise<IncidentRecord[]> {
    return (await this.incidents.listByStatus('open', { cluster, since, limit: 100 })).items;
  }

  async claimDelivery(incident: IncidentRecord, now: Date): Promise<boolean> {
    const claimed = await this.#conditionalUpdate(incident.id, {
      UpdateExpression: 'SET pendingAt = :ms',
      ConditionExpression: 'pending = :t AND pendingAt = :old',
      ExpressionAttributeValues: { ':ms': now.getTime(), ':t': incident.pending, ':old': incident.pendingAt ?? 0 },
    });
    return claimed !== undefined;
  }

  async completeDelivery(incidentId: string, transition: Transition): Promise<void> {
    await this.#conditionalUpdate(incidentId, {
      UpdateExpression: 'REMOVE pending, pendingAt, doneTargets',
      ConditionExpression: 'pending = :t',
      ExpressionAttributeValues: { ':t': transition },
    });
  }

  async releaseDelivery(incidentId: string, transition: Transition, doneTargets: string[]): Promise<void> {
    await this.#conditionalUpdate(incidentId, {
      UpdateExpression: doneTargets.length > 0 ? 'SET pendingAt = :zero ADD doneTargets :done' : 'SET pendingAt = :zero',
      ConditionExpression: 'pending = :t',
      ExpressionAttributeValues: { ':t': transition, ':zero': 0, ...(doneTargets.length > 0 ? { ':done': new Set(doneTargets) } : {}) },
    });
  }

  activeSilences(now: Date): Promise<Silence[]> {
    return this.silences.active(now);
  }

  /** The transaction step that points a free (or expired) dedup key at an incident. */
  #claimDedupKey(batch: AlertBatch, incidentId: string, firstSeen: string, dedup: DedupConfig) {
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
        },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSec',
        ExpressionAttributeValues: { ':nowSec': epochSeconds(batch.now) },
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
}
