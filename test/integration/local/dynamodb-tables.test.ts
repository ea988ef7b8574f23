/**
 * ensureTables on a data directory kept from an earlier version: the table is there, an index added since is not.
 * It adds the index (as a CDK deploy does in AWS), so a restarted demo keeps its data and can read the new index.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN_TABLE } from '../../../functions/definitions/table.ts';
import { ensureTables, localDynamoClient, startDynamoDbLocal, type DynamoDbLocal } from '../../../local/dynamodb.ts';

describe('ensureTables', () => {
  let db: DynamoDbLocal;
  beforeAll(async () => {
    db = await startDynamoDbLocal();
  }, 60_000);
  afterAll(async () => db?.stop());

  it('adds an index the existing table lacks, and leaves a complete table alone', async () => {
    const older = { ...MAIN_TABLE, globalSecondaryIndexes: MAIN_TABLE.globalSecondaryIndexes.slice(0, 1) };
    await ensureTables(db.endpoint, [{ name: 'kept', definition: older }]);
    const client = localDynamoClient(db.endpoint);
    try {
      const indexes = async () =>
        ((await client.send(new DescribeTableCommand({ TableName: 'kept' }))).Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).sort();
      expect(await indexes()).toEqual(['gsi1']);
      await ensureTables(db.endpoint, [{ name: 'kept', definition: MAIN_TABLE }]);
      expect(await indexes()).toEqual(MAIN_TABLE.globalSecondaryIndexes.map((i) => i.indexName).sort());
      await ensureTables(db.endpoint, [{ name: 'kept', definition: MAIN_TABLE }]);
      expect(await indexes()).toEqual(MAIN_TABLE.globalSecondaryIndexes.map((i) => i.indexName).sort());
    } finally {
      client.destroy();
    }
  });
});
