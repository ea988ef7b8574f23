import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ConflictError, NotFoundError } from '../../../core/errors.ts';
import type { IncidentRecord } from '../../../core/alerts/ports.ts';
import type { IncidentStatus } from '../../../core/alerts/types.ts';

/** Counts DynamoDB requests (one per `send`) so tests and metrics can hold the per-alert budget. */
export class DynamoRequestMeter {
  requests = 0;
  readonly byCommand: Record<string, number> = {};

  record(command: string): void {
    this.requests++;
    this.byCommand[command] = (this.byCommand[command] ?? 0) + 1;
  }

  reset(): void {
    this.requests = 0;
    for (const k of Object.keys(this.byCommand)) delete this.byCommand[k];
  }
}

export interface DynamoStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  meter?: DynamoRequestMeter;
}

/** Sends through the document client, counting each request. */
export class MeteredTable {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly meter: DynamoRequestMeter;

  constructor(options: DynamoStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.meter = options.meter ?? new DynamoRequestMeter();
  }

  send<T>(command: { constructor: { name: string } }): Promise<T> {
    this.meter.record(command.constructor.name.replace(/Command$/, ''));
    return this.client.send(command as never) as Promise<T>;
  }
}

export const incidentPk = (id: string) => `INCIDENT#${id}`;
export const INCIDENT_SK = 'META';
export const statusIndexPk = (status: IncidentStatus) => `INCIDENTS#${status}`;
export const statusIndexSk = (lastSeen: string, id: string) => `${lastSeen}#${id}`;
/**
 * gsi2: a cluster's unresolved (open or acknowledged) incidents by lastSeen, keyed by the item's own `cluster` (an update
 * copies it, so an incident written before the index joins it on its next change); resolving removes both keys. The
 * update's SET clause, with `#cluster` → cluster and `:gsk` the new `statusIndexSk`.
 */
export const UNRESOLVED_INDEX_SET = 'gsi2pk = #cluster, gsi2sk = :gsk';
export const dedupPk = (key: string) => `DEDUP#${key}`;
export const DEDUP_SK = 'STATE';

/**
 * A duplicate alert updates only its key's dedup item (`fastCount`, `lastSeen`); the incident item catches up on
 * the key's next full write, at the latest this long after (so `lastSeen`, and the status index sorted by it, lag
 * by at most this much). Readers add the dedup items' counts; `since` queries look back this much further.
 */
export const INCIDENT_REFRESH_SECONDS = 300;
/** Incident attribute holding the duplicates of one dedup item generation already folded into the incident. */
export const FAST_COUNT_PREFIX = 'fc#';
const BATCH_GET_SIZE = 100;

function list(value: unknown): string[] | undefined {
  if (value instanceof Set) return value.size > 0 ? [...value].map(String).sort() : undefined;
  if (Array.isArray(value)) return value.length > 0 ? value.map(String) : undefined;
  return undefined;
}

/** Item (document-client shape, or raw AttributeValues from a failed condition) → record. */
export function toIncidentRecord(item: Record<string, unknown>, raw = false): IncidentRecord {
  const i = raw ? (unmarshall(item as never) as Record<string, unknown>) : item;
  const record: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(i)) {
    if (['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', 'firing', 'fingerprints'].includes(k) || k.startsWith(FAST_COUNT_PREFIX)) continue;
    record[k] = v instanceof Set ? list(v) : v;
  }
  const firing = list(i.firing);
  if (firing) record.firingAlertIds = firing;
  // Duplicates already folded onto the item (see INCIDENT_REFRESH_SECONDS): the record counts them.
  const folded = Object.entries(i).reduce((sum, [k, v]) => (k.startsWith(FAST_COUNT_PREFIX) ? sum + Number(v) : sum), 0);
  if (folded) record.alertCount = Number(record.alertCount ?? 0) + folded;
  for (const k of Object.keys(record)) if (record[k] === undefined) delete record[k];
  return record as unknown as IncidentRecord;
}

/**
 * Adds to the incident item what its keys' live dedup items counted beyond the folded `fc#<gen>` attributes (per
 * generation, the larger count is the newer one), and their latest lastSeen.
 */
function mergeDuplicates(item: Record<string, unknown>, dedup: Map<string, Record<string, unknown>>): Record<string, unknown> {
  const counts = new Map<string, number>();
  for (const [k, v] of Object.entries(item)) if (k.startsWith(FAST_COUNT_PREFIX)) counts.set(k.slice(FAST_COUNT_PREFIX.length), Number(v));
  let lastSeen = String(item.lastSeen ?? '');
  for (const key of item.keys instanceof Set ? (item.keys as Set<string>) : []) {
    const d = dedup.get(key);
    if (!d || d.incidentId !== item.id || typeof d.gen !== 'string') continue;
    counts.set(d.gen, Math.max(counts.get(d.gen) ?? 0, Number(d.fastCount ?? 0)));
    if (typeof d.lastSeen === 'string' && d.lastSeen > lastSeen) lastSeen = d.lastSeen;
  }
  // Only what the live items add beyond the folded counts (toIncidentRecord adds those).
  const folded = Object.entries(item).reduce((sum, [k, v]) => (k.startsWith(FAST_COUNT_PREFIX) ? sum + Number(v) : sum), 0);
  const extra = [...counts.values()].reduce((a, b) => a + b, 0) - folded;
  return extra === 0 && lastSeen === item.lastSeen ? item : { ...item, alertCount: Number(item.alertCount ?? 0) + extra, lastSeen };
}

export function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** Read side of incidents: by id, by status (gsi1), acknowledge. */
export class DynamoIncidentStore {
  readonly #table: MeteredTable;

  constructor(options: DynamoStoreOptions | MeteredTable) {
    this.#table = options instanceof MeteredTable ? options : new MeteredTable(options);
  }

  async get(id: string): Promise<IncidentRecord | undefined> {
    const out = await this.#table.send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: this.#table.tableName, Key: { pk: incidentPk(id), sk: INCIDENT_SK }, ConsistentRead: true }),
    );
    return out.Item ? toIncidentRecord((await this.withDuplicates([out.Item], true))[0]) : undefined;
  }

  /**
   * Incident items with the duplicates their keys' dedup items counted since the incident item was last written:
   * `alertCount` gains them, `lastSeen` is the latest of the two. One BatchGetItem per 100 keys.
   */
  async withDuplicates(items: Record<string, unknown>[], consistent = false): Promise<Record<string, unknown>[]> {
    const keys = [...new Set(items.flatMap((i) => (i.keys instanceof Set ? [...(i.keys as Set<string>)] : [])))];
    const dedup = new Map((await this.dedupItems(keys, consistent)).map((d) => [String(d.key), d]));
    return items.map((item) => mergeDuplicates(item, dedup));
  }

  /** The dedup items of these keys (what counting duplicates needs of them). */
  async dedupItems(keys: string[], consistent = false): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_SIZE) {
      let request: Record<string, unknown> | undefined = {
        [this.#table.tableName]: {
          Keys: keys.slice(i, i + BATCH_GET_SIZE).map((k) => ({ pk: dedupPk(k), sk: DEDUP_SK })),
          ProjectionExpression: '#key, incidentId, gen, fastCount, lastSeen',
          ExpressionAttributeNames: { '#key': 'key' },
          ConsistentRead: consistent,
        },
      };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        const out: { Responses?: Record<string, Record<string, unknown>[]>; UnprocessedKeys?: Record<string, unknown> } = await this.#table.send(
          new BatchGetCommand({ RequestItems: request as never }),
        );
        found.push(...(out.Responses?.[this.#table.tableName] ?? []));
        request = out.UnprocessedKeys;
      }
    }
    return found;
  }

  /** Newest activity first. `since` limits to incidents whose lastSeen is at or after it. */
  async listByStatus(
    status: IncidentStatus,
    options: { limit?: number; since?: Date; cluster?: string; cursor?: string } = {},
  ): Promise<{ items: IncidentRecord[]; cursor?: string }> {
    const names: Record<string, string> = { '#pk': 'gsi1pk' };
    const values: Record<string, unknown> = { ':pk': statusIndexPk(status) };
    let condition = '#pk = :pk';
    if (options.since) {
      names['#sk'] = 'gsi1sk';
      // The index sorts by the incident item's lastSeen, which lags its duplicates by up to INCIDENT_REFRESH_SECONDS.
      values[':since'] = new Date(options.since.getTime() - INCIDENT_REFRESH_SECONDS * 1000).toISOString();
      condition += ' AND #sk >= :since';
    }
    let filter: string | undefined;
    if (options.cluster) {
      names['#cluster'] = 'cluster';
      values[':cluster'] = options.cluster;
      filter = '#cluster = :cluster';
    }
    const out = await this.#table.send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
      new QueryCommand({
        TableName: this.#table.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: condition,
        ...(filter ? { FilterExpression: filter } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: Math.min(options.limit ?? 100, 1000),
        ...(options.cursor ? { ExclusiveStartKey: JSON.parse(Buffer.from(options.cursor, 'base64url').toString()) } : {}),
      }),
    );
    const merged = await this.withDuplicates(out.Items ?? []);
    const since = options.since?.toISOString();
    return {
      items: merged
        .filter((i) => !since || String(i.lastSeen) >= since)
        .sort((a, b) => String(b.lastSeen).localeCompare(String(a.lastSeen)))
        .map((i) => toIncidentRecord(i)),
      ...(out.LastEvaluatedKey ? { cursor: Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url') } : {}),
    };
  }

  /**
   * A cluster's unresolved incidents (open or acknowledged) that changed since `since`, most recent first (gsi2): one
   * query of that cluster's own partition, however many incidents the rest of the fleet has open.
   */
  async listUnresolved(cluster: string, since: Date, limit: number): Promise<IncidentRecord[]> {
    const from = since.toISOString();
    const out = await this.#table.send<{ Items?: Record<string, unknown>[] }>(
      new QueryCommand({
        TableName: this.#table.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk >= :since',
        ExpressionAttributeValues: {
          ':pk': cluster,
          // The index sorts by the incident item's lastSeen, which lags its duplicates by up to INCIDENT_REFRESH_SECONDS.
          ':since': new Date(since.getTime() - INCIDENT_REFRESH_SECONDS * 1000).toISOString(),
        },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (await this.withDuplicates(out.Items ?? []))
      .filter((i) => String(i.lastSeen) >= from)
      .sort((a, b) => String(b.lastSeen).localeCompare(String(a.lastSeen)))
      .map((i) => toIncidentRecord(i));
  }

  /** Every incident with this status (newest first), page after page: sweeps must not stop at one page. */
  async *allByStatus(status: IncidentStatus, options: { since?: Date; pageSize?: number } = {}): AsyncGenerator<IncidentRecord> {
    let cursor: string | undefined;
    do {
      const page = await this.listByStatus(status, {
        limit: options.pageSize ?? 500,
        ...(options.since ? { since: options.since } : {}),
        ...(cursor ? { cursor } : {}),
      });
      yield* page.items;
      cursor = page.cursor;
    } while (cursor);
  }

  /** open → acknowledged, once. Throws NotFoundError / ConflictError (already acknowledged or resolved). */
  async acknowledge(id: string, now: Date): Promise<IncidentRecord> {
    try {
      const out = await this.#table.send<{ Attributes?: Record<string, unknown> }>(
        new UpdateCommand({
          TableName: this.#table.tableName,
          Key: { pk: incidentPk(id), sk: INCIDENT_SK },
          UpdateExpression: 'SET #status = :ack, gsi1pk = :gpk, acknowledgedAt = :now, pending = :t, pendingAt = :ms REMOVE doneTargets ADD version :one',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':ack': 'acknowledged',
            ':open': 'open',
            ':gpk': statusIndexPk('acknowledged'),
            ':now': now.toISOString(),
            ':t': 'acknowledged',
            ':ms': now.getTime(),
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return toIncidentRecord(out.Attributes!);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (!error.Item) throw new NotFoundError(`Incident ${id} not found`);
      const current = toIncidentRecord(error.Item as Record<string, unknown>, true);
      throw new ConflictError(`Incident ${id} is ${current.status}, only an open incident can be acknowledged`, 'INCIDENT_NOT_OPEN');
    }
  }
}
