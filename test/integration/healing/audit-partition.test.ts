/** Issue 19: audit rows live in AUDIT# partitions (which IAM protects from updates and deletes); older rows are still read. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoHealingStore } from '../../../functions/adapters/aws/dynamodb/healing-store.ts';
import { AUDIT_PARTITION_PREFIX } from '../../../functions/definitions/table.ts';
import { startTestTable } from '../../support/dynamodb.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
beforeAll(async () => {
  db = await startTestTable();
}, 120_000);
afterAll(async () => {
  await db?.stop();
});

describe('audit partition', () => {
  it('writes audit rows under AUDIT#, once, and reads rows written before under HEALING#', async () => {
    const client = createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint });
    const store = new DynamoHealingStore({ client, tableName: db.tableName });
    expect(await store.audit('h9', { step: 'execute', at: '2026-12-01T00:00:02Z', actor: 'oidc:ana', what: 'scale', result: 'done' })).toBe(true);
    const { Item } = await client.send(new GetCommand({ TableName: db.tableName, Key: { pk: `${AUDIT_PARTITION_PREFIX}HEALING#h9`, sk: 'AUDIT#execute' } }));
    expect(Item).toMatchObject({ actor: 'oidc:ana' });
    expect((await client.send(new GetCommand({ TableName: db.tableName, Key: { pk: 'HEALING#h9', sk: 'AUDIT#execute' } }))).Item).toBeUndefined();
    // A row from before the move, and a forged duplicate of a step that exists: the AUDIT# row wins.
    await client.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { pk: 'HEALING#h9', sk: 'AUDIT#begin', step: 'begin', at: '2026-12-01T00:00:00Z', actor: 'api', what: 'requested', result: 'recorded' },
      }),
    );
    await client.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { pk: 'HEALING#h9', sk: 'AUDIT#execute', step: 'execute', at: '2026-12-01T00:00:02Z', actor: 'mallory', what: 'scale', result: 'forged' },
      }),
    );
    const trail = await store.auditTrail('h9');
    expect(trail.map((e) => [e.step, e.actor])).toEqual([
      ['begin', 'api'],
      ['execute', 'oidc:ana'],
    ]);
  });
});
