import type { EventTarget, ScheduleDefinition } from '../functions/definitions/events.ts';
import { ConfigSchema } from '../functions/config.ts';

const ScheduleIntervals = ConfigSchema.pick({
  FLEETOPS_PULL_INTERVAL_SECONDS: true,
  FLEETOPS_TRAIN_INTERVAL_SECONDS: true,
  FLEETOPS_ESCALATION_INTERVAL_SECONDS: true,
  FLEETOPS_HEALTH_INTERVAL_SECONDS: true,
  FLEETOPS_CATALOG_PULL_INTERVAL_SECONDS: true,
  FLEETOPS_SCORECARD_REFRESH_INTERVAL_SECONDS: true,
}).partial();
import { toEnvelope, type EventEnvelope } from './bus/local-bus.ts';

/** Runs the stack's schedules on timers, delivering the same "Scheduled Event" EventBridge sends. */
export class LocalScheduler {
  private readonly timers: NodeJS.Timeout[] = [];

  private readonly schedules: ScheduleDefinition[];
  private readonly invoke: (target: EventTarget, event: EventEnvelope) => Promise<unknown>;
  private readonly env: NodeJS.ProcessEnv;
  private readonly onError: (id: string, error: unknown) => void;

  constructor(
    schedules: ScheduleDefinition[],
    invoke: (target: EventTarget, event: EventEnvelope) => Promise<unknown>,
    env: NodeJS.ProcessEnv = process.env,
    onError: (id: string, error: unknown) => void = () => undefined,
  ) {
    this.schedules = schedules;
    this.invoke = invoke;
    this.env = env;
    this.onError = onError;
  }

  /** Read through the one configuration schema, so a malformed interval fails at start, not silently. */
  intervalSeconds(schedule: ScheduleDefinition): number {
    const config = ScheduleIntervals.parse(this.env) as Record<string, number | undefined>;
    const override = schedule.localIntervalEnv ? config[schedule.localIntervalEnv] : undefined;
    return typeof override === 'number' ? override : (schedule.localDefaultSeconds ?? schedule.rateMinutes * 60);
  }

  start(): void {
    for (const schedule of this.schedules) {
      const timer = setInterval(() => void this.fire(schedule.id), this.intervalSeconds(schedule) * 1000);
      timer.unref();
      this.timers.push(timer);
    }
  }

  async fire(id: string): Promise<unknown> {
    const schedule = this.schedules.find((s) => s.id === id);
    if (!schedule) throw new Error(`Unknown schedule ${id}`);
    const event = toEnvelope({ source: 'aws.events', detailType: 'Scheduled Event', detail: {}, resources: [`arn:aws:events:local:000000000000:rule/${id}`] });
    try {
      return await this.invoke(schedule.target, event);
    } catch (error) {
      this.onError(id, error);
      return undefined;
    }
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }
}
