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

/** Settings the stack derives from its own resources or typed props: passing them through `settings` would fight it. */
const STACK_MANAGED =
  /^(TABLE_NAME|EVENT_BUS_NAME|SECRET_PREFIX|KMS_KEY_ID|API_TOKEN_SECRET_ARN|STATE_MACHINE_ARNS|FLEETOPS_OIDC_ISSUERS|FLEETOPS_RCA_ENGINE|FLEETOPS_RCA_MODEL_ID|FLEETOPS_ARGOCD_(URL|TOKEN|TOKEN_SECRET_ARN|CA_DATA|CLUSTERS)|FLEETOPS_SLACK_SIGNING_SECRET.*|FLEETOPS_CLUSTER_ALLOWLIST|FLEETOPS_PULL_NAMESPACES|FLEETOPS_CATALOG_URLS)$/;

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
    if (STACK_MANAGED.test(name)) throw new Error(`settings: ${name} is set by the stack; use its own context key (see README, Configuration)`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      throw new Error(`settings: ${name} must be a string, number or boolean`);
    out[name] = String(value);
  }
  const check = ConfigSchema.pick(Object.fromEntries(Object.keys(out).map((k) => [k, true])) as never).safeParse(out);
  if (!check.success) throw new Error(`settings: ${check.error.issues.map((i) => `${i.path.join('.')} (${i.message})`).join(', ')}`);
  return out;
}
