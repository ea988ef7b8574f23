import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeploymentStore, DeploymentView } from '../../../core/deploy/store.ts';
import type { DeployTriggerSpec } from '../../../core/deploy/triggers.ts';
import type { ClusterDeployRecord, DeploymentRecord, ReleaseHistoryEntry, WaveRecord } from '../../../core/deploy/types.ts';
import pLimit from 'p-limit';
import { queryItems } from './document-client.ts';

const pk = (id: string) => `DEPLOY#${id}`;
const waveSk = (index: number) => `WAVE#${String(index).padStart(2, '0')}`;
const clusterSk = (index: number, clusterId: string) => `CLUSTER#${String(index).padStart(2, '0')}#${clusterId}`;
const historyPk = (clusterId: string, namespace: string, release: string) => `RELEASE#${clusterId}#${namespace}#${release}`;
const TRIGGERS_PK = 'DEPLOYTRIGGER';
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entity'];

function strip<T>(item: Record<string, unknown>): T {
  const out = { ...item };
  for (const key of KEY_ATTRIBUTES) delete out[key];
  return out as T;
}

const conditionFailed = (error: unknown) => error instanceof ConditionalCheckFailedException;

/**
 * Deployments in the single table (access patterns in functions/definitions/table.ts):
 * DEPLOY#<id> holds META, WAVE#nn and CLUSTER#nn#<clusterId> items, one item per cluster so the
 * Map state's parallel steps never overwrite each other; RELEASE#<cluster>#<ns>#<release> holds the
 * release history (sk `<at>#<deploymentId>`); DEPLOYTRIGGER holds the ECR triggers.
 */
export class DynamoDeploymentStore implements DeploymentStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  async create(record: DeploymentRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: pk(record.id), sk: 'META', gsi1pk: 'DEPLOYMENTS', gsi1sk: `${record.createdAt}#${record.id}`, entity: 'deployment', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async get(id: string): Promise<DeploymentView | undefined> {
    let record: DeploymentRecord | undefined;
    const waves: WaveRecord[] = [];
    const clusters: ClusterDeployRecord[] = [];
    for await (const item of queryItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk(id) },
    })) {
      if (item.sk === 'META') record = strip(item);
      else if (item.entity === 'deployment-wave') waves.push(strip(item));
      else if (item.entity === 'deployment-cluster') clusters.push(strip(item));
    }
    if (!record) return undefined;
    return { record, waves: waves.sort((a, b) => a.index - b.index), clusters };
  }

  /**
   * gsi1 `DEPLOYMENTS / <createdAt>#<id>` read backwards (newest first). A status is a filter on that
   * read (it changes RUNNING → SUCCEEDED|FAILED, so it is not keyed); pages are read until `limit`
   * deployments matched or the index ends. Waves and clusters come from each deployment's partition.
   */
  async list(options: { status?: DeploymentRecord['status']; limit: number }): Promise<DeploymentView[]> {
    const ids: string[] = [];
    for await (const item of queryItems(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ProjectionExpression: '#id',
      ...(options.status
        ? {
            FilterExpression: '#s = :s',
            ExpressionAttributeNames: { '#id': 'id', '#s': 'status' },
            ExpressionAttributeValues: { ':pk': 'DEPLOYMENTS', ':s': options.status },
          }
        : { ExpressionAttributeNames: { '#id': 'id' }, ExpressionAttributeValues: { ':pk': 'DEPLOYMENTS' }, Limit: options.limit }),
      ScanIndexForward: false,
    })) {
      ids.push(item.id as string);
      if (ids.length >= options.limit) break;
    }
    const limit = pLimit(8);
    const views = await Promise.all(ids.map((id) => limit(() => this.get(id))));
    return views.filter((view): view is DeploymentView => view !== undefined);
  }

  async savePlan(id: string, waves: WaveRecord[]): Promise<WaveRecord[]> {
    const now = new Date().toISOString();
    for (const wave of waves) {
      await this.putIfAbsent({ pk: pk(id), sk: waveSk(wave.index), entity: 'deployment-wave', ...wave });
      for (const c of wave.clusters) {
        const item: ClusterDeployRecord = { waveIndex: wave.index, clusterId: c.clusterId, cluster: c.cluster, status: 'PENDING', updatedAt: now };
        await this.putIfAbsent({ pk: pk(id), sk: clusterSk(wave.index, c.clusterId), entity: 'deployment-cluster', ...item });
      }
    }
    return (await this.get(id))?.waves ?? waves;
  }

  async setStatus(id: string, status: DeploymentRecord['status'], at: string, message?: string): Promise<void> {
    const finished = status !== 'RUNNING';
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: 'META' },
        UpdateExpression: `SET #s = :s, updatedAt = :at${finished ? ', finishedAt = if_not_exists(finishedAt, :at)' : ''}${message ? ', message = :m' : ''}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': status, ':at': at, ...(message ? { ':m': message } : {}) },
      }),
    );
  }

  async setWaveStatus(id: string, index: number, status: WaveRecord['status']): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: waveSk(index) },
        UpdateExpression: 'SET #s = :s',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': status },
      }),
    );
  }

  async setClusterStatus(
    id: string,
    waveIndex: number,
    clusterId: string,
    changes: Partial<ClusterDeployRecord> & { status: ClusterDeployRecord['status']; updatedAt: string },
  ): Promise<void> {
    const entries = Object.entries(changes).filter(([k, v]) => v !== undefined && !['waveIndex', 'clusterId'].includes(k));
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: pk(id), sk: clusterSk(waveIndex, clusterId) },
        UpdateExpression: `SET ${entries.map((_, i) => `#k${i} = :v${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#k${i}`, k])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
      }),
    );
  }

  async claimFailureReport(id: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: pk(id), sk: 'META' },
          UpdateExpression: 'SET failureReported = :t',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(failureReported)',
          ExpressionAttributeValues: { ':t': true },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async appendHistory(entry: ReleaseHistoryEntry): Promise<void> {
    // One entry per deployment and outcome: a replayed step rewrites the same item.
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: historyPk(entry.clusterId, entry.namespace, entry.release),
          sk: `${entry.at}#${entry.deploymentId}#${entry.outcome}`,
          entity: 'release-history',
          ...entry,
        },
      }),
    );
  }

  async releaseHistory(clusterId: string, namespace: string, release: string, limit = 20): Promise<ReleaseHistoryEntry[]> {
    const out: ReleaseHistoryEntry[] = [];
    for await (const item of queryItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': historyPk(clusterId, namespace, release) },
      ScanIndexForward: false,
    })) {
      out.push(strip(item));
      if (out.length >= limit) break;
    }
    return out;
  }

  async putTrigger(id: string, trigger: DeployTriggerSpec): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { pk: TRIGGERS_PK, sk: id, entity: 'deploy-trigger', id, ...trigger } }));
  }

  async listTriggers(): Promise<(DeployTriggerSpec & { id: string })[]> {
    const out: (DeployTriggerSpec & { id: string })[] = [];
    for await (const item of queryItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': TRIGGERS_PK },
    })) {
      out.push(strip(item));
    }
    return out;
  }

  async deleteTrigger(id: string): Promise<boolean> {
    const result = await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: TRIGGERS_PK, sk: id }, ReturnValues: 'ALL_OLD' }));
    return result.Attributes !== undefined;
  }

  private async putIfAbsent(item: Record<string, unknown>): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
  }
}
