/**
 * Golden-signal shapes and the MetricSource port. The contract's `features` object
 * (GET /v1/anomalies) is exactly GoldenSignals.
 */

/**
 * The five per-service golden signals. `null` means "not measurable right now" (no series, no
 * traffic for latency, no Prometheus for request metrics): never silently 0.
 */
export interface GoldenSignals {
  /** CPU in cores, summed over the service's pods (rate of container_cpu_usage_seconds_total). */
  cpu_usage: number | null;
  /** Working-set memory in bytes, summed over the service's pods. */
  memory_usage: number | null;
  /** Fraction (0..1) of requests answered with a 5xx over the rate window; 0 with traffic and no 5xx. */
  error_rate: number | null;
  /** 95th percentile request latency in seconds, from the request-duration histogram. */
  latency_p95: number | null;
  /** Requests per second over the rate window. */
  request_rate: number | null;
}

export type SignalName = keyof GoldenSignals;

export const SIGNAL_NAMES: readonly SignalName[] = ['cpu_usage', 'memory_usage', 'error_rate', 'latency_p95', 'request_rate'];

export interface ServiceSignals {
  cluster: string;
  namespace: string;
  service: string;
  /** ISO-8601 evaluation time of the values. */
  at: string;
  features: GoldenSignals;
  source: 'prometheus' | 'metrics-api';
}

export interface MetricTarget {
  namespace: string;
  /** Restrict to these services; each one then appears in the result (with nulls when unmeasured). */
  services?: string[];
}

export interface RangeOptions {
  /** Date, ISO-8601 string or epoch milliseconds. */
  start: Date | string | number;
  end: Date | string | number;
  stepSeconds: number;
}

export interface SignalPoint {
  /** Epoch seconds (Prometheus' own resolution, may carry a fraction). */
  ts: number;
  value: number;
}

export interface SignalSeries {
  service: string;
  signal: SignalName;
  /** Ascending by ts; NaN / missing samples are left out. */
  points: SignalPoint[];
}

/** Where golden signals come from: Prometheus (or AMP/Thanos/Mimir), or metrics.k8s.io as a fallback. */
export interface MetricSource {
  currentSignals(target: MetricTarget): Promise<ServiceSignals[]>;
  /** History for training windows and forecasts. Sources without history return []. */
  rangeSignals(target: MetricTarget, range: RangeOptions): Promise<SignalSeries[]>;
}

export function emptySignals(): GoldenSignals {
  return { cpu_usage: null, memory_usage: null, error_rate: null, latency_p95: null, request_rate: null };
}
