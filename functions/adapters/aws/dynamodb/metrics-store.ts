import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AnomalyRecord, MetricsStore, ModelRecord, SampleRecord, SeriesRef } from '../../../core/pull/records.ts';
import { gunzipSync, gzipSync } from 'node:zlib';
import { queryItems, ttlEpochSeconds } from './document-client.ts';

const MODEL_CHUNK_BYTES = 350 * 1024;
/** Items one listing reads per cluster at most: a filter that matches little cannot turn into a table scan. */
const MAX_ANOMALY_ITEMS_READ = 2000;

const DAY_MS = 86_400_000;
const series = (clusterId: string, namespace: string, service: string) => `${clusterId}#${namespace}#${service}`;
const KEYS = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'expiresAt', 'entity'];

/** TTL deletion is lazy: an expired item may still be read. */
function isExpired(item: Record<string, unknown>, nowSeconds: number): boolean {
  return typeof item.expiresAt === 'number' && item.expiresAt < nowSeconds;
}

function strip<T>(item: Record<string, unknown>): T {
  const copy = { ...item };
  for (const key of KEYS) delete copy[key];
  return copy as T;
}

/**
 * Samples, anomalies and model artefacts in the single table:
 * - SAMPLE#<series> / <at>                    (TTL: sampleRetentionDays)
 * - ANOMALY#<series> / <at>#<pullId>          (TTL: anomalyRetentionDays); gsi1 ANOMALIES#<clusterId> / <at>#<series>
 * - MODEL#<series> / <kind>#<version>[#chunk#NNN] plus MODEL#<series> / <kind>#LATEST pointing at it
 * - LATEST#<namespace>#<service> / <clusterId>  the newest sample per cluster: one query gives a service's fleet peers
 *                                               (TTL: 1 day; conditional, so a late retry never overwrites a newer sample)
 * Reads filter expired items: TTL deletion is lazy.
 */
export class DynamoMetricsStore implements MetricsStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly sampleRetentionDays: number;
  private readonly anomalyRetentionDays: number;
  private readonly modelRetentionDays: number;

  constructor(options: {
    client: DynamoDBDocumentClient;
    tableName: string;
    sampleRetentionDays?: number;
    anomalyRetentionDays?: number;
    modelRetentionDays?: number;
  }) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.sampleRetentionDays = options.sampleRetentionDays ?? 14;
    this.anomalyRetentionDays = options.anomalyRetentionDays ?? 30;
    this.modelRetentionDays = options.modelRetentionDays ?? 14;
  }

  async putSamples(samples: SampleRecord[]): Promise<void> {
    for (let i = 0; i < samples.length; i += 25) {
      let requests: Record<string, unknown>[] = samples.slice(i, i + 25).map((s) => ({
        PutRequest: {
          Item: {
            pk: `SAMPLE#${series(s.clusterId, s.namespace, s.service)}`,
            sk: s.at,
            entity: 'sample',
            expiresAt: ttlEpochSeconds(new Date(Date.parse(s.at) + this.sampleRetentionDays * DAY_MS)),
            ...s,
          },
        },
      }));
      for (let attempt = 0; requests.length > 0 && attempt < 8; attempt++) {
        const result = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }));
        requests = (result.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined) ?? [];
        if (requests.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
      if (requests.length) throw new Error(`DynamoDB left ${requests.length} samples unprocessed`);
    }
  }

  async putLatest(samples: SampleRecord[]): Promise<void> {
    await Promise.all(
      samples.map(async (s) => {
        try {
          await this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: {
                pk: `LATEST#${s.namespace}#${s.service}`,
                sk: s.clusterId,
                entity: 'latest-sample',
                expiresAt: ttlEpochSeconds(new Date(Date.parse(s.at) + DAY_MS)),
                ...s,
              },
              ConditionExpression: 'attribute_not_exists(pk) OR #at <= :at',
              ExpressionAttributeNames: { '#at': 'at' },
              ExpressionAttributeValues: { ':at': s.at },
            }),
          );
        } catch (error) {
          if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        }
      }),
    );
  }

  async latestAcrossClusters(namespace: string, service: string, since: Date): Promise<SampleRecord[]> {
    const out: SampleRecord[] = [];
    const query = { TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `LATEST#${namespace}#${service}` } };
    const cutoff = since.toISOString();
    for await (const item of queryItems(this.client, query)) {
      if (typeof item.at === 'string' && item.at >= cutoff) out.push(strip<SampleRecord>(item));
    }
    return out;
  }

  async samples(clusterId: string, namespace: string, service: string, since: Date): Promise<SampleRecord[]> {
    const now = Math.floor(Date.now() / 1000);
    const out: SampleRecord[] = [];
    const query = {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk >= :since',
      ExpressionAttributeValues: { ':pk': `SAMPLE#${series(clusterId, namespace, service)}`, ':since': since.toISOString() },
    };
    for await (const item of queryItems(this.client, query)) if (!isExpired(item, now)) out.push(strip<SampleRecord>(item));
    return out;
  }

  async putAnomaly(record: AnomalyRecord): Promise<boolean> {
    const key = series(record.clusterId, record.namespace, record.service);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `ANOMALY#${key}`,
            sk: `${record.at}#${record.pullId}`,
            gsi1pk: `ANOMALIES#${record.clusterId}`,
            gsi1sk: `${record.at}#${key}`,
            entity: 'anomaly',
            expiresAt: ttlEpochSeconds(new Date(Date.parse(record.at) + this.anomalyRetentionDays * DAY_MS)),
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async previousAnomaly(clusterId: string, namespace: string, service: string, before: string): Promise<AnomalyRecord | undefined> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk < :before',
        ExpressionAttributeValues: { ':pk': `ANOMALY#${series(clusterId, namespace, service)}`, ':before': before },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    return page.Items?.[0] ? strip<AnomalyRecord>(page.Items[0]) : undefined;
  }

  async listAnomalies(filter: { clusterIds: string[]; service?: string; status?: 'anomaly' | 'normal'; limit?: number }): Promise<AnomalyRecord[]> {
    const limit = Math.min(filter.limit ?? 100, 1000);
    const now = Math.floor(Date.now() / 1000);
    const perCluster = await Promise.all(
      [...new Set(filter.clusterIds)].map(async (clusterId) => {
        const out: AnomalyRecord[] = [];
        const query = {
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `ANOMALIES#${clusterId}` },
          ScanIndexForward: false,
          Limit: 200,
        };
        let read = 0;
        for await (const item of queryItems(this.client, query)) {
          if (++read > MAX_ANOMALY_ITEMS_READ) break;
          if (isExpired(item, now)) continue;
          const record = strip<AnomalyRecord>(item);
          if (filter.service && record.service !== filter.service) continue;
          if (filter.status && record.status !== filter.status) continue;
          out.push(record);
          if (out.length >= limit) break;
        }
        return out;
      }),
    );
    return perCluster
      .flat()
      .sort((a, b) => b.at.localeCompare(a.at) || a.cluster.localeCompare(b.cluster) || a.service.localeCompare(b.service))
      .slice(0, limit);
  }

  /** `pageSize` (DynamoDB Limit) only matters to tests, which prove the read goes on past one page. */
  async seriesSince(clusterId: string, since: Date, pageSize?: number): Promise<SeriesRef[]> {
    const found = new Map<string, SeriesRef>();
    const query = {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :since',
      ExpressionAttributeValues: { ':pk': `ANOMALIES#${clusterId}`, ':since': since.toISOString() },
      ExpressionAttributeNames: { '#ns': 'namespace', '#svc': 'service' },
      ProjectionExpression: '#ns, #svc',
      ...(pageSize ? { Limit: pageSize } : {}),
    };
    for await (const item of queryItems(this.client, query)) {
      const namespace = String(item.namespace);
      const service = String(item.service);
      found.set(`${namespace}#${service}`, { clusterId, namespace, service });
    }
    return [...found.values()];
  }

  /**
   * A forest of 100 trees is megabytes of JSON: the artefact is gzipped and split into chunks under
   * DynamoDB's 400 KB item limit, written in one transaction with the LATEST pointer, so readers
   * never see half a model.
   */
  async putModel(model: ModelRecord): Promise<void> {
    const pk = `MODEL#${series(model.clusterId, model.namespace, model.service)}`;
    const { artefact, ...meta } = model;
    const packed = gzipSync(Buffer.from(JSON.stringify(artefact)));
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < packed.length; offset += MODEL_CHUNK_BYTES) chunks.push(packed.subarray(offset, offset + MODEL_CHUNK_BYTES));
    // One transaction carries at most 4 MB.
    if (chunks.length > 10) throw new Error(`Model artefact too large (${packed.length} bytes gzipped)`);
    const sk = `${model.kind}#${model.version}`;
    // Superseded versions expire; the pointer does not (a missing version means: retrain).
    const trainedAt = Number.isFinite(Date.parse(model.trainedAt)) ? Date.parse(model.trainedAt) : Date.now();
    const expiresAt = ttlEpochSeconds(new Date(trainedAt + this.modelRetentionDays * DAY_MS));
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { pk, sk, entity: 'model', expiresAt, ...meta, chunks: chunks.length } } },
          ...chunks.map((chunk, i) => ({
            Put: { TableName: this.tableName, Item: { pk, sk: `${sk}#chunk#${String(i).padStart(3, '0')}`, entity: 'model-chunk', expiresAt, data: chunk } },
          })),
          { Put: { TableName: this.tableName, Item: { pk, sk: `${model.kind}#LATEST`, entity: 'model-pointer', version: model.version } } },
        ],
      }),
    );
  }

  async latestModel(clusterId: string, namespace: string, service: string, kind: ModelRecord['kind']): Promise<ModelRecord | undefined> {
    const pk = `MODEL#${series(clusterId, namespace, service)}`;
    const pointer = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk: `${kind}#LATEST` } }));
    const version = pointer.Item?.version as string | undefined;
    if (!version) return undefined;
    const sk = `${kind}#${version}`;
    const items: Record<string, unknown>[] = [];
    const query = {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': pk, ':sk': sk },
    };
    for await (const item of queryItems(this.client, query)) items.push(item);
    const meta = items.find((i) => i.sk === sk);
    if (!meta || isExpired(meta, Math.floor(Date.now() / 1000))) return undefined;
    const chunks = items
      .filter((i) => i.entity === 'model-chunk')
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
      .map((i) => Buffer.from(i.data as Uint8Array));
    if (chunks.length !== meta.chunks) throw new Error(`Model ${pk} ${sk} is missing chunks`);
    const artefact = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as unknown;
    const record = strip<Omit<ModelRecord, 'artefact'> & { chunks?: number }>(meta);
    delete record.chunks;
    return { ...record, artefact };
  }
}
