import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mergeGraphs, normalizeGraph, type DependencyGraph, type DependencyGraphStore, type GraphSource } from '../../../core/mesh/graph.ts';
import { queryItems, ttlEpochSeconds } from './document-client.ts';

const pk = (cluster: string) => `GRAPH#${cluster}`;
/** A source that stops reporting (mesh removed, cluster deleted) ages out instead of grouping forever. */
const RETENTION_MS = 7 * 86_400_000;

/**
 * Service dependency graphs: GRAPH#<cluster name> / SOURCE#<mesh|catalog>, one item per source, merged on
 * read (one Query per cluster; the alert pipeline caches it per warm Lambda).
 */
export class DynamoDependencyGraphStore implements DependencyGraphStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async put(cluster: string, source: GraphSource, graph: DependencyGraph, at: Date): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          pk: pk(cluster),
          sk: `SOURCE#${source}`,
          entity: 'dependency-graph',
          cluster,
          source,
          graph: normalizeGraph(graph),
          updatedAt: at.toISOString(),
          expiresAt: ttlEpochSeconds(new Date(at.getTime() + RETENTION_MS)),
        },
      }),
    );
  }

  async get(cluster: string): Promise<DependencyGraph | undefined> {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const graphs: DependencyGraph[] = [];
    for await (const item of queryItems(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :src)',
      ExpressionAttributeValues: { ':pk': pk(cluster), ':src': 'SOURCE#' },
    })) {
      if (typeof item.expiresAt === 'number' && item.expiresAt < nowSeconds) continue;
      if (item.graph && typeof item.graph === 'object') graphs.push(item.graph as DependencyGraph);
    }
    return graphs.length ? mergeGraphs(graphs) : undefined;
  }
}
