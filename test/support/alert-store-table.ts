import { afterAll, beforeAll } from 'vitest';
import { DynamoAlertStore } from '../../functions/adapters/aws/dynamodb/alert-store.ts';
import type { IncidentDraft } from '../../functions/core/alerts/ports.ts';
import { createDocumentClient } from '../../functions/adapters/aws/dynamodb/document-client.ts';
import { startTestTable } from './dynamodb.ts';

export interface AlertStoreTable {
  client: ReturnType<typeof createDocumentClient>;
  tableName: string;
  store: DynamoAlertStore;
}

/**
 * DynamoDB Local with a fresh main table and the alert store on it, for the test file that calls this at its top:
 * started before its tests (the fields are set from then on), stopped after them.
 */
export function useAlertStoreTable(): AlertStoreTable {
  const table = {} as AlertStoreTable;
  let db: Awaited<ReturnType<typeof startTestTable>> | undefined;
  beforeAll(async () => {
    db = await startTestTable();
    table.tableName = db.tableName;
    table.client = createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint });
    table.store = new DynamoAlertStore({ client: table.client, tableName: db.tableName });
  }, 120_000);
  afterAll(async () => {
    table.client?.destroy();
    await db?.stop();
  });
  return table;
}

/** A plain incident draft of `cart` (HighErrorRate, high), for tests that open incidents on the store directly. */
export function incidentDraft(id: string, cluster: string, windowStart: Date): IncidentDraft {
  return {
    id,
    cluster,
    namespace: 'shop',
    service: 'cart',
    type: 'HighErrorRate',
    severity: 'high',
    title: 't',
    importance: 1,
    notify: true,
    silenced: false,
    windowStart: windowStart.toISOString(),
  };
}
