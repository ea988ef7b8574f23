/**
 * Powertools idempotency on the main table (pk = IDEMPOTENCY#<function>, sk = hash of the key,
 * TTL in `expiresAt`), pointed at DynamoDB Local when the wiring is local.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';

export interface IdempotencyTarget {
  tableName: string;
  endpoint?: string;
  region?: string;
  /** Names the partition: one per function. */
  functionName: string;
  /** JMESPath into the payload that makes the key, e.g. `[healingId, step]`. */
  keyPath: string;
  expiresAfterSeconds?: number;
}

export type IdempotentFn<I, O> = (input: I, context: Context) => Promise<O>;

export function idempotent<I extends Record<string, unknown>, O>(target: IdempotencyTarget, fn: (input: I) => Promise<O>): IdempotentFn<I, O> {
  const client = new DynamoDBClient({
    ...(target.region ? { region: target.region } : {}),
    ...(target.endpoint ? { endpoint: target.endpoint, region: target.region ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: target.tableName,
    keyAttr: 'pk',
    sortKeyAttr: 'sk',
    staticPkValue: `IDEMPOTENCY#${target.functionName}`,
    expiryAttr: 'expiresAt',
    awsSdkV3Client: client,
  });
  const config = new IdempotencyConfig({ eventKeyJmesPath: target.keyPath, expiresAfterSeconds: target.expiresAfterSeconds ?? 86_400, throwOnNoIdempotencyKey: true });
  const wrapped = makeIdempotent(async (input: I) => fn(input), { persistenceStore, config });
  return async (input, context) => {
    config.registerLambdaContext(context);
    return wrapped(input) as Promise<O>;
  };
}
