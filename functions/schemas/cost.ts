import * as z from 'zod';
import { GROUP_BYS } from '../core/cost/report.ts';

const name = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a name or id');
const window = z.enum(['1d', '7d', '30d']).default('30d');

export const CostQuery = z
  .object({
    groupBy: z.enum(GROUP_BYS).default('service'),
    window,
  })
  .strict();

export const EntityCostQuery = z.object({ window }).strict();

const CostItemSchema = z.object({
  key: z.string(),
  cost: z.number(),
  previous: z.number(),
  changePct: z.number().nullable().meta({ description: 'Change against the previous window in %, null when that window cost nothing' }),
  daily: z.array(z.object({ date: z.string(), cost: z.number() })),
});

export const CostReport = z
  .object({
    window: z.string(),
    currency: z.literal('USD'),
    total: z.number().meta({ description: 'What the nodes cost over the window' }),
    idle: z.number().meta({ description: 'What no workload was charged for; sum(items.cost) + idle = total' }),
    items: z.array(CostItemSchema),
  })
  .meta({ id: 'CostReport' });

export const EntityCost = CostItemSchema.extend({ window: z.string(), currency: z.literal('USD') }).meta({ id: 'EntityCost' });

export const RecommendationQuery = z
  .object({
    cluster: name.optional(),
    namespace: name.optional(),
    service: name.optional(),
    days: z.coerce.number().int().min(1).max(30).default(7),
  })
  .strict();

const resources = z.object({
  requests: z.object({ cpu: z.string(), memory: z.string() }),
  limits: z.object({ cpu: z.string().optional(), memory: z.string().optional() }),
});

export const RecommendationList = z
  .object({
    items: z.array(
      z.object({
        id: z.string().meta({ description: 'POST /v1/recommendations/{id}/apply applies it; a new id once new evidence changes the values' }),
        cluster: z.string(),
        namespace: z.string(),
        workload: z.string(),
        container: z.string(),
        current: resources,
        recommended: resources,
        monthlySaving: z.number().meta({ description: 'USD per month at current prices; negative when more is recommended' }),
        evidence: z.object({ samples: z.number(), window: z.string(), oomKills: z.number(), throttledPct: z.number() }),
      }),
    ),
  })
  .meta({ id: 'RecommendationList' });

export const RecommendationParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9-]+$/, 'must be a recommendation id'),
});

/** The values come from fleetops' own recommendation; the caller may only say why. */
export const ApplyRecommendationRequest = z
  .object({ reason: z.string().min(1).max(500).optional() })
  .strict()
  .optional();

export const RecommendationApplied = z
  .object({
    deploymentId: z.string().meta({ description: 'GET /v1/deployments/{id} follows it' }),
    created: z.boolean().meta({ description: 'false when this recommendation had already been applied (the same deployment)' }),
    release: z.string(),
    namespace: z.string(),
    cluster: z.string(),
    resources: resources.meta({ description: 'What the deploy sets at the chart values path `resources`' }),
  })
  .meta({ id: 'RecommendationApplied' });

/** `detail` of a `PredictedBreach` event (source fleetops.metrics): a container's memory forecast to reach its limit within the hour, or no longer. */
export const PredictedBreachDetail = z
  .object({
    cluster: name,
    clusterId: z.string().min(1).max(128),
    namespace: name,
    service: name,
    container: name,
    signal: z.literal('memory'),
    limit: z.string().max(32),
    status: z.enum(['firing', 'resolved']),
    predictedBreachAt: z.iso.datetime({ offset: true }),
    message: z.string().max(1024),
    since: z.iso.datetime({ offset: true }),
    at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'PredictedBreachDetail' });
