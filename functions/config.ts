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
  // Deployments (issue 11): the helm binary and where charts may come from.
  /** helm from the layer; unset locally, where the layer zip's binary is extracted into the data dir. */
  FLEETOPS_HELM_PATH: z.string().optional(),
  /** Accept `chart.path` (a chart on the function's own filesystem): the local stack and tests. */
  FLEETOPS_DEPLOY_LOCAL_CHARTS: booleanFromString.optional(),
});

export type Config = z.infer<typeof ConfigSchema> & { allowLoopbackClusters: boolean; allowLocalCharts: boolean };

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
    allowLocalCharts: config.FLEETOPS_DEPLOY_LOCAL_CHARTS ?? config.FLEETOPS_RUNTIME === 'local',
  };
}
