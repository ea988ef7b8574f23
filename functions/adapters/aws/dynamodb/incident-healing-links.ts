/**
 * Healing's two writes on the incident item (INCIDENT#<id> / META): its healing ids and its notes.
 * Kept apart from the alert store, which owns every other attribute of the item.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IncidentHealingLinks } from '../../../core/healing/ports.ts';

const incidentKey = (id: string) => ({ pk: `INCIDENT#${id}`, sk: 'META' });

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

export class DynamoIncidentHealingLinks implements IncidentHealingLinks {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  /** Appends once: a retried step finds the id in the list and changes nothing. A missing incident is left alone. */
  async link(incidentId: string, healingId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: incidentKey(incidentId),
          UpdateExpression: 'SET healingIds = list_append(if_not_exists(healingIds, :empty), :ids)',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(healingIds) OR NOT contains(healingIds, :id))',
          ExpressionAttributeValues: { ':empty': [], ':ids': [healingId], ':id': healingId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async addNote(incidentId: string, note: { at: string; author: string; text: string }): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: incidentKey(incidentId),
          UpdateExpression: 'SET notes = list_append(if_not_exists(notes, :empty), :note)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':empty': [], ':note': [note] },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
