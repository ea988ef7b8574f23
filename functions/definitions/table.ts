/**
 * The DynamoDB table(s), as plain data: CDK (lib/constructs/data.ts) and the local cloud
 * (local/dynamodb.ts) both create tables from these definitions.
 *
 * Single-table design. Access patterns (pk / sk, gsi1pk / gsi1sk):
 * - cluster by id                  CLUSTER#<id> / META
 * - cluster name uniqueness        CLUSTERNAME#<name> / NAME                (transaction with the cluster item)
 * - list clusters                  gsi1: CLUSTERS / <name>
 * - alert dedup state              DEDUP#<fingerprint> / STATE              (conditional put, ADD counters, TTL)
 * - incident by id                 INCIDENT#<id> / META
 * - incidents by status            gsi1: INCIDENTS#<status> / <lastSeen>#<id>
 * - incident's alerts              INCIDENT#<id> / ALERT#<fingerprint>
 * - silences                       SILENCE / <id>                           (TTL at end time)
 * - anomalies per series           ANOMALY#<cluster>#<service> / <at>       (TTL)
 * - latest anomalies per cluster   gsi1: ANOMALIES#<clusterId> / <at>#<series>
 * - model artefacts                MODEL#<cluster>#<service> / <kind>#<version>
 * - idempotency records            IDEMPOTENCY#<fn> / <hash>                (Powertools idempotency, TTL)
 * - RCA by id                      RCA#<id> / META                          (conditional create; RUNNING → SUCCEEDED|FAILED once)
 * - RCA model answer cache         RCACACHE#<evidence hash> / REPORT        (TTL)
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface TableDefinition {
  /** Logical id; the physical name comes from the environment (TABLE_NAME). */
  id: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  timeToLiveAttribute: string;
  globalSecondaryIndexes: { indexName: string; partitionKey: KeyAttribute; sortKey: KeyAttribute }[];
}

export const MAIN_TABLE: TableDefinition = {
  id: 'main',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    {
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
    },
  ],
};

export const TABLES: TableDefinition[] = [MAIN_TABLE];
