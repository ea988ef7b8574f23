/**
 * KubeGateway over @kubernetes/client-node. Every error leaving here is an AppError whose message
 * names the server and a reason code, never a credential.
 */
import {
  AppsV1Api,
  AuthorizationV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  VersionApi,
} from '@kubernetes/client-node';
import type { KubeConfig, V1Deployment, V1PodTemplateSpec } from '@kubernetes/client-node';
import { isPlausibleGitVersion, plausiblePlatform } from '../../core/clusters/git-version.ts';
import { AppError, ConflictError, NotFoundError, UpstreamError, ValidationError } from '../../core/errors.ts';
import type { SafeKubeconfig } from '../../core/clusters/kubeconfig-policy.ts';
import type { AccessReviewer, ClusterTarget, ClusterVersion, KubeGateway } from '../../core/clusters/kube-gateway-port.ts';
import type { KubeClusterClient } from '../../ports.ts';
import { ClientPool } from './client-pool.ts';
import { createKubeConfig } from './kube-client-factory.ts';
import type { ConnectPolicy } from './kube-client-factory.ts';

const REVISION = 'deployment.kubernetes.io/revision';
/** A metadata-only list (meta.k8s.io/v1 PartialObjectMetadataList), or plain JSON from a server without it. */
const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function secretsOf(creds: SafeKubeconfig): string[] {
  return ('token' in creds.user ? [creds.user.token] : [creds.user.certData, creds.user.keyData]).filter((s) => s.length >= 4);
}

function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[REDACTED]');
  return out.replace(/Bearer\s+\S+/gi, 'Bearer [REDACTED]');
}

/** A short, secret-free reason for a failed request. */
function reasonOf(err: unknown): string {
  const e = err as { name?: string; code?: unknown; cause?: unknown };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  const cause = e?.cause as { code?: unknown; name?: string; cause?: unknown } | undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause?.name === 'TimeoutError' || cause?.name === 'AbortError') return 'timed out';
  if (cause?.cause) return reasonOf(cause);
  if (typeof e?.code === 'string') return e.code;
  return e?.name ?? 'error';
}

function isApiException(err: unknown): err is { code: number; body: unknown } {
  return !!err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'number' && 'body' in err;
}

export function toAppError(err: unknown, server: string, what: string, secrets: string[]): AppError {
  if (err instanceof AppError) return err;
  if (isApiException(err)) {
    const status = err.code;
    const body = err.body as { message?: unknown } | string | undefined;
    const detail = typeof body === 'object' && body && typeof body.message === 'string' ? `: ${redact(body.message, secrets).slice(0, 200)}` : '';
    if (status === 404) return new NotFoundError(`${what} not found in cluster ${server}`);
    if (status === 409) return new ConflictError(`${what} changed concurrently in cluster ${server}${detail}`);
    if (status === 401 || status === 403) return new UpstreamError(`Cluster ${server} refused ${what} (HTTP ${status})${detail}`, 'CLUSTER_FORBIDDEN');
    if (status === 422 || status === 400)
      return new ValidationError(`Cluster ${server} rejected ${what} (HTTP ${status})${detail}`, undefined, 'CLUSTER_REJECTED');
    return new UpstreamError(`Cluster ${server} failed ${what} (HTTP ${status})`);
  }
  const reason = reasonOf(err);
  if (reason === 'EREDIRECTREFUSED')
    return new UpstreamError(`Cluster ${server} answered ${what} with a redirect, which is never followed`, 'CLUSTER_REDIRECT');
  const tls = /CERT|SIGNATURE|SELF_SIGNED|VERIFY|ALTNAME|ISSUER/.test(reason) ? `TLS verification failed (${reason})` : reason;
  return new UpstreamError(redact(`Cluster ${server} is unreachable: ${tls}`, secrets));
}

function labelSelectorOf(matchLabels: Record<string, string> | undefined): string | undefined {
  if (!matchLabels || !Object.keys(matchLabels).length) return undefined;
  return Object.entries(matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function checkName(kind: string, value: string): void {
  if (!NAME.test(value)) throw new ValidationError(`Invalid ${kind} name ${JSON.stringify(value)}`);
}

/** Typed by the port it implements (KubeClusterClient, functions/ports.ts): the compiler checks each method against it. */
export class KubernetesClusterClient implements KubeClusterClient {
  private readonly server: string;
  private readonly secrets: string[];
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly versionApi: VersionApi;
  private readonly autoscaling: AutoscalingV2Api;

  constructor(kc: KubeConfig, creds: SafeKubeconfig) {
    this.server = creds.server;
    this.secrets = secretsOf(creds);
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.versionApi = kc.makeApiClient(VersionApi);
    this.autoscaling = kc.makeApiClient(AutoscalingV2Api);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toAppError(err, this.server, what, this.secrets);
    }
  }

  async version() {
    const info = await this.call('GET /version', () => this.versionApi.getCode());
    if (!info || typeof info.gitVersion !== 'string') throw new UpstreamError(`Cluster ${this.server} returned no version`);
    if (!isPlausibleGitVersion(info.gitVersion)) {
      throw new UpstreamError(`Cluster ${this.server} reported a gitVersion that is not a Kubernetes version`, 'CLUSTER_BAD_VERSION');
    }
    return { gitVersion: info.gitVersion, platform: plausiblePlatform(info.platform) };
  }

  async listPods(namespace: string, labelSelector?: string) {
    checkName('namespace', namespace);
    const list = await this.call(`pods in ${namespace}`, () => this.core.listNamespacedPod({ namespace, labelSelector }));
    return list.items;
  }

  async listEvents(namespace: string) {
    checkName('namespace', namespace);
    const list = await this.call(`events in ${namespace}`, () => this.core.listNamespacedEvent({ namespace }));
    return list.items;
  }

  async listNodes() {
    const list = await this.call('nodes', () => this.core.listNode());
    return list.items;
  }

  async listAllPods() {
    const list = await this.call('pods in all namespaces', () => this.core.listPodForAllNamespaces());
    return list.items;
  }

  async listAllDeployments() {
    const list = await this.call('deployments in all namespaces', () => this.apps.listDeploymentForAllNamespaces());
    return list.items;
  }

  async getDeployment(namespace: string, name: string) {
    checkName('namespace', namespace);
    checkName('deployment', name);
    return this.call(`deployment ${namespace}/${name}`, () => this.apps.readNamespacedDeployment({ namespace, name }));
  }

  async scaleDeployment(namespace: string, name: string, replicas: number) {
    checkName('namespace', namespace);
    checkName('deployment', name);
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > 1000) throw new ValidationError('replicas must be an integer between 0 and 1000');
    await this.call(`scale of deployment ${namespace}/${name}`, () =>
      this.apps.replaceNamespacedDeploymentScale({
        namespace,
        name,
        body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace }, spec: { replicas } },
      }),
    );
  }

  async deletePod(namespace: string, name: string) {
    checkName('namespace', namespace);
    checkName('pod', name);
    await this.call(`pod ${namespace}/${name}`, () => this.core.deleteNamespacedPod({ namespace, name }));
  }

  /** `kubectl rollout undo`: to `toRevision` when given (`--to-revision`), else to the newest older revision. */
  async rolloutUndo(namespace: string, name: string, toRevision?: string) {
    const deployment = await this.getDeployment(namespace, name);
    const current = Number(deployment.metadata?.annotations?.[REVISION] ?? 0);
    const uid = deployment.metadata?.uid;
    const labelSelector = labelSelectorOf(deployment.spec?.selector?.matchLabels);
    const list = await this.call(`replicasets in ${namespace}`, () => this.apps.listNamespacedReplicaSet({ namespace, labelSelector }));
    const owned = list.items.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && (uid ? o.uid === uid : o.name === name)));
    const previous = owned
      .map((rs) => ({ rs, revision: Number(rs.metadata?.annotations?.[REVISION] ?? NaN) }))
      .filter((x) => Number.isFinite(x.revision) && x.revision > 0 && x.revision !== current && (current === 0 || x.revision < current))
      .filter((x) => toRevision === undefined || String(x.revision) === toRevision)
      .sort((a, b) => b.revision - a.revision)[0];
    if (!previous?.rs.spec?.template) throw new ConflictError(`Deployment ${namespace}/${name} has no previous revision to roll back to`, 'NO_ROLLOUT_HISTORY');
    const template = structuredClone(previous.rs.spec.template);
    if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
    const body: V1Deployment = { ...deployment, spec: { ...deployment.spec!, template } };
    await this.call(`deployment ${namespace}/${name}`, () => this.apps.replaceNamespacedDeployment({ namespace, name, body }));
    return { revision: String(previous.revision) };
  }

  async podMetrics(namespace: string) {
    checkName('namespace', namespace);
    const list = (await this.call(`pod metrics in ${namespace}`, () =>
      this.custom.listNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', namespace, plural: 'pods' }),
    )) as {
      items?: Array<{
        metadata?: { name?: string; namespace?: string };
        timestamp?: string;
        containers?: Array<{ name?: string; usage?: { cpu?: string; memory?: string } }>;
      }>;
    };
    return (list.items ?? []).map((item) => ({
      name: item.metadata?.name ?? '',
      namespace: item.metadata?.namespace ?? namespace,
      timestamp: item.timestamp,
      containers: (item.containers ?? []).map((c) => ({ name: c.name ?? '', cpu: c.usage?.cpu ?? '0', memory: c.usage?.memory ?? '0' })),
    }));
  }
  // Read-only evidence for RCA.
  async listDeployments(namespace: string, limit?: number) {
    checkName('namespace', namespace);
    return (await this.call(`deployments in ${namespace}`, () => this.apps.listNamespacedDeployment({ namespace, limit }))).items;
  }

  async listReplicaSets(namespace: string, labelSelector?: string, limit?: number) {
    checkName('namespace', namespace);
    return (await this.call(`replicasets in ${namespace}`, () => this.apps.listNamespacedReplicaSet({ namespace, labelSelector, limit }))).items;
  }

  async listServices(namespace: string, limit?: number) {
    checkName('namespace', namespace);
    return (await this.call(`services in ${namespace}`, () => this.core.listNamespacedService({ namespace, limit }))).items;
  }

  async listEndpoints(namespace: string, limit?: number) {
    checkName('namespace', namespace);
    return (await this.call(`endpoints in ${namespace}`, () => this.core.listNamespacedEndpoints({ namespace, limit }))).items;
  }

  /**
   * `Accept: ...;as=PartialObjectMetadataList` makes a real API server (and the simulator) send metadata only (the data never
   * travels); a server without it falls back to the full list, whose data is dropped here before anything else sees it.
   */
  async listConfigMapMetadata(namespace: string, limit?: number) {
    checkName('namespace', namespace);
    const list = await this.call(`configmaps in ${namespace}`, () =>
      this.core.listNamespacedConfigMap({ namespace, limit }, setHeaderOptions('Accept', METADATA_ONLY)),
    );
    return list.items.map((item) => ({ ...item.metadata }));
  }

  /**
   * Secrets' names and write times, nothing else: a metadata-only list (as config maps), reduced here to name, namespace,
   * resourceVersion, creationTimestamp and each managedFields entry's manager, operation, subresource and time. Annotations
   * are dropped too (`kubectl apply` keeps the whole Secret, values included, in last-applied-configuration), and so are the
   * managedFields' field sets (they name the data's keys).
   */
  async listSecretMetadata(namespace: string, limit?: number) {
    checkName('namespace', namespace);
    const list = await this.call(`secrets in ${namespace}`, () =>
      this.core.listNamespacedSecret({ namespace, limit }, setHeaderOptions('Accept', METADATA_ONLY)),
    );
    return list.items.map(({ metadata: m }) => ({
      name: m?.name,
      namespace: m?.namespace,
      resourceVersion: m?.resourceVersion,
      creationTimestamp: m?.creationTimestamp,
      managedFields: (m?.managedFields ?? []).map((f) => ({ manager: f.manager, operation: f.operation, subresource: f.subresource, time: f.time })),
    }));
  }

  async readPodLog(namespace: string, pod: string, options: { container: string; tailLines: number; limitBytes: number; previous?: boolean }) {
    checkName('namespace', namespace);
    checkName('pod', pod);
    checkName('container', options.container);
    const text = await this.call(`log of pod ${namespace}/${pod}`, () =>
      this.core.readNamespacedPodLog({
        namespace,
        name: pod,
        container: options.container,
        tailLines: options.tailLines,
        limitBytes: options.limitBytes,
        previous: options.previous,
        timestamps: true,
      }),
    );
    return typeof text === 'string' ? text.slice(0, options.limitBytes) : '';
  }

  async listHorizontalPodAutoscalers(namespace: string) {
    checkName('namespace', namespace);
    const list = await this.call(`horizontal pod autoscalers in ${namespace}`, () => this.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }));
    return list.items;
  }

  async patchHorizontalPodAutoscaler(namespace: string, name: string, bounds: { minReplicas?: number; maxReplicas?: number }) {
    checkName('namespace', namespace);
    checkName('horizontal pod autoscaler', name);
    for (const v of Object.values(bounds))
      if (!Number.isInteger(v) || v < 1 || v > 1000) throw new ValidationError('HPA bounds must be integers between 1 and 1000');
    await this.call(`horizontal pod autoscaler ${namespace}/${name}`, () =>
      this.autoscaling.patchNamespacedHorizontalPodAutoscaler(
        { namespace, name, body: { spec: bounds } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }

  async listServiceMonitors(namespace: string) {
    checkName('namespace', namespace);
    try {
      const list = (await this.call(`servicemonitors in ${namespace}`, () =>
        this.custom.listNamespacedCustomObject({ group: 'monitoring.coreos.com', version: 'v1', namespace, plural: 'servicemonitors', limit: 500 }),
      )) as { items?: { metadata?: { name?: string }; spec?: { selector?: { matchLabels?: Record<string, string> } } }[] };
      return (list.items ?? []).map((m) => ({ name: String(m.metadata?.name ?? ''), matchLabels: { ...m.spec?.selector?.matchLabels } }));
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async replaceDeploymentTemplate(namespace: string, name: string, template: V1PodTemplateSpec) {
    const deployment = await this.getDeployment(namespace, name);
    const body: V1Deployment = { ...deployment, spec: { ...deployment.spec!, template } };
    await this.call(`deployment ${namespace}/${name}`, () => this.apps.replaceNamespacedDeployment({ namespace, name, body }));
  }
}

/** `kubectl auth can-i --list` for fleetops' own credentials: SelfSubjectRulesReview, one namespace at a time. */
class RulesReviewer implements AccessReviewer {
  private readonly server: string;
  private readonly secrets: string[];
  private readonly core: CoreV1Api;
  private readonly authz: AuthorizationV1Api;

  constructor(kc: KubeConfig, creds: SafeKubeconfig) {
    this.server = creds.server;
    this.secrets = secretsOf(creds);
    this.core = kc.makeApiClient(CoreV1Api);
    this.authz = kc.makeApiClient(AuthorizationV1Api);
  }

  async namespaceNames() {
    try {
      const list = await this.core.listNamespace({ limit: 500 });
      return list.items.map((n) => n.metadata?.name ?? '').filter((name) => NAME.test(name));
    } catch (err) {
      throw toAppError(err, this.server, 'namespaces', this.secrets);
    }
  }

  async rulesIn(namespace: string) {
    checkName('namespace', namespace);
    try {
      const review = await this.authz.createSelfSubjectRulesReview({
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
      });
      const rules = (review.status?.resourceRules ?? []).map((r) => ({
        verbs: r.verbs ?? [],
        apiGroups: r.apiGroups ?? [],
        resources: r.resources ?? [],
        ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
      }));
      return { namespace, rules, incomplete: review.status?.incomplete === true };
    } catch (err) {
      throw toAppError(err, this.server, `SelfSubjectRulesReview in ${namespace}`, this.secrets);
    }
  }
}

export interface KubernetesGatewayOptions extends ConnectPolicy {
  idleMs?: number;
  now?: () => number;
}

export class KubernetesGateway implements KubeGateway<KubeClusterClient> {
  private readonly policy: ConnectPolicy;
  private readonly pool: ClientPool<KubeClusterClient>;

  constructor(options: KubernetesGatewayOptions) {
    this.policy = { allowLoopback: options.allowLoopback, allowlist: options.allowlist, timeoutMs: options.timeoutMs ?? 5000, lookup: options.lookup };
    this.pool = new ClientPool<KubeClusterClient>({ idleMs: options.idleMs, now: options.now });
  }

  private async build(creds: SafeKubeconfig): Promise<KubeClusterClient> {
    return new KubernetesClusterClient(await createKubeConfig(creds, this.policy), creds);
  }

  async version(creds: SafeKubeconfig): Promise<ClusterVersion> {
    return (await this.build(creds)).version();
  }

  async accessReviewer(creds: SafeKubeconfig): Promise<AccessReviewer> {
    const kc = await createKubeConfig(creds, this.policy);
    return new RulesReviewer(kc, creds);
  }

  client(target: ClusterTarget): Promise<KubeClusterClient> {
    return this.pool.get(target.clusterId, target.credentialsVersion, () => this.build(target.creds));
  }

  forget(clusterId: string): void {
    this.pool.evict(clusterId);
  }
}
