import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import type { ClusterHealthRecord } from '../../../core/fleet/health-record.ts';
import type { ClusterHealthStore } from '../../../core/fleet/ports.ts';
import { ttlEpochSeconds } from './document-client.ts';

const pk = (clusterId: string) => `HEALTH#${clusterId}`;
/** A week of per-pull scores: enough for trends and for the degraded window, small enough to keep (one item per pull). */
const RETENTION_MS = 7 * 86_400_000;
/** Clusters read at once by `latest` (one Query each). */
const CONCURRENCY = 16;

/**
 * Cluster health per pull: HEALTH#<clusterId> / <at>#<pullId>, TTL a week. The sort key starts with the pull's
 * planned time, so "newest" and "newest before this pull" are one Query each, backwards, Limit 1 (the window
 * logic reads the previous pull's item strongly consistent; the overview reads eventually consistent, half the cost).
 */
export class DynamoClusterHealthStore implements ClusterHealthStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async put(record: ClusterHealthRecord): Promise<void> {
    const expiresAt = ttlEpochSeconds(new Date(Date.parse(record.at) + RETENTION_MS));
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { pk: pk(record.clusterId), sk: `${record.at}#${record.pullId}`, entity: 'cluster-health', ...record, expiresAt },
      }),
    );
  }

  async previous(clusterId: string, at: string): Promise<ClusterHealthRecord | undefined> {
    return this.#newest(clusterId, { condition: ' AND sk < :at', values: { ':at': at } }, true);
  }

  async latest(clusterIds: readonly string[], since: Date): Promise<Map<string, ClusterHealthRecord>> {
    const limit = pLimit(CONCURRENCY);
    const out = new Map<string, ClusterHealthRecord>();
    await Promise.all(
      clusterIds.map((id) =>
        limit(async () => {
          const record = await this.#newest(id, { condition: ' AND sk >= :since', values: { ':since': since.toISOString() } }, false);
          if (record) out.set(id, record);
        }),
      ),
    );
    return out;
  }

  async #newest(
    clusterId: string,
    range: { condition: string; values: Record<string, string> },
    consistent: boolean,
  ): Promise<ClusterHealthRecord | undefined> {
    const out = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: `pk = :pk${range.condition}`,
        ExpressionAttributeValues: { ':pk': pk(clusterId), ...range.values },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: consistent,
      }),
    );
    const item = out.Items?.[0];
    if (!item || (typeof item.expiresAt === 'number' && item.expiresAt * 1000 < Date.now())) return undefined;
    const { pk: _pk, sk: _sk, entity: _e, expiresAt: _x, ...record } = item;
    return record as ClusterHealthRecord;
  }
}
