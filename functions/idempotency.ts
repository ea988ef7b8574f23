/**
 * Idempotent workflow steps: Step Functions retries a Task at least once, so a step that already
 * succeeded must return its first result instead of running again. Powertools Idempotency with a
 * DynamoDB persistence layer on the main table (`pk = IDEMPOTENCY#<step>`, `sk = <hash of the key>`,
 * expiry in the table's TTL attribute), which is DynamoDB Local in the local stack.
 *
 *   export const handler = middy(idempotentStep('pull-metrics', async (batch) => ..., { key: 'pullId' }))
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { wiring } from './wiring.ts';

export interface IdempotentStepOptions {
  /**
   * JMESPath of the idempotency key in the input (e.g. `pullId || id`); default: the whole input.
   * An input without the key runs without idempotency (nothing to recognise a retry by).
   */
  key?: string;
  /** How long a finished step's result is replayed (default: one day). */
  expiresAfterSeconds?: number;
}

type Step<E, R> = (event: E, context: Context) => Promise<R>;

/** Wraps a step handler. The persistence layer is built on first call from the current wiring. */
export function idempotentStep<E, R>(step: string, handler: Step<E, R>, options: IdempotentStepOptions = {}): Step<E, R> {
  let built: { base: unknown; run: Step<E, R> } | undefined;
  return (event, context) => {
    const base = wiring();
    if (built?.base !== base) {
      const { config } = base;
      const persistenceStore = new DynamoDBPersistenceLayer({
        tableName: config.TABLE_NAME,
        keyAttr: 'pk',
        sortKeyAttr: 'sk',
        // One partition per step: two steps with equal inputs stay apart.
        staticPkValue: `IDEMPOTENCY#${step}`,
        expiryAttr: 'expiresAt',
        awsSdkV3Client: new DynamoDBClient({
          region: config.AWS_REGION,
          ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
        }),
      });
      const idempotencyConfig = new IdempotencyConfig({
        ...(options.key ? { eventKeyJmesPath: options.key } : {}),
        expiresAfterSeconds: options.expiresAfterSeconds ?? 86_400,
      });
      built = { base, run: makeIdempotent(handler, { persistenceStore, config: idempotencyConfig }) as Step<E, R> };
    }
    return built.run(event, context);
  };
}
