import * as z from 'zod';

/** DNS-1123 label: what Kubernetes accepts as a namespace, and (≤ 53 chars) what helm accepts as a release name. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Label keys: optional DNS-subdomain prefix, then a name. Values: ≤ 63 of [A-Za-z0-9_.-], alphanumeric at both ends. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const CHART_NAME = /^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$/;
const CHART_VERSION = /^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]{1,64})?(\+[0-9A-Za-z.-]{1,64})?$/;

export const Release = z.string().min(1).max(53).regex(DNS_LABEL, 'must be a DNS-1123 label (lower-case letters, digits and -) of at most 53 characters');
/** A DNS-1123 label: namespaces, environments. */
export const DnsLabel = z.string().min(1).max(63).regex(DNS_LABEL, 'must be a DNS-1123 label');
export const Namespace = DnsLabel;

const LabelMap = z
  .record(z.string().max(253).regex(LABEL_KEY, 'must be a Kubernetes label key'), z.string().max(63).regex(LABEL_VALUE, 'must be a Kubernetes label value'))
  .refine((m) => Object.keys(m).length <= 20, 'at most 20 labels');

export const ClusterSelector = z
  .object({
    environment: DnsLabel.optional(),
    /** matchLabels of an ApplicationSet cluster generator. */
    labels: LabelMap.optional(),
    /** matchExpressions of an ApplicationSet cluster generator (an addition to the contract). */
    matchExpressions: z
      .array(
        z.object({
          key: z.string().max(253).regex(LABEL_KEY, 'must be a Kubernetes label key'),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string().max(63).regex(LABEL_VALUE, 'must be a Kubernetes label value')).max(20).optional(),
        }),
      )
      .max(10)
      .optional(),
  })
  .strict();

export const ChartRef = z.union([
  z.object({ path: z.string().min(1).max(1024) }).strict(),
  z
    .object({
      /** https://… chart repository, or oci://registry/namespace for an OCI registry. */
      repoUrl: z.string().min(1).max(2048),
      name: z.string().regex(CHART_NAME, 'must be a chart name (lower-case letters, digits, - _ .)'),
      version: z.string().max(140).regex(CHART_VERSION, 'must be a semantic version'),
    })
    .strict(),
]);

export const Wave = z.object({ name: z.string().min(1).max(63).regex(DNS_LABEL, 'must be a DNS-1123 label'), selector: ClusterSelector }).strict();

export const Strategy = z
  .object({
    rolloutTimeoutSeconds: z.number().int().min(5).max(3600).default(300),
    verifySeconds: z.number().int().min(0).max(3600).default(60),
    /** Clusters of one wave deployed at once (an addition). */
    maxConcurrency: z.number().int().min(1).max(40).default(5),
  })
  .strict();

export const CreateDeploymentRequest = z
  .object({
    release: Release,
    namespace: Namespace,
    chart: ChartRef,
    values: z.record(z.string(), z.unknown()).optional(),
    waves: z
      .array(Wave)
      .min(1)
      .max(10)
      .refine((waves) => new Set(waves.map((w) => w.name)).size === waves.length, 'wave names must be unique'),
    strategy: Strategy.prefault({}),
  })
  .strict()
  .meta({ id: 'CreateDeploymentRequest' });

export const DeploymentStarted = z.object({ id: z.string() }).meta({ id: 'DeploymentStarted' });

export const Deployment = z
  .object({
    id: z.string(),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']),
    release: z.string().optional(),
    namespace: z.string().optional(),
    trigger: z.string().optional(),
    requestedBy: z.string().optional().meta({ description: 'The verified identity that asked through the API' }),
    reason: z.string().optional(),
    createdAt: z.string().optional(),
    waves: z.array(
      z.object({
        name: z.string(),
        status: z.enum(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'SKIPPED']),
        clusters: z.array(
          z.object({
            clusterId: z.string(),
            cluster: z.string().optional(),
            status: z.enum(['PENDING', 'DEPLOYING', 'VERIFYING', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK']),
            revision: z.number().int().optional(),
            message: z.string().optional(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'Deployment' });

export const DeploymentListQuery = z
  .object({
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export const DeploymentList = z.object({ items: z.array(Deployment) }).meta({ id: 'DeploymentList' });

export const DeployTrigger = z
  .object({
    /** ECR repository name the push must come from. */
    repository: z
      .string()
      .min(2)
      .max(256)
      .regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, 'must be an ECR repository name'),
    /** Only tags starting with this prefix trigger (plain prefix, no pattern). */
    tagPrefix: z
      .string()
      .max(128)
      .regex(/^[A-Za-z0-9_.-]*$/, 'must be tag characters')
      .optional(),
    release: Release,
    namespace: Namespace,
    chart: ChartRef,
    values: z.record(z.string(), z.unknown()).optional(),
    /** Dotted path in the values that receives {repository, tag} of the pushed image; default `image`. */
    imageValuesPath: z
      .string()
      .max(128)
      .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/)
      .default('image'),
    waves: CreateDeploymentRequest.shape.waves,
    strategy: Strategy.prefault({}),
  })
  .strict()
  .meta({ id: 'DeployTrigger' });

export const DeployTriggerList = z.object({ items: z.array(DeployTrigger.extend({ id: z.string() })) }).meta({ id: 'DeployTriggerList' });

/** The EventBridge detail of an ECR image push. */
export const EcrImageActionDetail = z.object({
  'action-type': z.string(),
  result: z.string(),
  'repository-name': z.string().max(256),
  'image-digest': z.string().max(256).optional(),
  'image-tag': z.string().max(128).optional(),
});
