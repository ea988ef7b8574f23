/**
 * Capacity recommendations from a CPU history and its forecast.
 *
 * Unit: CPU utilisation in percent of the service's CPU *requests* (per-pod average; 100 = pods use
 * exactly what they request, > 100 possible when limits allow bursting). With the target of 50 %
 * per replica this gives the seed's rule:
 *   peak_cpu = max over history values and forecast yhat
 *   avg_cpu  = mean over the same values
 *   recommended_replicas = clamp(ceil(peak_cpu / 50), 2, 10)
 *   scale_up_threshold   = 0.8 × peak_cpu
 * Numbers are rounded to 2 decimals.
 */
import { ValidationError } from '../errors.ts';

export interface CapacityRecommendations {
  peak_cpu: number;
  avg_cpu: number;
  recommended_replicas: number;
  scale_up_threshold: number;
}

export interface CapacityOptions {
  /** Target CPU percent per replica. Default 50. */
  targetPercentPerReplica?: number;
  minReplicas?: number;
  maxReplicas?: number;
  /** Fraction of the peak at which to scale up. Default 0.8. */
  scaleUpFraction?: number;
}

export const CAPACITY_DEFAULTS = { targetPercentPerReplica: 50, minReplicas: 2, maxReplicas: 10, scaleUpFraction: 0.8 } as const;

const round2 = (v: number): number => Math.round(v * 100) / 100;

export function capacityRecommendations(
  history: readonly { value: number }[],
  predictions: readonly { yhat: number }[] = [],
  options: CapacityOptions = {},
): CapacityRecommendations {
  const o = { ...CAPACITY_DEFAULTS, ...options };
  const values = [...history.map((p) => p.value), ...predictions.map((p) => p.yhat)].filter((v) => Number.isFinite(v));
  if (values.length === 0) throw new ValidationError('capacity recommendations need at least one CPU value', undefined, 'INSUFFICIENT_DATA');
  let peak = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v > peak) peak = v;
    sum += v;
  }
  const replicas = Math.min(o.maxReplicas, Math.max(o.minReplicas, Math.ceil(peak / o.targetPercentPerReplica)));
  return {
    peak_cpu: round2(peak),
    avg_cpu: round2(sum / values.length),
    recommended_replicas: replicas,
    scale_up_threshold: round2(o.scaleUpFraction * peak),
  };
}
