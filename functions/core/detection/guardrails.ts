/**
 * Layer 1: SLO-style guardrails, valid from the very first sample (no history needed).
 * A limit only applies with enough traffic (`minRequestRate`), so 1 error in 3 requests at night
 * does not page anyone. Limits come from shipped defaults, overridden per namespace and then per
 * service through the cluster registration (`guardrails`).
 */
import type { GoldenSignals } from '../metrics/types.ts';
import { severityRank, worstSeverity as worst } from '../platform/severity.ts';
import type { LayerFinding, Severity } from './types.ts';

export interface GuardrailLimits {
  /** Fraction 0..1 of 5xx answers at or above which the service is anomalous. */
  errorRate?: number;
  /** p95 latency in seconds at or above which the service is anomalous. */
  latencyP95Seconds?: number;
  /** CPU in cores (summed over the service's pods) at or above which the service is anomalous; unset: off. */
  cpuCores?: number;
  /** Requests per second below which error-rate and latency limits do not apply. */
  minRequestRate?: number;
}

/** The per-cluster setting: defaults for the cluster, then per namespace, then per service (`name` or `namespace/name`). */
export interface GuardrailSettings extends GuardrailLimits {
  namespaces?: Record<string, GuardrailLimits>;
  services?: Record<string, GuardrailLimits>;
}

export const DEFAULT_GUARDRAILS: Required<Omit<GuardrailLimits, 'cpuCores'>> & Pick<GuardrailLimits, 'cpuCores'> = {
  errorRate: 0.05,
  latencyP95Seconds: 1,
  minRequestRate: 1,
};

/** Shipped defaults ← cluster-wide ← namespace ← service (`name`, then the more specific `namespace/name`). */
export function resolveGuardrails(settings: GuardrailSettings | undefined, namespace: string, service: string): GuardrailLimits {
  const pick = ({ errorRate, latencyP95Seconds, cpuCores, minRequestRate }: GuardrailLimits = {}): GuardrailLimits =>
    Object.fromEntries(Object.entries({ errorRate, latencyP95Seconds, cpuCores, minRequestRate }).filter(([, v]) => v !== undefined));
  return {
    ...DEFAULT_GUARDRAILS,
    ...pick(settings),
    ...pick(settings?.namespaces?.[namespace]),
    ...pick(settings?.services?.[service]),
    ...pick(settings?.services?.[`${namespace}/${service}`]),
  };
}

const pct = (v: number): string => `${Number((v * 100).toPrecision(3))}%`;

/** Severity by how far past the limit: ≥ 5× critical, ≥ 2× high, else medium. */
function severityOf(value: number, limit: number): Severity {
  const ratio = limit > 0 ? value / limit : Infinity;
  return ratio >= 5 ? 'critical' : ratio >= 2 ? 'high' : 'medium';
}

export function checkGuardrails(features: GoldenSignals, limits: GuardrailLimits): LayerFinding {
  const reasons: string[] = [];
  const signals: LayerFinding['signals'] = [];
  const severities: Severity[] = [];
  const minRps = limits.minRequestRate ?? DEFAULT_GUARDRAILS.minRequestRate;
  const busy = features.request_rate !== null && features.request_rate >= minRps;
  if (busy && limits.errorRate !== undefined && features.error_rate !== null && features.error_rate >= limits.errorRate) {
    reasons.push(`error_rate ${pct(features.error_rate)} ≥ guardrail ${pct(limits.errorRate)} at ${features.request_rate!.toFixed(1)} req/s`);
    signals.push('error_rate');
    severities.push(severityOf(features.error_rate, limits.errorRate));
  }
  if (busy && limits.latencyP95Seconds !== undefined && features.latency_p95 !== null && features.latency_p95 >= limits.latencyP95Seconds) {
    reasons.push(`latency_p95 ${features.latency_p95.toFixed(3)} s ≥ guardrail ${limits.latencyP95Seconds} s`);
    signals.push('latency_p95');
    severities.push(severityOf(features.latency_p95, limits.latencyP95Seconds));
  }
  if (limits.cpuCores !== undefined && features.cpu_usage !== null && features.cpu_usage >= limits.cpuCores) {
    reasons.push(`cpu_usage ${features.cpu_usage.toFixed(3)} cores ≥ guardrail ${limits.cpuCores} cores`);
    signals.push('cpu_usage');
    severities.push(features.cpu_usage >= 1.5 * limits.cpuCores ? 'high' : 'medium');
  }
  return { layer: 'guardrail', fired: reasons.length > 0, reasons, signals, severity: worst(severities) };
}

export { severityRank, worst };
