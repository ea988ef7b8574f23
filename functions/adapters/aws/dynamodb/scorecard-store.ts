import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ScorecardStore, StoredScorecard } from '../../../core/catalog/ports.ts';
import type { Scorecard } from '../../../core/catalog/scorecard.ts';
import { queryItems, ttlEpochSeconds } from './document-client.ts';

const PK = 'SCORECARDS';
/** A card nobody refreshed for a week (its component left the catalog) expires. */
const RETENTION_MS = 7 * 86_400_000;

/** SCORECARDS / <entity ref>: one Query reads every component's card for the fleet summary. */
export class DynamoScorecardStore implements ScorecardStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async get(entityRef: string): Promise<StoredScorecard | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { pk: PK, sk: entityRef } }));
    return Item ? stored(Item) : undefined;
  }

  async list(): Promise<StoredScorecard[]> {
    const out: StoredScorecard[] = [];
    for await (const item of queryItems(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': PK },
    }))
      out.push(stored(item));
    return out;
  }

  async put(card: Scorecard, computedAt: Date): Promise<void> {
    await this.#client
      .send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            pk: PK,
            sk: card.entity,
            entity: 'scorecard',
            card,
            computedAt: computedAt.toISOString(),
            expiresAt: ttlEpochSeconds(new Date(computedAt.getTime() + RETENTION_MS)),
          },
          // A slower computation must not overwrite a newer card (two refreshes, or a refresh and a request).
          ConditionExpression: 'attribute_not_exists(computedAt) OR computedAt <= :at',
          ExpressionAttributeValues: { ':at': computedAt.toISOString() },
        }),
      )
      .catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      });
  }
}

function stored(item: Record<string, unknown>): StoredScorecard {
  return { card: item.card as Scorecard, computedAt: String(item.computedAt) };
}
