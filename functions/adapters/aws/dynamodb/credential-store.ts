import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tooManyIngest, type CredentialStore, type StoredCredential } from '../../../core/identity/credentials.ts';

const LIST_PK = 'CREDENTIALS';
const FIELDS = ['id', 'kind', 'source', 'role', 'name', 'secretHash', 'createdAt', 'createdBy', 'revokedAt'] as const;

function fromItem(item: Record<string, unknown>): StoredCredential {
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) if (item[field] !== undefined) out[field] = item[field];
  return out as unknown as StoredCredential;
}

const failedCondition = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as Error | undefined)?.name === 'ConditionalCheckFailedException';

/** Why each item of a cancelled transaction was cancelled (by index), or undefined for any other error. */
const cancellationCodes = (error: unknown): (string | undefined)[] | undefined =>
  error instanceof TransactionCanceledException || (error as Error | undefined)?.name === 'TransactionCanceledException'
    ? ((error as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code)
    : undefined;

const MAX_CONFLICT_RETRIES = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The per-source count of active ingest credentials. */
const counterKey = (source: string) => ({ pk: `INGEST_SOURCE#${source}`, sk: 'ACTIVE' });

/**
 * Ingest credentials and API keys: `CREDENTIAL#<id> / META` (one GetItem per unknown secret),
 * listed through gsi1 `CREDENTIALS / <createdAt>#<id>`. Only the secret's SHA-256 is stored.
 * Revoked rows stay (with revokedAt) so the audit of who held what remains.
 *
 * The limit on active ingest credentials per source is a counter, `INGEST_SOURCE#<source> / ACTIVE`,
 * incremented (on the condition `active < max`) in the same transaction that puts the credential, so
 * concurrent creates cannot both pass it; a revoke decrements it. A source without a counter (its
 * credentials predate it) gets one seeded from the listed active credentials, on the condition that
 * none exists yet. Should a Lambda stop between a revoke and its decrement, the count stays high:
 * the limit errs on refusing, never on allowing a third.
 */
export class DynamoCredentialStore implements CredentialStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async create(credential: StoredCredential, options?: { maxActiveForSource?: number }): Promise<void> {
    const put = {
      TableName: this.#tableName,
      Item: {
        pk: `CREDENTIAL#${credential.id}`,
        sk: 'META',
        gsi1pk: LIST_PK,
        gsi1sk: `${credential.createdAt}#${credential.id}`,
        entity: 'credential',
        ...credential,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
    const max = options?.maxActiveForSource;
    if (credential.kind !== 'ingest' || !credential.source || max === undefined) {
      await this.#client.send(new PutCommand(put));
      return;
    }
    let counterEnsured = false;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.#tableName,
                  Key: counterKey(credential.source),
                  UpdateExpression: 'SET active = active + :one',
                  ConditionExpression: 'attribute_exists(active) AND active < :max',
                  ExpressionAttributeValues: { ':one': 1, ':max': max },
                },
              },
              { Put: put },
            ],
          }),
        );
        return;
      } catch (error) {
        const reasons = cancellationCodes(error);
        if (reasons?.[0] === 'ConditionalCheckFailed') {
          // The counter refused: either the source is full, or it has no counter yet. Once it exists, a refusal is final.
          if (counterEnsured) throw tooManyIngest(credential.source);
          await this.#ensureCounter(credential.source);
          counterEnsured = true;
          continue;
        }
        // Concurrent transactions on the same counter cancel each other; retry those with jittered backoff.
        if (reasons?.includes('TransactionConflict') && attempt < MAX_CONFLICT_RETRIES) {
          await sleep(Math.round((20 + Math.random() * 30) * 2 ** Math.min(attempt, 5)));
          continue;
        }
        throw error;
      }
    }
  }

  /** Creates the source's counter from its listed active credentials, unless one exists (possibly made by a concurrent create). */
  async #ensureCounter(source: string): Promise<void> {
    const existing = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: counterKey(source), ConsistentRead: true }));
    if (existing.Item) return;
    const active = (await this.list()).filter((c) => c.kind === 'ingest' && c.source === source && !c.revokedAt).length;
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...counterKey(source), entity: 'ingest-source-counter', source, active },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!failedCondition(error)) throw error;
    }
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
          UpdateExpression: 'SET revokedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
          ExpressionAttributeValues: { ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const revoked = out.Attributes ? fromItem(out.Attributes) : undefined;
      if (revoked?.kind === 'ingest' && revoked.source) await this.#release(revoked.source);
      return revoked;
    } catch (error) {
      // Not there (undefined), or already revoked: idempotent, the counter was released the first time.
      if (failedCondition(error)) return this.get(id);
      throw error;
    }
  }

  async #release(source: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: counterKey(source),
          UpdateExpression: 'SET active = active - :one',
          ConditionExpression: 'attribute_exists(active) AND active > :zero',
          ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
        }),
      );
    } catch (error) {
      if (!failedCondition(error)) throw error; // no counter yet (seeded later from the list) or already zero
    }
  }
}
