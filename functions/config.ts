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
  // Slack (issue 10): the signing secret inline (local) or from Secrets Manager (AWS); who may approve.
  FLEETOPS_SLACK_SIGNING_SECRET_ARN: z.string().optional(),
  /** Comma-separated Slack user ids allowed to approve healing and deploy to prod. */
  FLEETOPS_SLACK_APPROVERS: z.string().optional(),
  /** Hosts a `response_url` may point at (Slack's own by default; tests point it at a local receiver). */
  FLEETOPS_SLACK_RESPONSE_HOSTS: z.string().default('hooks.slack.com'),
  /** JSON map of workflow name → state machine ARN (AWS only). */
  STATE_MACHINE_ARNS: z.string().optional(),
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
