import * as z from 'zod';

const name = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a name or id');

export const PullStarted = z.object({ executionId: z.string() }).meta({ id: 'PullStarted' });

export const AnomalyQuery = z
  .object({
    cluster: name.optional(),
    service: name.optional(),
    status: z.enum(['anomaly', 'normal']).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

const nullableNumber = z.number().nullable();
export const GoldenSignalsSchema = z.object({
  cpu_usage: nullableNumber,
  memory_usage: nullableNumber,
  error_rate: nullableNumber,
  latency_p95: nullableNumber,
  request_rate: nullableNumber,
});

export const Anomaly = z
  .object({
    cluster: z.string(),
    namespace: z.string(),
    service: z.string(),
    status: z.enum(['anomaly', 'normal']),
    score: z.number(),
    severity: z.enum(['critical', 'high', 'medium', 'low']),
    features: GoldenSignalsSchema,
    at: z.string(),
    reasons: z.array(z.string()).optional(),
    /** The first detection layer that fired: guardrail (SLO limits), peers (same service on other clusters), baseline (recent samples), learned (models). */
    layer: z.enum(['guardrail', 'peers', 'baseline', 'learned']).optional(),
    /** Start of the ongoing condition, while the service is anomalous. */
    since: z.string().optional(),
  })
  .meta({ id: 'Anomaly' });

export const AnomalyList = z.object({ items: z.array(Anomaly) }).meta({ id: 'AnomalyList' });

export const ForecastQuery = z
  .object({
    cluster: name,
    service: name,
    namespace: name.optional(),
    hours: z.coerce.number().int().min(1).max(744).default(24),
  })
  .strict();

export const Forecast = z
  .object({
    predictions: z.array(z.object({ ts: z.string(), yhat: z.number(), yhat_lower: z.number(), yhat_upper: z.number() })),
    recommendations: z.object({ peak_cpu: z.number(), avg_cpu: z.number(), recommended_replicas: z.number().int(), scale_up_threshold: z.number() }),
  })
  .meta({ id: 'Forecast' });
