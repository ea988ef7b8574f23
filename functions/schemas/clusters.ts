import * as z from 'zod';
import { ampSigningRegion } from '../core/metrics/amp-endpoint.ts';

const labelKey = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/, 'must be a label key');
const labelValue = z.string().max(63);

export const ClusterName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a DNS label: lowercase letters, digits and dashes');

export const Environment = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9-]+$/, 'must be lowercase letters, digits and dashes');

export const PrometheusConfig = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    /** `sigv4` for Amazon Managed Prometheus; `bearer` uses a token kept in the secret store. */
    auth: z.enum(['none', 'bearer', 'sigv4']).default('none'),
    token: z.string().min(1).max(8192).optional(),
    region: z.string().optional(),
    /** Mimir / Cortex tenant, sent as X-Scope-OrgID. */
    tenantId: z
      .string()
      .regex(/^[\x21-\x7e]{1,150}$/, 'must be 1-150 printable ASCII characters')
      .optional(),
    /** PromQL rate() window, at least 4× the scrape interval. */
    rateWindow: z
      .string()
      .regex(/^[1-9][0-9]*(s|m|h)$/, 'must be a duration like 30s, 5m or 1h')
      .optional(),
    /** Equality matchers added to every query, for fleet-wide backends (Thanos, AMP, Mimir): {"cluster":"prod"}. */
    matchers: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string().max(256)).optional(),
  })
  .strict();

const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region');

/** Edge evidence from AWS X-Ray's service graph, for clusters traced with X-Ray (used when Prometheus has no mesh metrics). */
export const XRayConfig = z
  .object({
    /** Default: the stack's region. */
    region: awsRegion.optional(),
    /** The X-Ray group whose filter expression selects this cluster's traces (default: the whole account and region). */
    groupName: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be 1-32 letters, digits, dots, dashes or underscores')
      .optional(),
    /** X-Ray node name → workload name, where they differ: {"OrderService":"order-service"}. */
    names: z
      .record(z.string().min(1).max(255), z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/, 'must be a workload name'))
      .refine((v) => Object.keys(v).length <= 500, { message: 'at most 500 names' })
      .optional(),
  })
  .strict()
  .meta({ id: 'XRayConfig' });

export const EksRef = z
  .object({
    clusterName: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[0-9A-Za-z][A-Za-z0-9_-]*$/),
    region: awsRegion,
    roleArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'must be an IAM role ARN')
      .optional(),
  })
  .strict();

/** Detection guardrails (SLO-style limits checked from the first sample); see functions/core/detection/guardrails.ts. */
export const GuardrailLimits = z
  .object({
    /** Fraction 0..1 of 5xx answers. */
    errorRate: z.number().min(0).max(1).optional(),
    latencyP95Seconds: z.number().positive().max(3600).optional(),
    cpuCores: z.number().positive().max(100_000).optional(),
    /** Requests per second below which error-rate and latency limits do not apply. */
    minRequestRate: z.number().min(0).max(1e9).optional(),
  })
  .strict();

const k8sName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
const serviceKey = z
  .string()
  .min(1)
  .max(127)
  .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\/)?[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be SERVICE or NAMESPACE/SERVICE');

export const GuardrailSettings = GuardrailLimits.extend({
  /** Per namespace, over the cluster-wide values. */
  namespaces: z.record(k8sName, GuardrailLimits).optional(),
  /** Per service (`name` or `namespace/name`), over the namespace's values. */
  services: z.record(serviceKey, GuardrailLimits).optional(),
})
  .strict()
  .refine((v) => Object.keys(v.namespaces ?? {}).length + Object.keys(v.services ?? {}).length <= 200, {
    message: 'at most 200 namespace and service overrides',
  })
  .meta({ id: 'GuardrailSettings' });

export const RegisterClusterRequest = z
  .object({
    name: ClusterName,
    environment: Environment,
    labels: z.record(labelKey, labelValue).default({}),
    /** Size, emptiness and content are judged by the kubeconfig policy, which answers with the contract's codes. */
    kubeconfig: z.string().optional(),
    context: z.string().min(1).max(253).optional(),
    eks: EksRef.optional(),
    prometheus: PrometheusConfig.optional(),
    xray: XRayConfig.optional(),
    /** Namespaces whose services the metric pull scores (default: FLEETOPS_PULL_NAMESPACES). */
    namespaces: z
      .array(
        z
          .string()
          .min(1)
          .max(63)
          .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/),
      )
      .max(50)
      .optional(),
    /** Detection guardrails for this cluster's services (defaults: error rate ≥ 5 %, p95 ≥ 1 s, with ≥ 1 req/s). */
    guardrails: GuardrailSettings.optional(),
  })
  .strict()
  .refine((v) => !(v.prometheus?.auth === 'bearer' && !v.prometheus.token), { message: 'a token is required with auth bearer', path: ['prometheus', 'token'] })
  .refine((v) => !(v.prometheus?.token && v.prometheus.auth !== 'bearer'), { message: 'a token is only used with auth bearer', path: ['prometheus', 'auth'] })
  // Credentials never travel in clear text, and SigV4 only signs for AWS endpoints.
  .refine((v) => !(v.prometheus && v.prometheus.auth !== 'none' && !v.prometheus.url.startsWith('https://')), {
    message: 'must be https when auth is used',
    path: ['prometheus', 'url'],
  })
  .superRefine((v, ctx) => {
    if (v.prometheus?.auth !== 'sigv4') return;
    const endpoint = ampSigningRegion(v.prometheus.url, v.prometheus.region);
    if (!endpoint.ok) ctx.addIssue({ code: 'custom', message: endpoint.reason, path: ['prometheus', 'url'] });
  })
  .meta({ id: 'RegisterClusterRequest' });

export const RotateKubeconfigRequest = z
  .object({ kubeconfig: z.string(), context: z.string().min(1).max(253).optional() })
  .strict()
  .meta({ id: 'RotateKubeconfigRequest' });

export const ClusterStatus = z.enum(['active', 'unreachable']);

const Allowed = z.union([z.boolean(), z.literal('unknown')]);

/** What the registered credentials allow (SelfSubjectRulesReview at registration and rotation). */
const ClusterPermissions = z
  .object({
    checkedAt: z.string(),
    namespaces: z.array(z.string()).describe('The namespaces whose rules were reviewed'),
    features: z.object({
      detection: Allowed,
      rca: Allowed,
      healing: Allowed,
      scorecards: Allowed,
      deploy: z.union([z.array(z.string()), z.literal(false), z.literal('unknown')]).describe('The reviewed namespaces fleetops may deploy into'),
    }),
    missing: z.record(z.string(), z.array(z.string())).describe('Per feature not allowed: the permissions it lacks'),
    error: z.string().optional().describe('Why the features are unknown'),
  })
  .meta({ id: 'ClusterPermissions' });

export const Cluster = z
  .object({
    id: z.string(),
    name: z.string(),
    environment: z.string(),
    labels: z.record(z.string(), z.string()),
    server: z.string(),
    version: z.string(),
    status: ClusterStatus,
    createdAt: z.string(),
    updatedAt: z.string().optional(),
    lastCheckedAt: z.string().optional(),
    source: z.enum(['kubeconfig', 'eks']).optional(),
    prometheus: z.object({ url: z.string(), auth: z.string() }).optional(),
    xray: XRayConfig.optional(),
    namespaces: z.array(z.string()).optional(),
    guardrails: GuardrailSettings.optional(),
    permissions: ClusterPermissions.optional(),
  })
  .meta({ id: 'Cluster' });

export const ClusterList = z.object({ items: z.array(Cluster) }).meta({ id: 'ClusterList' });

const NamespaceList = z
  .string()
  .max(1100)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(,[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a comma-separated list of DNS-1123 labels')
  .refine((v) => v.split(',').length <= 20 && v.split(',').every((ns) => ns.length <= 63), 'at most 20 namespaces of at most 63 characters');

/**
 * `GET /v1/rbac-manifest?access=deploy&deployNamespaces=web,staging&secretChangeNamespaces=shop`: the tier (`read`,
 * `heal`: read plus healing's writes, `deploy`: heal plus a deploy Role in each of deployNamespaces; default `heal`, with
 * deploy Roles when deployNamespaces is given), and namespaces whose Secret changes the RCA lists (a Role each).
 */
export const RbacManifestQuery = z
  .object({
    access: z.enum(['read', 'heal', 'deploy']).optional(),
    deployNamespaces: NamespaceList.optional(),
    secretChangeNamespaces: NamespaceList.optional(),
  })
  .strict();

/** `detail` of a `ClusterDeleted` event (source fleetops.clusters): published when a cluster is deregistered. */
export const ClusterDeletedDetail = z
  .object({
    clusterId: z.string().min(1).max(128),
    name: ClusterName,
    /** When it was deregistered; events from before this field have only the envelope's time. */
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .meta({ id: 'ClusterDeletedDetail' });
