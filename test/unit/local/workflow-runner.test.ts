import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LocalWorkflowRunner } from '../../../local/workflows/runner.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const definition = {
  name: 'approval',
  file: 'test/fixtures/state-machines/approval.asl.json',
  functions: { PrepareFunctionArn: 'prepare', DoubleFunctionArn: 'double', RequestApprovalFunctionArn: 'request-approval' },
};

function harness() {
  const calls: { handler: string; payload: any }[] = [];
  const tokens: string[] = [];
  const runner = new LocalWorkflowRunner(
    [definition],
    async (handler, payload: any) => {
      calls.push({ handler, payload });
      if (handler === 'prepare') return { ok: true, keys: Object.keys(payload).sort() };
      if (handler === 'double') return payload * 2;
      if (handler === 'request-approval') tokens.push(payload.taskToken);
      return null;
    },
    { rootDir: root },
  );
  return { runner, calls, tokens };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('condition not reached');
}

describe('LocalWorkflowRunner', () => {
  it('runs tasks, maps, and waits for the task token until SendTaskSuccess', async () => {
    const { runner, calls, tokens } = harness();
    const { executionId } = await runner.start('approval', { items: [1, 2, 3] });
    await until(() => tokens.length === 1);
    expect((await runner.describe(executionId))?.status).toBe('RUNNING');
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls.find((c) => c.handler === 'request-approval')?.payload.doubled).toEqual([2, 4, 6]);

    await runner.sendTaskSuccess(tokens[0], { approvedBy: 'sre' });
    const done = await runner.wait(executionId);
    expect(done?.status).toBe('SUCCEEDED');
    expect(done?.output).toMatchObject({ summary: { ok: true, keys: ['approval', 'doubled', 'items', 'prepared'] } });
    // A token is single-use, like Step Functions.
    await expect(runner.sendTaskSuccess(tokens[0], {})).rejects.toThrow(/does not exist/);
  });

  it('routes SendTaskFailure to the Catch of the waiting state', async () => {
    const { runner, tokens } = harness();
    const { executionId } = await runner.start('approval', { items: [] });
    await until(() => tokens.length === 1);
    await runner.sendTaskFailure(tokens[0], 'Rejected', 'no');
    const done = await runner.wait(executionId);
    expect(done?.status).toBe('SUCCEEDED');
    expect(done?.output).toMatchObject({ outcome: 'rejected', rejection: { Error: 'Rejected' } });
  });

  it('is idempotent by execution name and reports failures', async () => {
    const { runner } = harness();
    const first = await runner.start('approval', { items: 'not-a-list' }, 'same-name');
    const second = await runner.start('approval', { items: [1] }, 'same-name');
    expect(second.executionId).toBe(first.executionId);
    const done = await runner.wait(first.executionId);
    expect(done?.status).toBe('FAILED');
    await expect(runner.start('nope', {})).rejects.toThrow(/Unknown workflow/);
  });
});
