import * as z from 'zod';
import { parseHealingPolicy } from './core/healing/policy.ts';
import { parseOidcIssuers, type OidcIssuer } from './schemas/identity.ts';

const booleanFromString = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no']))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** An unset or empty variable is absent (CDK and shells both produce empty strings). */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

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
  // Authentication (issue 19): trusted OIDC issuers (JSON array, functions/schemas/identity.ts OidcIssuerSchema).
  FLEETOPS_OIDC_ISSUERS: optionalString,
  /** Clock skew allowed on a JWT's exp / nbf / iat. */
  FLEETOPS_OIDC_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** How long a verified ingest credential or API key is trusted per warm process before the table is read again. */
  FLEETOPS_AUTH_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  FLEETOPS_DATA_DIR: z.string().default('./.fleetops'),
  FLEETOPS_ALLOW_LOOPBACK_CLUSTERS: booleanFromString.optional(),
  FLEETOPS_CLUSTER_ALLOWLIST: z.string().optional(),
  FLEETOPS_SLACK_WEBHOOK_URL: z.url().optional(),
  FLEETOPS_SLACK_SIGNING_SECRET: z.string().optional(),
  // Slack (issue 10): the signing secret inline (local) or from Secrets Manager (AWS); who may approve.
  FLEETOPS_SLACK_SIGNING_SECRET_ARN: z.string().optional(),
  /** Comma-separated Slack user ids allowed to approve healing and deploy to prod. */
  FLEETOPS_SLACK_APPROVERS: z.string().optional(),
  /**
   * Slack users → roles (issue 19), JSON: `{"teamId":"T…","users":{"U…":"approver"},"userGroups":{"S…":"operator"},"defaultRole":"viewer","channels":["C…"]}`
   * (`channels`, optional: acting only from these channels).
   * Only members of `teamId` act; guests and other workspaces read. Unset: everyone reads, FLEETOPS_SLACK_APPROVERS approve.
   */
  FLEETOPS_SLACK_ROLES: optionalString,
  /** Bot token (xoxb-…, scopes usergroups:read and users:read): user-group members and guest status for the role map. Inline (local) or from Secrets Manager (AWS). */
  FLEETOPS_SLACK_BOT_TOKEN: optionalString,
  FLEETOPS_SLACK_BOT_TOKEN_SECRET_ARN: optionalString,
  /** Slack Web API base (tests point it at a local server). */
  FLEETOPS_SLACK_API_URL: z.url().default('https://slack.com/api'),
  /** Hosts a `response_url` may point at (Slack's own by default; tests point it at a local receiver). */
  FLEETOPS_SLACK_RESPONSE_HOSTS: z.string().default('hooks.slack.com'),
  /** JSON map of workflow name → state machine ARN (AWS only). */
  STATE_MACHINE_ARNS: z.string().optional(),
  /** KMS key that encrypts the secrets (AWS only). */
  KMS_KEY_ID: z.string().optional(),

  // Alerts: notifiers, importance scoring, similarity grouping.
  FLEETOPS_PUBLIC_URL: optionalString,
  FLEETOPS_BEDROCK_MODEL_ID: optionalString,
  FLEETOPS_EMBEDDING_MODEL_ID: optionalString,
  /** Cosine threshold in (0, 1]; unset (or out of range): off, 0.85 with an embedding model. */
  FLEETOPS_SIMILARITY_THRESHOLD: optionalString,
  FLEETOPS_SLACK_WEBHOOK_SECRET_ARN: optionalString,
  FLEETOPS_PAGERDUTY_ROUTING_KEY: optionalString,
  FLEETOPS_PAGERDUTY_SECRET_ARN: optionalString,
  FLEETOPS_PAGERDUTY_URL: optionalString,
  FLEETOPS_EMAIL_FROM: optionalString,
  FLEETOPS_EMAIL_TO: optionalString,
  FLEETOPS_SES_ENDPOINT: optionalString,

  // Metric pull.
  FLEETOPS_PULL_NAMESPACES: z.string().default('default'),
  FLEETOPS_PULL_INTERVAL_SECONDS: z.coerce.number().int().positive().default(60),
  // Local schedules (local/scheduler.ts); in AWS each schedule's rate is in functions/definitions/events.ts.
  FLEETOPS_TRAIN_INTERVAL_SECONDS: z.coerce.number().int().positive().optional(),
  FLEETOPS_ESCALATION_INTERVAL_SECONDS: z.coerce.number().int().positive().optional(),
  FLEETOPS_HEALTH_INTERVAL_SECONDS: z.coerce.number().int().positive().optional(),
  FLEETOPS_CATALOG_PULL_INTERVAL_SECONDS: z.coerce.number().int().positive().optional(),
  FLEETOPS_SCORECARD_REFRESH_INTERVAL_SECONDS: z.coerce.number().int().positive().optional(),
  FLEETOPS_PULL_BATCH_SIZE: z.coerce.number().int().positive().default(10),
  /** Fleet health (0..1, stored per pull): ClusterHealthDegraded fires when a cluster stays below the threshold for the minutes (issue 24). */
  FLEETOPS_HEALTH_DEGRADED_THRESHOLD: z.coerce.number().min(0).max(1).default(0.7),
  FLEETOPS_HEALTH_DEGRADED_MINUTES: z.coerce.number().min(0).max(10_080).default(15),

  // --- cost and capacity (issue 22) ---
  /** Cost allocation in each pull (on unless `false`). */
  FLEETOPS_COST: booleanFromString.optional(),
  /** Node prices: `price-list` (AWS Price List API, cached; the snapshot when it fails) or `snapshot` (shipped on-demand prices). Default: price-list in AWS, snapshot locally. */
  FLEETOPS_COST_PRICING: z.enum(['price-list', 'snapshot']).optional(),
  /** JSON per cluster name (or `*`): `{"prod-eu":{"instanceTypes":{"m5.xlarge":0.15},"discountPct":20,"spotDiscountPct":65}}`. */
  FLEETOPS_COST_PRICE_OVERRIDES: optionalString,

  // --- layered detection (metric pull) ---
  /** Consecutive quiet pulls before an anomaly resolves (K). */
  FLEETOPS_RESOLVE_AFTER_PULLS: z.coerce.number().int().min(1).max(100).default(2),
  /** Minutes of history before the learned layer (streaming detectors, forest) judges a service. */
  FLEETOPS_LEARNED_WARMUP_MINUTES: z.coerce.number().min(0).max(10_080).default(1440),

  // Kubernetes-state detection and mesh dependency graph (issue 8).
  /** `false` turns kube-state detection off in the pull. */
  FLEETOPS_KUBE_STATE: booleanFromString.optional(),
  /** A kube-state condition resolves after this many consecutive pulls without it. */
  FLEETOPS_KUBE_STATE_RESOLVE_PULLS: z.coerce.number().int().min(1).max(100).default(2),
  FLEETOPS_KUBE_STATE_UNSCHEDULABLE_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(30),
  FLEETOPS_KUBE_STATE_PENDING_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  FLEETOPS_KUBE_STATE_NODE_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(30),
  /** Rate window of the mesh-graph query (istio_requests_total) when the cluster has Prometheus. */
  FLEETOPS_MESH_GRAPH_WINDOW: z
    .string()
    .regex(/^\d{1,4}[smh]$/)
    .default('10m'),
  /** X-Ray endpoint override for clusters registered with `xray` (tests: a local endpoint speaking GetServiceGraph). */
  FLEETOPS_XRAY_ENDPOINT: z.url().optional(),

  // --- Root-cause analysis (RCA) ---
  /** `bedrock`: the model refines the rules report (falls back to rules on any failure). */
  FLEETOPS_RCA_ENGINE: z.enum(['rules', 'bedrock']).default('rules'),
  FLEETOPS_RCA_MODEL_ID: z.string().min(1).default('us.anthropic.claude-sonnet-4-20250514-v1:0'),
  /** The region the RCA model is called in (a model not offered in the stack's region); unset: the function's own region. */
  FLEETOPS_RCA_BEDROCK_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-central-1')
    .optional(),
  /** Bedrock Runtime endpoint override (tests: a local endpoint speaking Converse). */
  FLEETOPS_BEDROCK_ENDPOINT: z.url().optional(),
  FLEETOPS_RCA_MAX_TURNS: z.coerce.number().int().min(1).max(20).default(6),
  FLEETOPS_RCA_MAX_TOKENS: z.coerce.number().int().min(1000).max(500_000).default(40_000),
  FLEETOPS_RCA_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(45_000),
  /** Replace workload, namespace and node names with placeholders in prompts (reversed in the report). */
  FLEETOPS_RCA_ANONYMIZE: booleanFromString.default(false),
  /** Mask personal data (e-mails, IP addresses, Luhn-valid card numbers) in everything sent to the model (issue 19). */
  FLEETOPS_RCA_MASK_PII: booleanFromString.default(true),
  FLEETOPS_RCA_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(3600),
  /** Manual RCAs (POST /v1/rca, /fleet diagnose, Run RCA) per caller and per service in each window (issue 19); beyond: 429. */
  FLEETOPS_RCA_MANUAL_PER_USER: z.coerce.number().int().min(1).max(10_000).default(10),
  FLEETOPS_RCA_MANUAL_PER_SERVICE: z.coerce.number().int().min(1).max(10_000).default(6),
  FLEETOPS_RCA_MANUAL_WINDOW_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  /** Extra dependency edges, service → services it calls: `{"frontend":["order-service"]}`. */
  FLEETOPS_SERVICE_DEPENDENCIES: z.string().optional(),

  // Healing (issue 9): policy JSON (functions/core/healing/policy.ts), kill switch, verification wait.
  // Checked here, so a bad policy fails the cold start (and `cdk synth` with -c settings), not the first heal.
  FLEETOPS_HEALING_POLICY: z
    .string()
    .max(65_536)
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseHealingPolicy(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      }
    }),
  FLEETOPS_HEALING_DISABLED: booleanFromString.optional(),
  FLEETOPS_HEALING_VERIFY_WAIT_SECONDS: z.coerce.number().int().min(1).max(3600).optional(),
  // Healing through Argo CD: rollbacks of Argo-managed workloads go through this instance (unset: they are proposed).
  /** argocd-server's base URL, https only (checked with the cluster address policy). */
  FLEETOPS_ARGOCD_URL: optionalString,
  /** The API token inline (local stack, tests); in AWS use FLEETOPS_ARGOCD_TOKEN_SECRET_ARN. */
  FLEETOPS_ARGOCD_TOKEN: optionalString,
  FLEETOPS_ARGOCD_TOKEN_SECRET_ARN: optionalString,
  /** Base64 of a PEM CA bundle, for an Argo CD with a private CA (like a kubeconfig's certificate-authority-data). */
  FLEETOPS_ARGOCD_CA_DATA: optionalString,
  /** Comma-separated registered cluster names this Argo CD manages; empty: every cluster. */
  FLEETOPS_ARGOCD_CLUSTERS: z.string().default(''),
  FLEETOPS_ARGOCD_TIMEOUT_MS: z.coerce.number().int().min(1000).max(60_000).default(10_000),
  // Deployments (issue 11): the helm binary and where charts may come from.
  /** helm from the layer; unset locally, where the layer zip's binary is extracted into the data dir. */
  FLEETOPS_HELM_PATH: z.string().optional(),
  /** Accept `chart.path` (a chart on the function's own filesystem): the local stack and tests. */
  FLEETOPS_DEPLOY_LOCAL_CHARTS: booleanFromString.optional(),

  // Service catalog and scorecards (issue 12).
  /** Comma-separated catalog-info.yaml URLs the catalog-pull schedule reads (each checked with the cluster address policy). */
  FLEETOPS_CATALOG_URLS: z.string().default(''),
  /** GitHub REST API for scorecard repository checks (GitHub Enterprise: https://HOST/api/v3). */
  FLEETOPS_GITHUB_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.github.com'),
  FLEETOPS_GITHUB_TOKEN: optionalString,
  /** Secrets Manager ARN of the GitHub token (a plain string), in AWS; FLEETOPS_GITHUB_TOKEN wins when both are set. */
  FLEETOPS_GITHUB_TOKEN_SECRET_ARN: optionalString,
  FLEETOPS_SCORECARD_PASSING_MARK: z.coerce.number().min(0).max(100).default(70),
  /** A stored scorecard younger than this is served as is; the refresh schedule recomputes older ones. */
  FLEETOPS_SCORECARD_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3600),
  /**
   * The platform's golden chart (`fleetops golden-chart` writes it; publish it with helm), which a
   * golden-path request with `deploy` uses unless it names a chart: a repository with a version…
   */
  FLEETOPS_GOLDEN_CHART_REPO_URL: optionalString,
  FLEETOPS_GOLDEN_CHART_NAME: z.string().min(1).max(63).default('fleetops-microservice'),
  FLEETOPS_GOLDEN_CHART_VERSION: optionalString,
  /** …or a chart directory on the function's filesystem (the local stack writes one into its data dir). */
  FLEETOPS_GOLDEN_CHART_PATH: optionalString,
});

export type Config = z.infer<typeof ConfigSchema> & {
  /** FLEETOPS_OIDC_ISSUERS parsed (empty: no OIDC, only the bootstrap token and stored credentials). */
  oidcIssuers: OidcIssuer[];
  allowLoopbackClusters: boolean;
  /** FLEETOPS_HEALING_VERIFY_WAIT_SECONDS, else 30 s in AWS and 5 s locally. */
  healingVerifyWaitSeconds: number;
  allowLocalCharts: boolean;
  /** FLEETOPS_PULL_NAMESPACES split and trimmed. */
  pullNamespaces: string[];
  /** FLEETOPS_CATALOG_URLS split and trimmed. */
  catalogUrls: string[];
  /** FLEETOPS_SIMILARITY_THRESHOLD when valid, else 0.85 with an embedding model, else undefined (off). */
  similarityThreshold?: number;
  /** The Argo CD target, when FLEETOPS_ARGOCD_URL is set (with a token or its secret). */
  argocd?: ArgoCdSettings;
  /** FLEETOPS_GOLDEN_CHART_* as a chart reference, when configured (checked like any chart when used). */
  goldenChart?: { path: string } | { repoUrl: string; name: string; version: string };
};

export interface ArgoCdSettings {
  url: string;
  /** Exactly one of these two. */
  token?: string;
  tokenSecretArn?: string;
  caPem?: string;
  clusters: string[];
  timeoutMs: number;
}

function argoCdSettings(config: z.infer<typeof ConfigSchema>): ArgoCdSettings | undefined {
  const url = config.FLEETOPS_ARGOCD_URL;
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('Invalid fleetops configuration in environment: FLEETOPS_ARGOCD_URL (not a URL)');
  }
  if (parsed.protocol !== 'https:') throw new Error('Invalid fleetops configuration in environment: FLEETOPS_ARGOCD_URL (must be https)');
  const token = config.FLEETOPS_ARGOCD_TOKEN;
  const tokenSecretArn = config.FLEETOPS_ARGOCD_TOKEN_SECRET_ARN;
  if (!token && !tokenSecretArn)
    throw new Error('Invalid fleetops configuration in environment: FLEETOPS_ARGOCD_URL needs FLEETOPS_ARGOCD_TOKEN or FLEETOPS_ARGOCD_TOKEN_SECRET_ARN');
  const caPem = config.FLEETOPS_ARGOCD_CA_DATA ? Buffer.from(config.FLEETOPS_ARGOCD_CA_DATA, 'base64').toString('utf8') : undefined;
  if (caPem !== undefined && !caPem.includes('-----BEGIN CERTIFICATE-----'))
    throw new Error('Invalid fleetops configuration in environment: FLEETOPS_ARGOCD_CA_DATA (not a base64 PEM certificate)');
  return {
    url,
    ...(token ? { token } : { tokenSecretArn }),
    ...(caPem ? { caPem } : {}),
    clusters: splitList(config.FLEETOPS_ARGOCD_CLUSTERS),
    timeoutMs: config.FLEETOPS_ARGOCD_TIMEOUT_MS,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')} (${i.message})`).join(', ');
    throw new Error(`Invalid fleetops configuration in environment: ${fields}`);
  }
  const config = parsed.data;
  const argocd = argoCdSettings(config);
  const threshold = Number(config.FLEETOPS_SIMILARITY_THRESHOLD);
  const similarityThreshold = Number.isFinite(threshold) && threshold > 0 && threshold <= 1 ? threshold : config.FLEETOPS_EMBEDDING_MODEL_ID ? 0.85 : undefined;
  return {
    ...config,
    oidcIssuers: parseOidcIssuers(config.FLEETOPS_OIDC_ISSUERS),
    allowLoopbackClusters: config.FLEETOPS_ALLOW_LOOPBACK_CLUSTERS ?? config.FLEETOPS_RUNTIME === 'local',
    // 30 s in AWS; the local stack verifies sooner (the simulator settles in a few seconds).
    healingVerifyWaitSeconds: config.FLEETOPS_HEALING_VERIFY_WAIT_SECONDS ?? (config.FLEETOPS_RUNTIME === 'local' ? 5 : 30),
    allowLocalCharts: config.FLEETOPS_DEPLOY_LOCAL_CHARTS ?? config.FLEETOPS_RUNTIME === 'local',
    pullNamespaces: splitList(config.FLEETOPS_PULL_NAMESPACES),
    catalogUrls: splitList(config.FLEETOPS_CATALOG_URLS),
    ...(similarityThreshold !== undefined ? { similarityThreshold } : {}),
    ...(argocd ? { argocd } : {}),
    ...(goldenChart(config) ?? {}),
  };
}

function goldenChart(config: z.infer<typeof ConfigSchema>): Pick<Config, 'goldenChart'> | undefined {
  if (config.FLEETOPS_GOLDEN_CHART_REPO_URL && config.FLEETOPS_GOLDEN_CHART_VERSION) {
    return {
      goldenChart: { repoUrl: config.FLEETOPS_GOLDEN_CHART_REPO_URL, name: config.FLEETOPS_GOLDEN_CHART_NAME, version: config.FLEETOPS_GOLDEN_CHART_VERSION },
    };
  }
  return config.FLEETOPS_GOLDEN_CHART_PATH ? { goldenChart: { path: config.FLEETOPS_GOLDEN_CHART_PATH } } : undefined;
}

const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Logger and metrics settings, read at module load by functions/observability.ts. Kept apart from
 * loadConfig so that an invalid feature setting fails in the handler (a 500 with a log line), not at import.
 * POWERTOOLS_METRICS_DISABLED is read by Powertools itself (it has no option for it); the local stack and
 * the tests set it, and the tests set POWERTOOLS_LOG_LEVEL=SILENT (vitest.config.ts).
 */
export function observabilityConfig(env: NodeJS.ProcessEnv = process.env): {
  serviceName: string;
  logLevel: string;
  metricsNamespace: string;
} {
  return {
    serviceName: env.POWERTOOLS_SERVICE_NAME || 'fleetops',
    logLevel: env.POWERTOOLS_LOG_LEVEL || 'INFO',
    metricsNamespace: env.POWERTOOLS_METRICS_NAMESPACE || 'fleetops',
  };
}
