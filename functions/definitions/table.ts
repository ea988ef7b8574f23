/**
 * The DynamoDB table(s), as plain data: CDK (lib/constructs/data.ts) and the local cloud
 * (local/dynamodb.ts) both create tables from these definitions.
 *
 * Single-table design. Access patterns (pk / sk, gsi1pk / gsi1sk, gsi2pk / gsi2sk):
 * - cluster by id                  CLUSTER#<id> / META
 * - cluster name uniqueness        CLUSTERNAME#<name> / NAME                (transaction with the cluster item)
 * - list clusters                  gsi1: CLUSTERS / <name>
 * - alert dedup state              DEDUP#<fingerprint> / STATE              (conditional put, ADD counters, TTL)
 * - incident by id                 INCIDENT#<id> / META
 * - incidents by status            gsi1: INCIDENTS#<status> / <lastSeen>#<id>
 * - a cluster's unresolved incidents gsi2: <cluster> / <lastSeen>#<id> (sparse: both keys removed on resolve; grouping's
 *                                  read, which the fleet-wide status index would page through every cluster for)
 * - incident's firing alerts       INCIDENT#<id> / ALERT#<alertId>          (one per firing instance, deleted on resolve)
 * - silences                       SILENCE / <id>                           (TTL at end time)
 * - anomalies per series           ANOMALY#<cluster>#<service> / <at>       (TTL)
 * - latest anomalies per cluster   gsi1: ANOMALIES#<clusterId> / <at>#<series>
 * - cluster health per pull       HEALTH#<clusterId> / <at>#<pullId>       (TTL a week; newest = Query backwards, Limit 1)
 * - model artefacts                MODEL#<cluster>#<service> / <kind>#<version>
 * - idempotency records            IDEMPOTENCY#<fn> / <hash>                (Powertools idempotency, TTL)
 * - RCA by id                      RCA#<id> / META                          (conditional create; RUNNING → SUCCEEDED|FAILED once)
 * - RCA model answer cache         RCACACHE#<evidence hash> / REPORT        (TTL)
 * - deployment                     DEPLOY#<id> / META                       (conditional put: one per deploy id)
 * - deployment waves and clusters  DEPLOY#<id> / WAVE#nn, CLUSTER#nn#<clusterId> (one item each: parallel Map steps)
 * - deployments by time            gsi1: DEPLOYMENTS / <createdAt>#<id>       (GET /v1/deployments: read backwards; ?status filters on read)
 * - release history per cluster    RELEASE#<clusterId>#<ns>#<release> / <at>#<deployId>#<outcome>
 * - ECR deploy triggers            DEPLOYTRIGGER / <id>
 * - ingest credentials, API keys   CREDENTIAL#<id> / META                    (secret's SHA-256 only; revokedAt set once)
 * - list credentials               gsi1: CREDENTIALS / <createdAt>#<id>
 * - catalog entities               CATALOG / <kind>:<namespace>/<name>      (one Query reads the catalog; begins_with for a kind)
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
    {
      indexName: 'gsi2',
      partitionKey: { name: 'gsi2pk', type: 'S' },
      sortKey: { name: 'gsi2sk', type: 'S' },
    },
  ],
};

export const TABLES: TableDefinition[] = [MAIN_TABLE];

/**
 * Audit rows live in partitions of their own (`AUDIT#<subject>`), so IAM can protect them: every
 * read-write function is denied UpdateItem / DeleteItem / BatchWriteItem on these leading keys
 * (lib/fleetops-stack.ts); they are written once, with a put-if-absent.
 */
export const AUDIT_PARTITION_PREFIX = 'AUDIT#';
