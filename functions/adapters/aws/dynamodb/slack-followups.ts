import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SlackFollowUp, SlackFollowUps } from '../../../core/slack/ports.ts';

/** Slack gives a response_url 30 minutes of life; a follow-up item never outlives it. */
const RESPONSE_URL_LIFETIME_SECONDS = 30 * 60;

export type { SlackFollowUp } from '../../../core/slack/ports.ts';

/**
 * A Slack answer that arrives later (an RCA report): stored when the command is accepted, claimed
 * exactly once by a conditional delete when the awaited event arrives.
 */
export class DynamoSlackFollowUps implements SlackFollowUps {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async add(followUp: SlackFollowUp, now: Date): Promise<void> {
    const expiresAt = Math.floor(now.getTime() / 1000) + RESPONSE_URL_LIFETIME_SECONDS;
    await this.#client.send(
      new PutCommand({ TableName: this.#tableName, Item: { pk: `SLACKFOLLOWUP#${followUp.subject}`, sk: followUp.userId, ...followUp, expiresAt } }),
    );
  }

  /** Returns and removes the follow-ups waiting for `subject`; a concurrent claimer gets none of the same. */
  async claim(subject: string, now: Date): Promise<SlackFollowUp[]> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const waiting = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `SLACKFOLLOWUP#${subject}` },
        Limit: 25,
      }),
    );
    const claimed: SlackFollowUp[] = [];
    for (const userId of (waiting.Items ?? []).map((i) => i.sk as string)) {
      try {
        const result = await this.#client.send(
          new DeleteCommand({
            TableName: this.#tableName,
            Key: { pk: `SLACKFOLLOWUP#${subject}`, sk: userId },
            ConditionExpression: 'attribute_exists(pk) AND expiresAt >= :now',
            ExpressionAttributeValues: { ':now': nowSeconds },
            ReturnValues: 'ALL_OLD',
          }),
        );
        const item = result.Attributes as (SlackFollowUp & { expiresAt: number }) | undefined;
        if (item) claimed.push({ subject: item.subject, responseUrl: item.responseUrl, userId: item.userId });
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException')) throw error;
      }
    }
    return claimed;
  }

  /** True for the first caller only (per subject, for a day): a redelivered event posts nothing twice. */
  async once(subject: string, now: Date): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { pk: `SLACKONCE#${subject}`, sk: 'ONCE', expiresAt: Math.floor(now.getTime() / 1000) + 86_400 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** Gives a `once` back after a failed post, so the retry posts it. */
  async forget(subject: string): Promise<void> {
    await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: { pk: `SLACKONCE#${subject}`, sk: 'ONCE' } }));
  }
}
