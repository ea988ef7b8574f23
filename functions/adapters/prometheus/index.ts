/**
 * Picks a cluster's MetricSource: Prometheus-compatible backend when the cluster has one configured,
 * metrics.k8s.io otherwise.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { ValidationError } from '../../core/errors.ts';
import { ampSigningRegion } from '../../core/metrics/amp-endpoint.ts';
import type { SignalQueryOptions } from '../../core/metrics/golden-signals.ts';
import type { MetricSource } from '../../core/metrics/types.ts';
import { MetricsApiSource, type PodMetricsItem } from './metrics-api-source.ts';
import { PrometheusClient, type AwsCredentialsProvider } from './prometheus-client.ts';
import { PrometheusMetricSource } from './prometheus-metric-source.ts';

export { PrometheusClient, PrometheusQueryError, parseEnvelope, redact, redactUrl } from './prometheus-client.ts';
export type { AwsCredentials, AwsCredentialsProvider, PrometheusAuth, PrometheusClientOptions, PromData, PromResponse } from './prometheus-client.ts';
export { PrometheusMetricSource } from './prometheus-metric-source.ts';
export type { PrometheusMetricSourceOptions, PrometheusQueryApi } from './prometheus-metric-source.ts';
export { MetricsApiSource } from './metrics-api-source.ts';
export type { MetricsApiSourceOptions, PodMetricsItem } from './metrics-api-source.ts';

/** Lambda's own credentials (the execution role), resolved by the SDK's default chain. */
export const envCredentials: AwsCredentialsProvider = fromNodeProviderChain();

export interface ClusterPrometheusConfig extends Pick<SignalQueryOptions, 'rateWindow' | 'scrapeIntervalSeconds' | 'extraMatchers' | 'labels' | 'metrics'> {
  url: string;
  auth: 'none' | 'bearer' | 'sigv4';
  /** SigV4 region (AMP): taken from the `aps-workspaces.<region>.amazonaws.com` host; when given, it must agree. */
  region?: string;
  /** Mimir/Cortex tenant (X-Scope-OrgID). */
  tenantId?: string;
}

export interface CreateMetricSourceInput {
  /** Cluster name stamped on the results. */
  cluster: string;
  prometheus?: ClusterPrometheusConfig;
  /** The bearer token (read from the secret store) when auth is `bearer`. */
  token?: string;
  /** SigV4 credentials; default: the environment (the Lambda execution role). */
  awsCredentials?: AwsCredentialsProvider;
  /** metrics.k8s.io pod metrics, from the kube adapter (KubeClusterClient.podMetrics). */
  podMetrics: (namespace: string) => Promise<PodMetricsItem[]>;
  podToService?: Record<string, string>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function createMetricSource(input: CreateMetricSourceInput): MetricSource {
  const p = input.prometheus;
  if (!p) return new MetricsApiSource({ cluster: input.cluster, podMetrics: input.podMetrics, podToService: input.podToService });
  let client: PrometheusClient;
  if (p.auth === 'bearer') {
    if (!input.token) throw new ValidationError(`Prometheus of cluster ${input.cluster} needs a bearer token`, undefined, 'INVALID_PROMETHEUS');
    client = new PrometheusClient({ baseUrl: p.url, auth: { type: 'bearer', token: input.token }, tenantId: p.tenantId, timeoutMs: input.timeoutMs, fetch: input.fetch });
  } else if (p.auth === 'sigv4') {
    const endpoint = ampSigningRegion(p.url, p.region);
    if (!endpoint.ok) throw new ValidationError(`Prometheus of cluster ${input.cluster}: ${endpoint.reason}`, undefined, 'INVALID_PROMETHEUS');
    client = new PrometheusClient({ baseUrl: p.url, auth: { type: 'sigv4', region: endpoint.region, credentials: input.awsCredentials ?? envCredentials }, tenantId: p.tenantId, timeoutMs: input.timeoutMs, fetch: input.fetch });
  } else {
    client = new PrometheusClient({ baseUrl: p.url, tenantId: p.tenantId, timeoutMs: input.timeoutMs, fetch: input.fetch });
  }
  return new PrometheusMetricSource({
    client,
    cluster: input.cluster,
    podToService: input.podToService,
    rateWindow: p.rateWindow,
    scrapeIntervalSeconds: p.scrapeIntervalSeconds,
    extraMatchers: p.extraMatchers,
    labels: p.labels,
    metrics: p.metrics,
  });
}
