/**
 * Idempotent workflow steps: Step Functions retries a Task at least once, so a step that already
 * succeeded must return its first result instead of running again. Powertools Idempotency with a
 * DynamoDB persistence layer on the main table (`pk = IDEMPOTENCY#<step>`, `sk = <hash of the key>`,
 * expiry in the table's TTL attribute), which is DynamoDB Local in the local stack.
 *
 *   export const handler = middy(idempotentStep('pull-metrics', async (batch) => ..., { key: 'pullId' }))
 */
import type { Context } from 'aws-lambda';
import { idempotent } from './adapters/aws/dynamodb/idempotency.ts';
import { wiring } from './wiring.ts';

export interface IdempotentStepOptions {
  /**
   * JMESPath of the idempotency key in the input (e.g. `pullId || id`); default: the whole input.
   * An input without the key runs without idempotency (nothing to recognise a retry by), unless `requireKey`.
   */
  key?: string;
  /** Throw on an input without the key instead of running it unguarded. */
  requireKey?: boolean;
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
      const run = idempotent<E, R>(
        {
          tableName: config.TABLE_NAME,
          region: config.AWS_REGION,
          endpoint: config.DYNAMODB_ENDPOINT,
          functionName: step,
          keyPath: options.key,
          expiresAfterSeconds: options.expiresAfterSeconds,
          throwOnNoKey: options.requireKey ?? false,
        },
        handler,
      );
      built = { base, run };
    }
    return built.run(event, context);
  };
}
