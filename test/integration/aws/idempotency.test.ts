import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotentStep } from '../../../functions/idempotency.ts';
import { setWiring } from '../../../functions/wiring.ts';
import { startTestTable } from '../../support/dynamodb.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
const saved = { ...process.env };
const context = { functionName: 'test', awsRequestId: 'r1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

beforeAll(async () => {
  db = await startTestTable();
  Object.assign(process.env, { TABLE_NAME: db.tableName, DYNAMODB_ENDPOINT: db.endpoint, AWS_REGION: 'us-east-1' });
  setWiring(undefined);
});
afterAll(async () => {
  process.env = saved;
  setWiring(undefined);
  await db?.stop();
});

describe('idempotentStep (Powertools Idempotency on the main table, DynamoDB Local)', () => {
  it('runs a step once per input and replays its result to a retry', async () => {
    let runs = 0;
    const step = idempotentStep('test-step', async (input: { pullId: string; n: number }) => ({ pullId: input.pullId, run: ++runs, n: input.n }));
    const first = await step({ pullId: 'p1', n: 1 }, context);
    const retry = await step({ pullId: 'p1', n: 1 }, context);
    expect(first).toEqual({ pullId: 'p1', run: 1, n: 1 });
    expect(retry).toEqual(first);
    expect(runs).toBe(1);
    expect(await step({ pullId: 'p2', n: 1 }, context)).toEqual({ pullId: 'p2', run: 2, n: 1 });
  });

  it('keys by the given JMESPath, keeps steps apart, and does not record a failure', async () => {
    let runs = 0;
    let fail = true;
    const plan = idempotentStep(
      'test-plan',
      async (input: { pullId?: string; id?: string; time?: string }) => {
        runs++;
        if (fail) throw new Error('transient');
        return { key: input.pullId ?? input.id, run: runs };
      },
      { key: 'pullId || id' },
    );
    await expect(plan({ id: 'evt-1', time: 'a' }, context)).rejects.toThrow('transient');
    fail = false;
    const ok = await plan({ id: 'evt-1', time: 'a' }, context);
    expect(ok).toEqual({ key: 'evt-1', run: 2 });
    // Same key, other fields differ: still the same step execution.
    expect(await plan({ id: 'evt-1', time: 'b' }, context)).toEqual(ok);
    expect(runs).toBe(2);
    // Another step with the same input is its own execution.
    const other = idempotentStep('test-other', async (input: { id: string }) => ({ other: input.id }), { key: 'pullId || id' });
    expect(await other({ id: 'evt-1' }, context)).toEqual({ other: 'evt-1' });
  });
});
