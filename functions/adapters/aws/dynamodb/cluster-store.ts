import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClusterRecord, ClusterStore } from '../../../core/clusters/cluster-record.ts';
import { ConflictError } from '../../../core/errors.ts';
import { queryItems } from './document-client.ts';

const clusterKey = (id: string) => ({ pk: `CLUSTER#${id}`, sk: 'META' });
const nameKey = (name: string) => ({ pk: `CLUSTERNAME#${name}`, sk: 'NAME' });
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entity'];

function toRecord(item: Record<string, unknown> | undefined): ClusterRecord | undefined {
  if (!item) return undefined;
  const record = { ...item };
  for (const key of KEY_ATTRIBUTES) delete record[key];
  return record as unknown as ClusterRecord;
}

/**
 * Clusters in the single table: the cluster item plus a name item written in one transaction,
 * so two registrations of one name cannot both succeed.
 */
export class DynamoClusterStore implements ClusterStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  async create(record: ClusterRecord): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...clusterKey(record.id), gsi1pk: 'CLUSTERS', gsi1sk: record.name, entity: 'cluster', ...record },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: { ...nameKey(record.name), entity: 'cluster-name', clusterId: record.id },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        throw new ConflictError(`A cluster named ${record.name} is already registered`, 'CLUSTER_EXISTS');
      }
      throw error;
    }
  }

  async get(id: string): Promise<ClusterRecord | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: clusterKey(id), ConsistentRead: true }));
    return toRecord(result.Item);
  }

  async getByName(name: string): Promise<ClusterRecord | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: nameKey(name), ConsistentRead: true }));
    const id = result.Item?.clusterId as string | undefined;
    return id ? this.get(id) : undefined;
  }

  async list(): Promise<ClusterRecord[]> {
    const records: ClusterRecord[] = [];
    const query = { TableName: this.tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'CLUSTERS' } };
    for await (const item of queryItems(this.client, query)) records.push(toRecord(item)!);
    return records;
  }

  async delete(id: string): Promise<boolean> {
    const existing = await this.get(id);
    if (!existing) return false;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.tableName, Key: clusterKey(id), ConditionExpression: 'attribute_exists(pk)' } },
            { Delete: { TableName: this.tableName, Key: nameKey(existing.name) } },
          ],
        }),
      );
      return true;
    } catch (error) {
      // A concurrent delete won: the cluster is gone either way.
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }

  async update(id: string, changes: Partial<Omit<ClusterRecord, 'id' | 'name' | 'createdAt'>>): Promise<ClusterRecord | undefined> {
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return this.get(id);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = entries.map(([key, value], i) => {
      names[`#f${i}`] = key;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: clusterKey(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toRecord(result.Attributes);
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  async transitionStatus(id: string, expected: ClusterRecord['status'], next: ClusterRecord['status'], at: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: clusterKey(id),
          UpdateExpression: 'SET #s = :next, lastCheckedAt = :at, updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND #s = :expected',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':next': next, ':expected': expected, ':at': at },
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
