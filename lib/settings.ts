import { ConfigSchema } from '../functions/config.ts';

/**
 * Settings that have no place in AWS, with the reason. Everything else in functions/config.ts is either
 * set by the stack from its own resources and typed props (lib/fleetops-stack.ts), or passed through
 * `-c settings='{"FLEETOPS_…":"…"}'`, checked here against the same schema the functions parse at cold start,
 * so a typo or a bad value fails the synth instead of the first invocation.
 */
export const LOCAL_ONLY_SETTINGS: Readonly<Record<string, string>> = {
  AWS_REGION: 'set by the Lambda runtime',
  DYNAMODB_ENDPOINT: 'DynamoDB Local',
  FLEETOPS_DATA_DIR: 'the local stack’s data directory',
  FLEETOPS_API_TOKEN: 'in AWS the bootstrap token lives in Secrets Manager (API_TOKEN_SECRET_ARN, created by the stack)',
  FLEETOPS_SLACK_WEBHOOK_URL: 'in AWS the webhook URL is a secret: -c slackWebhookSecretArn',
  FLEETOPS_PAGERDUTY_ROUTING_KEY: 'in AWS the routing key is a secret: -c pagerDutySecretArn',
  FLEETOPS_PULL_INTERVAL_SECONDS: 'local schedule; AWS schedules are in functions/definitions/events.ts',
  FLEETOPS_TRAIN_INTERVAL_SECONDS: 'local schedule; AWS schedules are in functions/definitions/events.ts',
  FLEETOPS_ESCALATION_INTERVAL_SECONDS: 'local schedule; AWS schedules are in functions/definitions/events.ts',
  FLEETOPS_HEALTH_INTERVAL_SECONDS: 'local schedule; AWS schedules are in functions/definitions/events.ts',
  FLEETOPS_CATALOG_PULL_INTERVAL_SECONDS: 'local schedule; AWS schedules are in functions/definitions/events.ts',
  FLEETOPS_SCORECARD_REFRESH_INTERVAL_SECONDS: 'local schedule; AWS schedules are in functions/definitions/events.ts',
  FLEETOPS_SES_ENDPOINT: 'a local stand-in for SES',
  FLEETOPS_BEDROCK_ENDPOINT: 'a local stand-in for Bedrock',
  FLEETOPS_XRAY_ENDPOINT: 'a local stand-in for X-Ray',
  FLEETOPS_PAGERDUTY_URL: 'a local stand-in for PagerDuty',
  FLEETOPS_SLACK_API_URL: 'a local stand-in for Slack’s Web API',
  FLEETOPS_HELM_PATH: 'in AWS helm comes from the helm-kubectl layer (/opt/helm/helm)',
  FLEETOPS_DEPLOY_LOCAL_CHARTS: 'local chart paths exist only on a laptop',
  FLEETOPS_GOLDEN_CHART_PATH: 'a local chart path; in AWS -c goldenChartRepoUrl/goldenChartVersion',
  FLEETOPS_RUNTIME: 'set to aws by the stack',
  FLEETOPS_ALLOW_LOOPBACK_CLUSTERS: 'always false in AWS (set by the stack)',
};

/**
 * Settings the stack derives from its own resources or typed context keys, with that path. Passing them through
 * `settings` would fight the stack, so settingsFromContext refuses them.
 */
export const STACK_SETTINGS: Readonly<Record<string, string>> = {
  TABLE_NAME: 'the stack’s DynamoDB table',
  EVENT_BUS_NAME: 'the stack’s event bus',
  SECRET_PREFIX: 'the stack’s Secrets Manager prefix',
  KMS_KEY_ID: 'the stack’s KMS key',
  API_TOKEN_SECRET_ARN: 'the stack’s bootstrap-token secret',
  STATE_MACHINE_ARNS: 'the stack’s state machines (each function gets the ones it starts)',
  FLEETOPS_OIDC_ISSUERS: '-c oidcIssuers=JSON, or -c oidcIssuer / oidcAudience / oidcRolesClaim / oidcRoleMap / oidcDefaultRole',
  FLEETOPS_RCA_ENGINE: '-c rcaEngine=bedrock',
  FLEETOPS_RCA_MODEL_ID: '-c rcaModelId=… (else -c bedrockModelId)',
  FLEETOPS_RCA_BEDROCK_REGION: '-c rcaRegion=… (with rcaEngine=bedrock)',
  FLEETOPS_ARGOCD_URL: '-c argoCdUrl',
  FLEETOPS_ARGOCD_TOKEN: 'in AWS a secret: -c argoCdTokenSecretArn',
  FLEETOPS_ARGOCD_TOKEN_SECRET_ARN: '-c argoCdTokenSecretArn',
  FLEETOPS_ARGOCD_CA_DATA: '-c argoCdCaData',
  FLEETOPS_ARGOCD_CLUSTERS: '-c argoCdClusters',
  FLEETOPS_SLACK_SIGNING_SECRET: 'in AWS a secret: -c slackSigningSecretArn',
  FLEETOPS_SLACK_SIGNING_SECRET_ARN: '-c slackSigningSecretArn',
  FLEETOPS_CLUSTER_ALLOWLIST: '-c clusterAllowlist',
  FLEETOPS_PULL_NAMESPACES: '-c pullNamespaces',
  FLEETOPS_CATALOG_URLS: '-c catalogUrls',
};

/** Where each configuration variable comes from in AWS: a stack resource or context key, `-c settings`, or nowhere (local only, with why). */
export function cdkPathOf(name: string): string | undefined {
  if (!(name in ConfigSchema.shape)) return undefined;
  if (name in STACK_SETTINGS) return `stack: ${STACK_SETTINGS[name]}`;
  if (name in LOCAL_ONLY_SETTINGS) return `local only: ${LOCAL_ONLY_SETTINGS[name]}`;
  return `-c settings='{"${name}":…}'`;
}

/** `-c settings='{…}'`: a JSON object of FLEETOPS_* settings, checked against the configuration schema. */
export function settingsFromContext(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch {
    throw new Error('settings must be a JSON object of FLEETOPS_* settings');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('settings must be a JSON object of FLEETOPS_* settings');
  const shape = ConfigSchema.shape as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!(name in shape)) throw new Error(`settings: ${name} is not a fleetops setting`);
    if (name in LOCAL_ONLY_SETTINGS) throw new Error(`settings: ${name} is not used in AWS (${LOCAL_ONLY_SETTINGS[name]})`);
    if (name in STACK_SETTINGS) throw new Error(`settings: ${name} is set by the stack; use its own context key (see README, Configuration)`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      throw new Error(`settings: ${name} must be a string, number or boolean`);
    out[name] = String(value);
  }
  const check = ConfigSchema.pick(Object.fromEntries(Object.keys(out).map((k) => [k, true])) as never).safeParse(out);
  if (!check.success) throw new Error(`settings: ${check.error.issues.map((i) => `${i.path.join('.')} (${i.message})`).join(', ')}`);
  return out;
}
