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
  // Healing (issue 9): policy JSON (functions/core/healing/policy.ts), kill switch, verification wait.
  FLEETOPS_HEALING_POLICY: z.string().max(65_536).optional(),
  FLEETOPS_HEALING_DISABLED: booleanFromString.optional(),
  FLEETOPS_HEALING_VERIFY_WAIT_SECONDS: z.coerce.number().int().min(1).max(3600).optional(),
});

export type Config = z.infer<typeof ConfigSchema> & { allowLoopbackClusters: boolean; healingVerifyWaitSeconds: number };

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
    // 30 s in AWS; the local stack verifies sooner (the simulator settles in a few seconds).
    healingVerifyWaitSeconds: config.FLEETOPS_HEALING_VERIFY_WAIT_SECONDS ?? (config.FLEETOPS_RUNTIME === 'local' ? 5 : 30),
  };
}
