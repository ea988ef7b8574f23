/**
 * RCA records and the model-answer cache.
 * - RCA by id            RCA#<id> / META        (conditional create; completion only from RUNNING)
 * - cached model report  RCACACHE#<hash> / REPORT (TTL)
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RcaRecord, RcaStore } from '../../../core/rca/ports.ts';
import type { RcaReport } from '../../../core/rca/report.ts';
import { ttlEpochSeconds } from './document-client.ts';

export type { RcaRecord, RcaStatus } from '../../../core/rca/ports.ts';

const key = (id: string) => ({ pk: `RCA#${id}`, sk: 'META' });

export class DynamoRcaStore implements RcaStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  /** False when an RCA with this id exists already (the start was a redelivery). */
  async create(record: RcaRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: { ...key(record.id), entity: 'rca', ...record }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(id: string): Promise<RcaRecord | undefined> {
    const item = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true }))).Item;
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, entity: _entity, ...record } = item;
    return record as RcaRecord;
  }

  /** Stores the report once: false when it was already finished (a retried step must not publish twice). */
  async complete(id: string, report: RcaReport, at: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(id),
          UpdateExpression: 'SET #status = :done, report = :report, updatedAt = :now, completedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND #status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':done': 'SUCCEEDED', ':running': 'RUNNING', ':report': report, ':now': at.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async fail(id: string, reason: string, at: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(id),
          UpdateExpression: 'SET #status = :failed, #error = :error, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND #status = :running',
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: { ':failed': 'FAILED', ':running': 'RUNNING', ':error': reason.slice(0, 500), ':now': at.toISOString() },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async cachedReport(hash: string, now: Date): Promise<RcaReport | undefined> {
    const item = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: `RCACACHE#${hash}`, sk: 'REPORT' } }))).Item;
    // TTL deletion is lazy: filter expired items on read.
    if (!item || (typeof item.expiresAt === 'number' && item.expiresAt < ttlEpochSeconds(now))) return undefined;
    return item.report as RcaReport;
  }

  async cacheReport(hash: string, report: RcaReport, now: Date, ttlSeconds: number): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `RCACACHE#${hash}`, sk: 'REPORT', entity: 'rca-cache', report, expiresAt: ttlEpochSeconds(now) + ttlSeconds },
      }),
    );
  }
}
