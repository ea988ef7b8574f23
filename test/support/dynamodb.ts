import { randomUUID } from 'node:crypto';
import { MAIN_TABLE } from '../../functions/definitions/table.ts';
import { ensureTables, startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb.ts';

/**
 * Starts an in-memory DynamoDB Local for one test file and creates a fresh main table.
 * Usage: `const db = await startTestTable(); ... await db.stop();`
 */
export async function startTestTable(): Promise<{ endpoint: string; tableName: string; stop: () => Promise<void>; local: DynamoDbLocal }> {
  const local = await startDynamoDbLocal();
  const tableName = `fleetops-test-${randomUUID().slice(0, 8)}`;
  await ensureTables(local.endpoint, [{ name: tableName, definition: MAIN_TABLE }]);
  return { endpoint: local.endpoint, tableName, stop: () => local.stop(), local };
}
