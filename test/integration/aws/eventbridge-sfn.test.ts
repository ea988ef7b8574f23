import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../../functions/adapters/aws/eventbridge-publisher.ts';
import { StepFunctionsWorkflows } from '../../../functions/adapters/aws/sfn-workflows.ts';
import { awsError, startFakeAwsJson } from '../../support/fake-aws-json.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let events: Awaited<ReturnType<typeof startFakeAwsJson>>;
let sfn: Awaited<ReturnType<typeof startFakeAwsJson>>;
let failNext = false;
const started = new Set<string>();

beforeAll(async () => {
  events = await startFakeAwsJson({
    PutEvents: ({ Entries }) => {
      const entries = Entries as unknown[];
      if (failNext) {
        failNext = false;
        return {
          body: {
            FailedEntryCount: 1,
            Entries: entries.map((_, i) => (i === 0 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `e-${i}` })),
          },
        };
      }
      return { body: { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e-${i}` })) } };
    },
  });
  sfn = await startFakeAwsJson({
    StartExecution: ({ stateMachineArn, name }) => {
      const key = `${stateMachineArn}:${name}`;
      if (started.has(key)) return awsError('ExecutionAlreadyExists', 'Execution Already Exists');
      started.add(key);
      return { body: { executionArn: `${String(stateMachineArn).replace(':stateMachine:', ':execution:')}:${name}`, startDate: Date.now() / 1000 } };
    },
    DescribeExecution: ({ executionArn }) =>
      String(executionArn).endsWith(':missing')
        ? awsError('ExecutionDoesNotExist', 'nope')
        : { body: { executionArn, stateMachineArn: 'arn', status: 'SUCCEEDED', startDate: Date.now() / 1000, output: '{"ok":true}' } },
    SendTaskSuccess: () => ({ body: {} }),
  });
});
afterAll(async () => {
  await events?.stop();
  await sfn?.stop();
});

describe('EventBridgePublisher against the PutEvents wire protocol', () => {
  it('sends batches of at most 10 entries with JSON details on the named bus', async () => {
    const publisher = new EventBridgePublisher({
      busName: 'fleetops-bus',
      client: new EventBridgeClient({ endpoint: events.endpoint, region: 'us-east-1', credentials }),
    });
    await publisher.publish(Array.from({ length: 12 }, (_, i) => ({ source: 'fleetops.alerts', detailType: 'IncidentOpened', detail: { n: i } })));
    const calls = events.requests.filter((r) => r.operation === 'PutEvents');
    expect(calls.map((c) => (c.input.Entries as unknown[]).length)).toEqual([10, 2]);
    expect((calls[0].input.Entries as { EventBusName: string; Detail: string }[])[3]).toMatchObject({
      EventBusName: 'fleetops-bus',
      Source: 'fleetops.alerts',
      DetailType: 'IncidentOpened',
      Detail: '{"n":3}',
    });
  });

  it('throws when PutEvents reports failed entries (it answers 200), so the caller retries', async () => {
    const publisher = new EventBridgePublisher({
      busName: 'b',
      client: new EventBridgeClient({ endpoint: events.endpoint, region: 'us-east-1', credentials }),
    });
    failNext = true;
    await expect(publisher.publish([{ source: 's', detailType: 'd', detail: {} }])).rejects.toThrow(/ThrottlingException/);
  });
});

describe('StepFunctionsWorkflows against the Step Functions wire protocol', () => {
  const arns = { 'metric-pull': 'arn:aws:states:us-east-1:123456789012:stateMachine:Fleetops-metric-pull' };
  const workflows = () =>
    new StepFunctionsWorkflows({ stateMachineArns: arns, client: new SFNClient({ endpoint: sfn.endpoint, region: 'us-east-1', credentials }) });

  it('starts by name idempotently, describes, and answers task tokens', async () => {
    const first = await workflows().start('metric-pull', { pullId: 'p1' }, 'p1');
    const again = await workflows().start('metric-pull', { pullId: 'p1' }, 'p1');
    expect(again.executionId).toBe(first.executionId);
    expect(first.executionId).toBe('arn:aws:states:us-east-1:123456789012:execution:Fleetops-metric-pull:p1');
    expect(await workflows().describe(first.executionId)).toMatchObject({ status: 'SUCCEEDED', output: { ok: true } });
    expect(await workflows().describe('arn:aws:states:us-east-1:123456789012:execution:x:missing')).toBeUndefined();
    await workflows().succeed('token-1', { approved: true });
    expect(sfn.requests.find((r) => r.operation === 'SendTaskSuccess')?.input).toEqual({ taskToken: 'token-1', output: '{"approved":true}' });
    await expect(workflows().start('unknown', {})).rejects.toThrow(/Unknown workflow/);
  });
});
