import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';

/**
 * Remembers every accepted Slack signature for longer than Slack's 5-minute window, so a captured
 * request cannot be replayed inside it: one conditional put per request (`SLACKSIG#<hash>`).
 */
export class DynamoSlackReplayGuard {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  /** True the first time a signature is seen; false for a replay. */
  async firstUse(signature: string, timestampSeconds: number, nowSeconds: number): Promise<boolean> {
    const key = createHash('sha256').update(signature).digest('hex');
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { pk: `SLACKSIG#${key}`, sk: 'SEEN', expiresAt: Math.max(timestampSeconds, nowSeconds) + 600 },
          // An expired item (TTL deletes lazily) no longer counts.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
