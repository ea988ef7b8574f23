/**
 * Healing policy: the seed's defaults, overridable per service, plus fleet-wide freeze windows and
 * the dependency graph used to protect critical dependents. Parsed from one JSON setting
 * (FLEETOPS_HEALING_POLICY) so an operator changes it without a deploy of code.
 */
import * as z from 'zod';
import { HEALABLE_ISSUE_TYPES } from './strategies/index.ts';
import { SEVERITIES } from './types.ts';

const ServicePolicy = z
  .object({
    /** Replicas added by high_cpu. */
    scaleStep: z.int().min(1).max(20),
    /** Never scale (or raise an HPA) beyond this. */
    maxReplicas: z.int().min(1).max(1000),
    actionsPerHour: z.int().min(0).max(100),
    /** No second action for the same issue on the same service within this time. 0 turns it off. */
    cooldownSeconds: z
      .int()
      .min(0)
      .max(7 * 86400),
    /** Highest severity acted on without approval; `none`: always ask. */
    autoCeiling: z.enum(['none', ...SEVERITIES]),
    approvalTimeoutSeconds: z
      .int()
      .min(1)
      .max(7 * 86400),
    /** A rollout younger than this counts as "just before" the problem. */
    recentRolloutMinutes: z
      .int()
      .min(1)
      .max(7 * 1440),
    /** high_cpu is gone below this mean CPU / limit of the ready pods. */
    cpuUtilisationTarget: z.number().gt(0).max(1),
    /** high_memory is gone below this highest memory / limit of a pod. */
    memoryUtilisationTarget: z.number().gt(0).max(1),
    /** `handover`: never act automatically on this issue type for this service. */
    strategies: z.partialRecord(z.enum(HEALABLE_ISSUE_TYPES), z.enum(['auto', 'handover'])),
  })
  .strict();
export type ServicePolicy = z.infer<typeof ServicePolicy>;

const FreezeWindow = z.union([
  z.object({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }), name: z.string().max(100).optional() }).strict(),
  z
    .object({
      /** Weekly, UTC: 0 = Sunday. */
      days: z.array(z.int().min(0).max(6)).min(1).max(7),
      from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
      to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
      name: z.string().max(100).optional(),
    })
    .strict(),
]);
export type FreezeWindow = z.infer<typeof FreezeWindow>;

export const HealingPolicyConfig = z
  .object({
    defaults: ServicePolicy.partial().optional(),
    /** Keyed by `service`, `namespace/service` or `cluster/namespace/service` (most specific wins). */
    services: z.record(z.string().max(300), ServicePolicy.partial()).optional(),
    freezeWindows: z.array(FreezeWindow).max(100).optional(),
    /** caller → callees, as in the alert pipeline's dependency grouping. */
    dependencies: z.record(z.string().max(200), z.array(z.string().max(200)).max(200)).optional(),
    criticalServices: z.array(z.string().max(200)).max(1000).optional(),
  })
  .strict();
export type HealingPolicyConfig = z.infer<typeof HealingPolicyConfig>;

export const DEFAULT_SERVICE_POLICY: ServicePolicy = {
  scaleStep: 2,
  maxReplicas: 10,
  actionsPerHour: 3,
  cooldownSeconds: 900,
  autoCeiling: 'medium',
  approvalTimeoutSeconds: 900,
  recentRolloutMinutes: 60,
  cpuUtilisationTarget: 0.8,
  memoryUtilisationTarget: 0.85,
  strategies: {},
};

export function parseHealingPolicy(json: string | undefined): HealingPolicyConfig {
  if (!json?.trim()) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('FLEETOPS_HEALING_POLICY is not valid JSON');
  }
  const parsed = HealingPolicyConfig.safeParse(raw);
  if (!parsed.success) throw new Error(`FLEETOPS_HEALING_POLICY is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function policyFor(config: HealingPolicyConfig, target: { cluster: string; namespace: string; service: string }): ServicePolicy {
  const services = config.services ?? {};
  const layers = [
    config.defaults,
    services[target.service],
    services[`${target.namespace}/${target.service}`],
    services[`${target.cluster}/${target.namespace}/${target.service}`],
  ];
  let policy: ServicePolicy = { ...DEFAULT_SERVICE_POLICY, strategies: { ...DEFAULT_SERVICE_POLICY.strategies } };
  for (const layer of layers) if (layer) policy = { ...policy, ...layer, strategies: { ...policy.strategies, ...(layer.strategies ?? {}) } };
  return policy;
}
