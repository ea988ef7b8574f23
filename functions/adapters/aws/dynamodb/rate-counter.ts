import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateCounter } from '../../../core/rca/rate-limit.ts';

/**
 * Fixed-window counters: RATE#<key> / <window start>, `ADD n 1` only while `n < limit` (a conditional
 * write, so concurrent callers never overshoot); TTL removes old windows.
 */
export class DynamoRateCounter implements RateCounter {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async release(key: string, windowStart: Date): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: `RATE#${key}`, sk: windowStart.toISOString() },
          UpdateExpression: 'ADD #n :minus',
          ConditionExpression: '#n > :zero',
          ExpressionAttributeNames: { '#n': 'n' },
          ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async take(key: string, windowStart: Date, windowSeconds: number, limit: number): Promise<boolean> {
    if (limit <= 0) return false;
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: `RATE#${key}`, sk: windowStart.toISOString() },
          UpdateExpression: 'ADD #n :one SET expiresAt = if_not_exists(expiresAt, :expires), entity = :entity',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
          ExpressionAttributeNames: { '#n': 'n' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': limit,
            ':expires': Math.floor(windowStart.getTime() / 1000) + windowSeconds + 3600,
            ':entity': 'rate-counter',
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
