/**
 * RCA's link on the incident item (INCIDENT#<id> / META): `rcaId` is set once, only if absent, so a
 * redelivered IncidentOpened or a second start never replaces it.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export class IncidentRcaLinks {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  /** The incident's rcaId after the call: `rcaId` when it was set now, the earlier one otherwise; undefined when no such incident. */
  async linkRca(incidentId: string, rcaId: string): Promise<string | undefined> {
    const Key = { pk: `INCIDENT#${incidentId}`, sk: 'META' };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET rcaId = :id',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(rcaId)',
          ExpressionAttributeValues: { ':id': rcaId },
        }),
      );
      return rcaId;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const item = (await this.client.send(new GetCommand({ TableName: this.tableName, Key, ProjectionExpression: 'rcaId', ConsistentRead: true }))).Item;
      return item?.rcaId as string | undefined;
    }
  }
}
