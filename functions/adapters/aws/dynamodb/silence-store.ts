import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { isActive, type Silence } from '../../../core/alerts/silences.ts';
import { MeteredTable, type DynamoStoreOptions } from './incident-store.ts';

const SILENCE_PK = 'SILENCE';

/** Silences under `SILENCE / <id>`, expiring (TTL) at their end time. */
export class DynamoSilenceStore {
  readonly #table: MeteredTable;

  constructor(options: DynamoStoreOptions | MeteredTable) {
    this.#table = options instanceof MeteredTable ? options : new MeteredTable(options);
  }

  async create(input: Omit<Silence, 'id'> & { id?: string }): Promise<Silence> {
    const silence: Silence = { ...input, id: input.id ?? randomUUID() };
    await this.#table.send(
      new PutCommand({
        TableName: this.#table.tableName,
        Item: {
          pk: SILENCE_PK,
          sk: silence.id,
          entity: 'silence',
          ...silence,
          expiresAt: Math.ceil(Date.parse(silence.endsAt) / 1000),
        },
      }),
    );
    return silence;
  }

  async delete(id: string): Promise<void> {
    await this.#table.send(new DeleteCommand({ TableName: this.#table.tableName, Key: { pk: SILENCE_PK, sk: id } }));
  }

  /** Every silence not yet ended (TTL deletion is lazy, so ended ones are filtered here too). */
  async list(now: Date): Promise<Silence[]> {
    const items: Silence[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.#table.send<{ Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> }>(
        new QueryCommand({
          TableName: this.#table.tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: 'endsAt > :now',
          ExpressionAttributeValues: { ':pk': SILENCE_PK, ':now': now.toISOString() },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const i of out.Items ?? []) {
        items.push({
          id: String(i.sk),
          matchers: i.matchers as Silence['matchers'],
          startsAt: String(i.startsAt),
          endsAt: String(i.endsAt),
          createdBy: String(i.createdBy ?? ''),
          comment: String(i.comment ?? ''),
        });
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async active(now: Date): Promise<Silence[]> {
    return (await this.list(now)).filter((s) => isActive(s, now));
  }
}
