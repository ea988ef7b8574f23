import { BatchGetCommand, BatchWriteCommand, DeleteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CatalogEntity } from '../../../core/catalog/entity.ts';
import type { CatalogStore } from '../../../core/catalog/ports.ts';
import { queryItems } from './document-client.ts';

const PK = 'CATALOG';

/**
 * Catalog entities: CATALOG / <normalised ref> (`component:default/user-service`), so one Query
 * reads the whole catalog (the graph needs all of it) and `begins_with(sk, "<kind>:")` one kind.
 * Each item records where it came from (`api`, or the URL a scheduled pull read), so a pull can
 * remove what its source no longer lists without touching entities from elsewhere.
 */
export class DynamoCatalogStore implements CatalogStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async #batch(requests: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending: unknown[] | undefined = requests.slice(i, i + 25);
      for (let attempt = 0; pending?.length; attempt++) {
        if (attempt > 8) throw new Error('DynamoDB kept catalog writes unprocessed: retry');
        if (attempt) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const result: { UnprocessedItems?: Record<string, unknown[]> } = await this.#client.send(
          new BatchWriteCommand({ RequestItems: { [this.#tableName]: pending as never } }),
        );
        pending = result.UnprocessedItems?.[this.#tableName];
      }
    }
  }

  async put(entities: CatalogEntity[], meta: { source: string; at: Date }): Promise<void> {
    // The last of two documents with the same ref wins, as it would if they came in two requests.
    const byRef = new Map(entities.map((e) => [e.ref, e]));
    await this.#batch(
      [...byRef.values()].map((entity) => ({
        PutRequest: {
          Item: {
            pk: PK,
            sk: entity.ref,
            entity: 'catalog-entity',
            kind: entity.kind,
            source: meta.source,
            updatedAt: meta.at.toISOString(),
            document: entity,
          },
        },
      })),
    );
  }

  async owners(refs: string[]): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    const unique = [...new Set(refs)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map((sk) => ({ pk: PK, sk }));
      for (let attempt = 0; keys?.length; attempt++) {
        if (attempt > 8) throw new Error('DynamoDB kept catalog reads unprocessed: retry');
        if (attempt) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const result = await this.#client.send(
          new BatchGetCommand({
            RequestItems: { [this.#tableName]: { Keys: keys, ProjectionExpression: 'sk, #source', ExpressionAttributeNames: { '#source': 'source' } } },
          }),
        );
        for (const item of result.Responses?.[this.#tableName] ?? [])
          if (typeof item.sk === 'string') owners.set(item.sk, typeof item.source === 'string' ? item.source : 'unknown');
        keys = result.UnprocessedKeys?.[this.#tableName]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return owners;
  }

  async list(kind?: string): Promise<CatalogEntity[]> {
    const out: CatalogEntity[] = [];
    for await (const item of queryItems(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: kind ? 'pk = :pk AND begins_with(sk, :kind)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': PK, ...(kind ? { ':kind': `${kind.toLowerCase()}:` } : {}) },
    })) {
      if (item.document && typeof item.document === 'object') out.push(item.document as CatalogEntity);
    }
    return out;
  }

  async get(ref: string): Promise<CatalogEntity | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { pk: PK, sk: ref } }));
    return Item?.document as CatalogEntity | undefined;
  }

  /** Deletes the entities `source` wrote earlier that are not in `keep`; returns their refs. */
  async removeMissing(source: string, keep: Set<string>): Promise<string[]> {
    const stale: string[] = [];
    for await (const item of queryItems(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: '#source = :source',
      ExpressionAttributeNames: { '#source': 'source' },
      ExpressionAttributeValues: { ':pk': PK, ':source': source },
      ProjectionExpression: 'sk',
    })) {
      if (typeof item.sk === 'string' && !keep.has(item.sk)) stale.push(item.sk);
    }
    const removed: string[] = [];
    for (const sk of stale) {
      try {
        // Conditional: an entity another source wrote in the meantime stays.
        await this.#client.send(
          new DeleteCommand({
            TableName: this.#tableName,
            Key: { pk: PK, sk },
            ConditionExpression: '#source = :source',
            ExpressionAttributeNames: { '#source': 'source' },
            ExpressionAttributeValues: { ':source': source },
          }),
        );
        removed.push(sk);
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      }
    }
    return removed;
  }
}
