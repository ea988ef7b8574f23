import type { Config } from '../config.ts';
import { SCHEDULES } from '../definitions/events.ts';

/** How often the metric pull runs: the schedule's rate in AWS, the local schedule's interval on a laptop. */
export function pullIntervalSeconds(config: Config): number {
  const pull = SCHEDULES.find((s) => s.id === 'metric-pull');
  return config.FLEETOPS_RUNTIME === 'aws' && pull ? pull.rateMinutes * 60 : config.FLEETOPS_PULL_INTERVAL_SECONDS;
}
