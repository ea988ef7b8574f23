import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CredentialStore, StoredCredential } from '../../../core/identity/credentials.ts';

const LIST_PK = 'CREDENTIALS';
const FIELDS = ['id', 'kind', 'source', 'role', 'name', 'secretHash', 'createdAt', 'createdBy', 'revokedAt'] as const;

function fromItem(item: Record<string, unknown>): StoredCredential {
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) if (item[field] !== undefined) out[field] = item[field];
  return out as unknown as StoredCredential;
}

const failedCondition = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as Error | undefined)?.name === 'ConditionalCheckFailedException';

/**
 * Ingest credentials and API keys: `CREDENTIAL#<id> / META` (one GetItem per unknown secret),
 * listed through gsi1 `CREDENTIALS / <createdAt>#<id>`. Only the secret's SHA-256 is stored.
 * Revoked rows stay (with revokedAt) so the audit of who held what remains.
 */
export class DynamoCredentialStore implements CredentialStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async create(credential: StoredCredential): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { pk: `CREDENTIAL#${credential.id}`, sk: 'META', gsi1pk: LIST_PK, gsi1sk: `${credential.createdAt}#${credential.id}`, entity: 'credential', ...credential },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string): Promise<StoredCredential | undefined> {
    const out = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { pk: `CREDENTIAL#${id}`, sk: 'META' }, ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async list(): Promise<StoredCredential[]> {
    const items: StoredCredential[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': LIST_PK },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(out.Items ?? []).map(fromItem));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async revoke(id: string, at: string): Promise<StoredCredential | undefined> {
    try {
      const out = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: `CREDENTIAL#${id}`, sk: 'META' },
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? fromItem(out.Attributes) : undefined;
    } catch (error) {
      if (failedCondition(error)) return undefined;
      throw error;
    }
  }
}
