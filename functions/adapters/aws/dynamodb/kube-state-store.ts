import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KubeStateStore } from '../../../core/kube-state/pull.ts';
import type { KubeStateRecord } from '../../../core/kube-state/tracker.ts';
import { ttlEpochSeconds } from './document-client.ts';

const pk = (clusterId: string) => `KUBESTATE#${clusterId}`;
const SK = 'STATE';
/** A deregistered cluster's state disappears a week after its last pull. */
const RETENTION_MS = 7 * 86_400_000;

/**
 * Kube-state lifecycle per cluster: KUBESTATE#<clusterId> / STATE, one item (active conditions, restart
 * counts, version). Written with a version condition so overlapping pulls of one cluster cannot both win.
 */
export class DynamoKubeStateStore implements KubeStateStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async get(clusterId: string): Promise<KubeStateRecord | undefined> {
    const out = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { pk: pk(clusterId), sk: SK }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, entity: _e, expiresAt: _x, ...record } = out.Item;
    return record as KubeStateRecord;
  }

  async put(next: KubeStateRecord, expectedVersion: number): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { pk: pk(next.clusterId), sk: SK, entity: 'kube-state', ...next, expiresAt: ttlEpochSeconds(new Date(Date.parse(next.at) + RETENTION_MS)) },
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
          ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
