import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
    if (['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entity', 'firing', 'fingerprints'].includes(k)) continue;
    record[k] = v instanceof Set ? list(v) : v;
  }
  const firing = list(i.firing);
  if (firing) record.firingAlertIds = firing;
  for (const k of Object.keys(record)) if (record[k] === undefined) delete record[k];
  return record as unknown as IncidentRecord;
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
    return out.Item ? toIncidentRecord(out.Item) : undefined;
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
      values[':since'] = options.since.toISOString();
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
    return {
      items: (out.Items ?? []).map((i) => toIncidentRecord(i)),
      ...(out.LastEvaluatedKey ? { cursor: Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url') } : {}),
    };
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
