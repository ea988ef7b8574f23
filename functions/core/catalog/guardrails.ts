/**
 * SLO and guardrail annotations of catalog components → detection guardrails. The service team
 * states its SLO once in `catalog-info.yaml`; a cluster registration's own per-service limits still win.
 */
import type { GuardrailLimits, GuardrailSettings } from '../detection/guardrails.ts';
import { annotation, type CatalogEntity } from './entity.ts';
import { workloadOf, type CatalogIndex } from './graph.ts';

export const GUARDRAIL_ANNOTATIONS = {
  errorRate: 'fleetops.io/slo-error-rate',
  latencyP95Ms: 'fleetops.io/slo-latency-p95-ms',
  cpuCores: 'fleetops.io/guardrail-cpu-cores',
  minRequestRate: 'fleetops.io/guardrail-min-request-rate',
} as const;

const NUMBER = /^\d{1,9}(\.\d{1,9})?$/;

function num(raw: string | undefined, max: number): number | undefined {
  if (raw === undefined || !NUMBER.test(raw)) return undefined;
  const value = Number(raw);
  return value > 0 && value <= max ? value : undefined;
}

/** `0.01` or `1%` → 0.01; nonsense is ignored (a typo must not switch detection off). */
function fraction(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const percent = raw.endsWith('%');
  const value = num(percent ? raw.slice(0, -1).trim() : raw, percent ? 100 : 1);
  return value === undefined ? undefined : percent ? value / 100 : value;
}

export function guardrailLimitsOf(entity: CatalogEntity): GuardrailLimits {
  const errorRate = fraction(annotation(entity, GUARDRAIL_ANNOTATIONS.errorRate));
  const latencyMs = num(annotation(entity, GUARDRAIL_ANNOTATIONS.latencyP95Ms), 600_000);
  const cpuCores = num(annotation(entity, GUARDRAIL_ANNOTATIONS.cpuCores), 10_000);
  const minRequestRate = num(annotation(entity, GUARDRAIL_ANNOTATIONS.minRequestRate), 1_000_000);
  return {
    ...(errorRate !== undefined ? { errorRate } : {}),
    ...(latencyMs !== undefined ? { latencyP95Seconds: latencyMs / 1000 } : {}),
    ...(cpuCores !== undefined ? { cpuCores } : {}),
    ...(minRequestRate !== undefined ? { minRequestRate } : {}),
  };
}

/** Per-service limits from the catalog, keyed as GuardrailSettings.services is (`namespace/name`, or `name`). */
export function catalogGuardrails(catalog: CatalogIndex): Record<string, GuardrailLimits> {
  const out: Record<string, GuardrailLimits> = {};
  for (const entity of catalog.list('Component')) {
    const limits = guardrailLimitsOf(entity);
    const workload = workloadOf(entity);
    if (!workload || !Object.keys(limits).length) continue;
    out[workload.namespace ? `${workload.namespace}/${workload.name}` : workload.name] = limits;
  }
  return out;
}

/**
 * Cluster settings with the catalog's limits merged in under the cluster's own: for each catalog
 * service key, the cluster's `services[name]` and `services[namespace/name]` override limit by limit.
 */
export function withCatalogGuardrails(settings: GuardrailSettings | undefined, fromCatalog: Record<string, GuardrailLimits>): GuardrailSettings | undefined {
  if (!Object.keys(fromCatalog).length) return settings;
  const own = settings?.services ?? {};
  const services: Record<string, GuardrailLimits> = { ...own };
  for (const [key, limits] of Object.entries(fromCatalog)) {
    const name = key.includes('/') ? key.split('/')[1] : key;
    services[key] = { ...limits, ...own[name], ...own[key] };
  }
  return { ...settings, services };
}
