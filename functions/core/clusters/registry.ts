import type { GuardrailSettings } from '../detection/guardrails.ts';
import { createHash, randomUUID } from 'node:crypto';
import { EVENT_SOURCES } from '../platform/events.ts';
import type { Clock, EventPublisher, SecretStore } from '../platform/ports.ts';
import { AppError, ConflictError, NotFoundError, UpstreamError, ValidationError } from '../errors.ts';
import { checkServerAddress } from './address-policy.ts';
import {
  CLUSTER_DELETED_DETAIL_TYPE,
  CLUSTER_REGISTERED_DETAIL_TYPE,
  type ClusterRecord,
  type ClusterStore,
  type PrometheusSettings,
  type XRaySettings,
} from './cluster-record.ts';
import type { ClusterProbe, ClusterVersion, KubeGateway } from './kube-gateway-port.ts';
import { parseAndValidateKubeconfig, type SafeKubeconfig } from './kubeconfig-policy.ts';
import { grantedFeatures, unknownPermissions, type ClusterPermissions, type NamespaceRules } from './permissions.ts';

/** Mints EKS credentials server-side (endpoint + CA from DescribeCluster, a presigned STS token). */
export interface EksResolver {
  resolve(ref: { clusterName: string; region: string; roleArn?: string }): Promise<SafeKubeconfig>;
}

export interface RegisterClusterInput {
  name: string;
  environment: string;
  labels: Record<string, string>;
  kubeconfig?: string;
  context?: string;
  eks?: { clusterName: string; region: string; roleArn?: string };
  prometheus?: PrometheusSettings & { token?: string };
  xray?: XRaySettings;
  namespaces?: string[];
  guardrails?: GuardrailSettings;
}

export interface ClusterRegistryDeps<Client extends ClusterProbe = ClusterProbe> {
  store: ClusterStore;
  secrets: SecretStore;
  kube: KubeGateway<Client>;
  events: EventPublisher;
  clock: Clock;
  eks?: EksResolver;
  policy: { allowLoopback: boolean; allowlist?: string[] };
  /** Where a failed ClusterRegistered publish is reported; the request itself succeeded. */
  onPublishError?: (error: unknown, detailType: string) => void;
}

export const kubeconfigSecretName = (id: string) => `clusters/${id}/kubeconfig`;
const withoutToken = ({ token: _token, ...settings }: PrometheusSettings & { token?: string }): PrometheusSettings => settings;

export const prometheusSecretName = (id: string) => `clusters/${id}/prometheus`;
/** Namespaces whose rules a registration reviews at most (the cluster's own first, then the others as listed). */
const MAX_REVIEWED_NAMESPACES = 50;
const REVIEW_CONCURRENCY = 8;
/** The health schedule re-reviews a cluster's permissions when the recorded review is older than this (a grant changed). */
const PERMISSIONS_MAX_AGE_MS = 60 * 60_000;

/** EKS tokens are short-lived: pooled clients for EKS clusters are rebuilt every 10 minutes. */
const EKS_CREDENTIALS_BUCKET_MS = 10 * 60_000;

function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

/**
 * Registers clusters and hands out pooled clients for them. Order matters: the kubeconfig policy
 * runs on the raw text first, the connection test before anything is stored, the secret before
 * the record that points at it.
 */
export class ClusterRegistry<Client extends ClusterProbe = ClusterProbe> {
  private readonly deps: ClusterRegistryDeps<Client>;

  constructor(deps: ClusterRegistryDeps<Client>) {
    this.deps = deps;
  }

  async register(input: RegisterClusterInput): Promise<ClusterRecord> {
    const { store, secrets, clock } = this.deps;
    const creds = await this.credentialsFromInput(input);
    if (input.prometheus) this.checkPrometheusUrl(input.prometheus.url);
    if (await store.getByName(input.name)) {
      throw new ConflictError(`A cluster named ${input.name} is already registered`, 'CLUSTER_EXISTS');
    }
    const version = await this.testConnection(creds);
    const permissions = await this.reviewPermissions(creds, input.namespaces);

    const id = `c-${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const now = clock.now().toISOString();
    const secretValue = JSON.stringify(creds);
    if (!input.eks) await secrets.put(kubeconfigSecretName(id), secretValue);
    if (input.prometheus?.token) await secrets.put(prometheusSecretName(id), input.prometheus.token);

    const record: ClusterRecord = {
      id,
      name: input.name,
      environment: input.environment,
      labels: input.labels,
      server: creds.server,
      version: version.gitVersion,
      status: 'active',
      createdAt: now,
      updatedAt: now,
      lastCheckedAt: now,
      source: input.eks ? 'eks' : 'kubeconfig',
      credentialsVersion: input.eks ? 'eks' : fingerprint(secretValue),
      ...(input.eks ? { eks: input.eks } : {}),
      ...(input.prometheus ? { prometheus: withoutToken(input.prometheus) } : {}),
      ...(input.xray ? { xray: input.xray } : {}),
      ...(input.namespaces?.length ? { namespaces: input.namespaces } : {}),
      ...(input.guardrails ? { guardrails: input.guardrails } : {}),
      permissions,
    };
    try {
      await store.create(record);
    } catch (error) {
      // Lost a race for the name: remove the secrets this attempt wrote.
      await secrets.delete(kubeconfigSecretName(id));
      await secrets.delete(prometheusSecretName(id));
      throw error;
    }
    await this.publishQuietly(CLUSTER_REGISTERED_DETAIL_TYPE, { clusterId: id, name: record.name, environment: record.environment });
    return record;
  }

  async get(id: string): Promise<ClusterRecord> {
    const record = await this.deps.store.get(id);
    if (!record) throw new NotFoundError(`Cluster ${id} not found`);
    return record;
  }

  list(): Promise<ClusterRecord[]> {
    return this.deps.store.list();
  }

  async remove(id: string): Promise<void> {
    const record = await this.get(id);
    // Secrets first (deleting twice is harmless): a failure here leaves the record, so a retry finishes the job.
    await this.deps.secrets.delete(kubeconfigSecretName(id));
    await this.deps.secrets.delete(prometheusSecretName(id));
    // Then the event, before the record: its incidents close on it (nothing else would ever resolve them), so a lost
    // one fails the request while a retry can still find the record and send it again.
    await this.publish(CLUSTER_DELETED_DETAIL_TYPE, { clusterId: id, name: record.name, at: this.deps.clock.now().toISOString() });
    await this.deps.store.delete(id);
    this.deps.kube.forget(id);
  }

  async rotateKubeconfig(id: string, kubeconfig: string, context?: string): Promise<ClusterRecord> {
    const record = await this.get(id);
    if (record.source === 'eks') throw new ValidationError('EKS clusters have no kubeconfig to rotate', undefined, 'NOT_A_KUBECONFIG_CLUSTER');
    const creds = parseAndValidateKubeconfig(kubeconfig, { context, ...this.deps.policy });
    const version = await this.testConnection(creds);
    const permissions = await this.reviewPermissions(creds, record.namespaces);
    const secretValue = JSON.stringify(creds);
    await this.deps.secrets.put(kubeconfigSecretName(id), secretValue);
    const now = this.deps.clock.now().toISOString();
    const updated = await this.deps.store.update(id, {
      server: creds.server,
      version: version.gitVersion,
      credentialsVersion: fingerprint(secretValue),
      status: 'active',
      updatedAt: now,
      lastCheckedAt: now,
      permissions,
    });
    if (!updated) throw new NotFoundError(`Cluster ${id} not found`);
    this.deps.kube.forget(id);
    return updated;
  }

  /**
   * The validated credentials of a registered cluster (freshly minted for EKS), for tools that
   * need a kubeconfig file of their own (helm). Never logged or stored elsewhere.
   */
  async credentials(record: ClusterRecord): Promise<SafeKubeconfig> {
    if (record.source === 'eks') {
      if (!this.deps.eks || !record.eks) throw new UpstreamError(`Cluster ${record.name}: EKS is not available in this runtime`, 'EKS_UNAVAILABLE');
      return this.deps.eks.resolve(record.eks);
    }
    const stored = await this.deps.secrets.get(kubeconfigSecretName(record.id));
    if (!stored) throw new UpstreamError(`Cluster ${record.name} has no stored credentials; rotate its kubeconfig`, 'CREDENTIALS_MISSING');
    return JSON.parse(stored) as SafeKubeconfig;
  }

  /** A pooled client for a registered cluster; rebuilt when its credentials change. */
  async client(record: ClusterRecord): Promise<Client> {
    if (record.source === 'eks') {
      if (!this.deps.eks || !record.eks) throw new UpstreamError(`Cluster ${record.name}: EKS is not available in this runtime`, 'EKS_UNAVAILABLE');
      const bucket = Math.floor(this.deps.clock.now().getTime() / EKS_CREDENTIALS_BUCKET_MS);
      const creds = await this.deps.eks.resolve(record.eks);
      return this.deps.kube.client({ clusterId: record.id, credentialsVersion: `eks-${bucket}`, creds });
    }
    const stored = await this.deps.secrets.get(kubeconfigSecretName(record.id));
    if (!stored) throw new UpstreamError(`Cluster ${record.name} has no stored credentials; rotate its kubeconfig`, 'CREDENTIALS_MISSING');
    return this.deps.kube.client({ clusterId: record.id, credentialsVersion: record.credentialsVersion, creds: JSON.parse(stored) as SafeKubeconfig });
  }

  /**
   * Probes every cluster and records status changes. A conditional update makes the change (and
   * its ClusterStatusChanged event) happen once, even when two checks overlap.
   */
  async checkHealth(): Promise<{ checked: number; changed: { clusterId: string; from: string; to: string }[] }> {
    const clusters = await this.list();
    const changed: { clusterId: string; from: string; to: string }[] = [];
    await Promise.all(
      clusters.map(async (record) => {
        let next: ClusterRecord['status'] = 'active';
        let version: ClusterVersion | undefined;
        try {
          version = await (await this.client(record)).version();
        } catch {
          next = 'unreachable';
        }
        const now = this.deps.clock.now().toISOString();
        if (next !== record.status && (await this.deps.store.transitionStatus(record.id, record.status, next, now))) {
          changed.push({ clusterId: record.id, from: record.status, to: next });
          await this.deps.events.publish([
            {
              source: EVENT_SOURCES.clusters,
              detailType: 'ClusterStatusChanged',
              detail: { clusterId: record.id, name: record.name, environment: record.environment, from: record.status, to: next, at: now },
            },
          ]);
        } else {
          const permissions = version ? await this.refreshedPermissions(record) : undefined;
          await this.deps.store.update(record.id, {
            lastCheckedAt: now,
            ...(version ? { version: version.gitVersion } : {}),
            ...(permissions ? { permissions } : {}),
          });
        }
      }),
    );
    return { checked: clusters.length, changed };
  }

  private async credentialsFromInput(input: RegisterClusterInput): Promise<SafeKubeconfig> {
    if (input.kubeconfig !== undefined && input.eks)
      throw new ValidationError('kubeconfig: give either kubeconfig or eks, not both', undefined, 'INVALID_KUBECONFIG');
    if (input.kubeconfig !== undefined) return parseAndValidateKubeconfig(input.kubeconfig, { context: input.context, ...this.deps.policy });
    if (!input.eks) throw new ValidationError('kubeconfig: one of kubeconfig or eks is required', undefined, 'INVALID_KUBECONFIG');
    if (!this.deps.eks) throw new ValidationError('eks: EKS registration is not available in this runtime', undefined, 'EKS_UNAVAILABLE');
    const creds = await this.deps.eks.resolve(input.eks);
    checkServerAddress(new URL(creds.server).hostname, { ...this.deps.policy, field: 'eks.endpoint' });
    return creds;
  }

  /** The change is stored; a lost notification event must not turn it into an error the caller retries into a 409/404. */
  private publish(detailType: string, detail: Record<string, unknown>): Promise<void> {
    return this.deps.events.publish([{ source: EVENT_SOURCES.clusters, detailType, detail }]);
  }

  private async publishQuietly(detailType: string, detail: Record<string, unknown>): Promise<void> {
    try {
      await this.publish(detailType, detail);
    } catch (error) {
      this.deps.onPublishError?.(error, detailType);
    }
  }

  private checkPrometheusUrl(url: string): void {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) throw new ValidationError('prometheus.url: must not contain credentials', undefined, 'INVALID_PROMETHEUS');
    checkServerAddress(parsed.hostname.replace(/^\[|\]$/g, ''), { ...this.deps.policy, field: 'prometheus.url' });
  }

  /** A new review when the recorded one is over an hour old (hourly, not on every 5-minute probe); undefined otherwise. */
  private async refreshedPermissions(record: ClusterRecord): Promise<ClusterPermissions | undefined> {
    const checkedAt = record.permissions ? Date.parse(record.permissions.checkedAt) : 0;
    if (this.deps.clock.now().getTime() - checkedAt < PERMISSIONS_MAX_AGE_MS) return undefined;
    try {
      return await this.reviewPermissions(await this.credentials(record), record.namespaces);
    } catch {
      return undefined; // no stored credentials: the next probe says so
    }
  }

  /**
   * SelfSubjectRulesReview in the cluster's namespaces (`default` when none) and in the others it may list, mapped to
   * features. Informational: a failed review records every feature as unknown and never blocks the registration.
   */
  private async reviewPermissions(creds: SafeKubeconfig, namespaces: string[] | undefined): Promise<ClusterPermissions> {
    const home = namespaces?.length ? namespaces : ['default'];
    const checkedAt = this.deps.clock.now().toISOString();
    try {
      const reviewer = await this.deps.kube.accessReviewer(creds);
      const listed = await reviewer.namespaceNames().catch(() => [] as string[]);
      const all = [...new Set([...home, ...listed])].slice(0, Math.max(MAX_REVIEWED_NAMESPACES, home.length));
      const reviews: NamespaceRules[] = [];
      for (let i = 0; i < all.length; i += REVIEW_CONCURRENCY) {
        reviews.push(...(await Promise.all(all.slice(i, i + REVIEW_CONCURRENCY).map((ns) => reviewer.rulesIn(ns)))));
      }
      return grantedFeatures(reviews, home, checkedAt);
    } catch (error) {
      // AppError messages from the gateway name the server and status, never a credential.
      const reason = error instanceof AppError ? error.message.slice(0, 300) : 'the rules review failed';
      return unknownPermissions(checkedAt, home, reason);
    }
  }

  private async testConnection(creds: SafeKubeconfig): Promise<ClusterVersion> {
    try {
      return await this.deps.kube.version(creds);
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      if (error instanceof UpstreamError) throw error;
      throw new UpstreamError(`Cluster ${creds.server} is unreachable`);
    }
  }
}
