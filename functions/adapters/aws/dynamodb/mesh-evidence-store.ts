import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MeshEvidence, MeshEvidenceStore } from '../../../core/mesh/evidence.ts';
import { ttlEpochSeconds } from './document-client.ts';

/** Edge evidence is about now: an item the pull stopped refreshing is gone soon (and ignored on read before). */
const RETENTION_MS = 15 * 60_000;

/**
 * The last edge evidence of a cluster: GRAPH#<cluster name> / EDGES, one item overwritten every pull (at most
 * 2000 edges of a few numbers each, far below 400 KB), read by the alert pipeline (cached per warm Lambda).
 */
export class DynamoMeshEvidenceStore implements MeshEvidenceStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async put(cluster: string, evidence: MeshEvidence): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          pk: `GRAPH#${cluster}`,
          sk: 'EDGES',
          entity: 'mesh-evidence',
          cluster,
          at: evidence.at,
          edges: evidence.edges,
          expiresAt: ttlEpochSeconds(new Date(Date.parse(evidence.at) + RETENTION_MS)),
        },
      }),
    );
  }

  async get(cluster: string): Promise<MeshEvidence | undefined> {
    const out = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { pk: `GRAPH#${cluster}`, sk: 'EDGES' } }));
    const item = out.Item;
    if (!item || (typeof item.expiresAt === 'number' && item.expiresAt < Math.floor(Date.now() / 1000))) return undefined;
    return { at: String(item.at), edges: Array.isArray(item.edges) ? (item.edges as MeshEvidence['edges']) : [] };
  }
}
