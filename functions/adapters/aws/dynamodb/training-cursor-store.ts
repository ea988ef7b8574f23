import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TrainingCursor, TrainingCursorStore } from '../../../core/pull/training-run.ts';

/** The model-training run cursor: one item, TRAINING / CURSOR, written with a version condition. */
export class DynamoTrainingCursorStore implements TrainingCursorStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async get(): Promise<TrainingCursor | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'TRAINING', sk: 'CURSOR' }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, entity: _entity, ...cursor } = out.Item;
    return cursor as TrainingCursor;
  }

  async put(next: TrainingCursor, expectedVersion: number | undefined): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: 'TRAINING', sk: 'CURSOR', entity: 'training-cursor', ...next },
          ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(pk)' : '#v = :v',
          ...(expectedVersion === undefined ? {} : { ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': expectedVersion } }),
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string })?.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
