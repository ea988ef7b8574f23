import { describe, expect, it } from 'vitest';
import type { RuleDefinition } from '../../../functions/definitions/events.ts';
import { LocalEventBus, type EventEnvelope } from '../../../local/bus/local-bus.ts';
import { LocalScheduler } from '../../../local/scheduler.ts';

const rules: RuleDefinition[] = [
  { id: 'alarms', description: '', bus: 'default', pattern: { source: ['aws.cloudwatch'] }, target: { kind: 'function', handler: 'ingest' } },
  { id: 'incidents', description: '', bus: 'fleetops', pattern: { 'detail-type': ['IncidentOpened'] }, target: { kind: 'workflow', workflow: 'rca' } },
  { id: 'flaky', description: '', bus: 'fleetops', pattern: { source: ['flaky'] }, target: { kind: 'function', handler: 'flaky' } },
];

describe('LocalEventBus', () => {
  it('delivers EventBridge envelopes to every matching rule, asynchronously', async () => {
    const delivered: [string, EventEnvelope][] = [];
    const bus = new LocalEventBus(rules, async (target, event) => {
      delivered.push([target.kind === 'function' ? target.handler : target.workflow, event]);
    });
    await bus.put([
      { source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', detail: { a: 1 } },
      { source: 'fleetops.alerts', detailType: 'IncidentOpened', detail: { id: 'i-1' } },
      { source: 'other', detailType: 'Other', detail: {} },
    ]);
    expect(delivered).toHaveLength(0);
    await bus.drain();
    expect(delivered.map(([name]) => name).sort()).toEqual(['ingest', 'rca']);
    const [, envelope] = delivered.find(([name]) => name === 'rca')!;
    expect(envelope).toMatchObject({
      version: '0',
      source: 'fleetops.alerts',
      'detail-type': 'IncidentOpened',
      detail: { id: 'i-1' },
      account: expect.any(String),
    });
    expect(envelope.id).toMatch(/[0-9a-f-]{36}/);
  });

  it('retries failed deliveries and dead-letters them after the last attempt', async () => {
    let attempts = 0;
    const bus = new LocalEventBus(
      rules,
      async () => {
        attempts++;
        if (attempts < 3) throw new Error('boom');
      },
      { maxAttempts: 3, backoffMs: 1 },
    );
    await bus.put([{ source: 'flaky', detailType: 'X', detail: {} }]);
    await bus.drain();
    expect(attempts).toBe(3);
    expect(bus.deadLetters).toHaveLength(0);

    const failing = new LocalEventBus(
      rules,
      async () => {
        throw new Error('always');
      },
      { maxAttempts: 2, backoffMs: 1 },
    );
    await failing.put([{ source: 'flaky', detailType: 'X', detail: {} }]);
    await failing.drain();
    expect(failing.deadLetters).toEqual([expect.objectContaining({ ruleId: 'flaky', error: 'always', attempts: 2 })]);
  });
});

describe('LocalScheduler', () => {
  it('fires a schedule as a Scheduled Event and honours the local interval override', async () => {
    const fired: EventEnvelope[] = [];
    const scheduler = new LocalScheduler(
      [
        {
          id: 'pull',
          description: '',
          rateMinutes: 5,
          localIntervalEnv: 'FLEETOPS_TRAIN_INTERVAL_SECONDS',
          target: { kind: 'workflow', workflow: 'metric-pull' },
        },
      ],
      async (_target, event) => void fired.push(event),
      { FLEETOPS_TRAIN_INTERVAL_SECONDS: '7' },
    );
    expect(scheduler.intervalSeconds({ id: 'x', description: '', rateMinutes: 5, target: { kind: 'function', handler: 'x' } })).toBe(300);
    expect(
      scheduler.intervalSeconds({
        id: 'x',
        description: '',
        rateMinutes: 5,
        localIntervalEnv: 'FLEETOPS_TRAIN_INTERVAL_SECONDS',
        target: { kind: 'function', handler: 'x' },
      }),
    ).toBe(7);
    // Read through the configuration schema: a malformed interval is an error, not a silent default.
    const malformed = new LocalScheduler([], async () => undefined, { FLEETOPS_TRAIN_INTERVAL_SECONDS: 'soon' });
    expect(() =>
      malformed.intervalSeconds({
        id: 'x',
        description: '',
        rateMinutes: 5,
        localIntervalEnv: 'FLEETOPS_TRAIN_INTERVAL_SECONDS',
        target: { kind: 'function', handler: 'x' },
      }),
    ).toThrow();
    await scheduler.fire('pull');
    expect(fired[0]).toMatchObject({ source: 'aws.events', 'detail-type': 'Scheduled Event', resources: ['arn:aws:events:local:000000000000:rule/pull'] });
    await expect(scheduler.fire('nope')).rejects.toThrow(/Unknown schedule/);
  });
});
