import * as z from 'zod';

const booleanFromString = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Everything a handler reads from its environment, parsed once per cold start.
 * CDK sets these in AWS; local/start.ts sets them for the in-process runtime.
 */
export const ConfigSchema = z.object({
  FLEETOPS_RUNTIME: z.enum(['aws', 'local']).default('aws'),
  AWS_REGION: z.string().default('us-east-1'),
  TABLE_NAME: z.string().default('fleetops'),
  DYNAMODB_ENDPOINT: z.url().optional(),
  EVENT_BUS_NAME: z.string().default('fleetops'),
  /** Secrets Manager name prefix the IAM policy is scoped to. */
  SECRET_PREFIX: z.string().default('fleetops/'),
  API_TOKEN_SECRET_ARN: z.string().optional(),
  FLEETOPS_API_TOKEN: z.string().min(16).optional(),
  FLEETOPS_DATA_DIR: z.string().default('./.fleetops'),
  FLEETOPS_ALLOW_LOOPBACK_CLUSTERS: booleanFromString.optional(),
  FLEETOPS_CLUSTER_ALLOWLIST: z.string().optional(),
  FLEETOPS_SLACK_WEBHOOK_URL: z.url().optional(),
  FLEETOPS_SLACK_SIGNING_SECRET: z.string().optional(),
  /** JSON map of workflow name → state machine ARN (AWS only). */
  STATE_MACHINE_ARNS: z.string().optional(),
  // --- Root-cause analysis (RCA) ---
  /** `bedrock`: the model refines the rules report (falls back to rules on any failure). */
  FLEETOPS_RCA_ENGINE: z.enum(['rules', 'bedrock']).default('rules'),
  FLEETOPS_RCA_MODEL_ID: z.string().min(1).default('us.anthropic.claude-sonnet-4-20250514-v1:0'),
  /** Bedrock Runtime endpoint override (tests: a local endpoint speaking Converse). */
  FLEETOPS_BEDROCK_ENDPOINT: z.url().optional(),
  FLEETOPS_RCA_MAX_TURNS: z.coerce.number().int().min(1).max(20).default(6),
  FLEETOPS_RCA_MAX_TOKENS: z.coerce.number().int().min(1000).max(500_000).default(40_000),
  FLEETOPS_RCA_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(45_000),
  /** Replace workload, namespace and node names with placeholders in prompts (reversed in the report). */
  FLEETOPS_RCA_ANONYMIZE: booleanFromString.default(false),
  FLEETOPS_RCA_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(3600),
  /** Extra dependency edges, service → services it calls: `{"frontend":["order-service"]}`. */
  FLEETOPS_SERVICE_DEPENDENCIES: z.string().optional(),
});

export type Config = z.infer<typeof ConfigSchema> & { allowLoopbackClusters: boolean };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')} (${i.message})`).join(', ');
    throw new Error(`Invalid fleetops configuration in environment: ${fields}`);
  }
  const config = parsed.data;
  return {
    ...config,
    allowLoopbackClusters: config.FLEETOPS_ALLOW_LOOPBACK_CLUSTERS ?? config.FLEETOPS_RUNTIME === 'local',
  };
}
