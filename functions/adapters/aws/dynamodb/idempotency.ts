/**
 * Powertools idempotency on the main table (pk = IDEMPOTENCY#<function>, sk = hash of the key,
 * TTL in `expiresAt`), pointed at DynamoDB Local when the wiring is local. The one idempotency
 * mechanism of the project: `functions/idempotency.ts` (`idempotentStep`) builds on it for every
 * workflow step (metric pull, healing).
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
  /** JMESPath into the payload that makes the key, e.g. `[healingId, step]`; default: the whole payload. */
  keyPath?: string;
  expiresAfterSeconds?: number;
  /** Throw when the payload has no key (default); `false` runs such a payload without idempotency. */
  throwOnNoKey?: boolean;
}

export type IdempotentFn<I, O> = (input: I, context: Context) => Promise<O>;

export function idempotent<I, O>(target: IdempotencyTarget, fn: (input: I, context: Context) => Promise<O>): IdempotentFn<I, O> {
  const client = new DynamoDBClient({
    ...(target.region ? { region: target.region } : {}),
    ...(target.endpoint
      ? { endpoint: target.endpoint, region: target.region ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: target.tableName,
    keyAttr: 'pk',
    sortKeyAttr: 'sk',
    // One partition per function: two steps with equal inputs stay apart.
    staticPkValue: `IDEMPOTENCY#${target.functionName}`,
    expiryAttr: 'expiresAt',
    awsSdkV3Client: client,
  });
  const config = new IdempotencyConfig({
    ...(target.keyPath ? { eventKeyJmesPath: target.keyPath } : {}),
    expiresAfterSeconds: target.expiresAfterSeconds ?? 86_400,
    throwOnNoIdempotencyKey: target.throwOnNoKey ?? true,
  });
  // An anonymous wrapper: Powertools prefixes the stored key with the wrapped function's name.
  const wrapped = makeIdempotent(async (input: I, context: Context) => fn(input, context), { persistenceStore, config });
  return async (input, context) => {
    config.registerLambdaContext(context);
    return wrapped(input, context) as Promise<O>;
  };
}
