/**
 * The one factory for a cluster's MetricSource: its Prometheus-compatible backend (Prometheus,
 * AMP, Thanos, Mimir) when one is configured, metrics.k8s.io otherwise. Everything with I/O
 * (secret store, credentials, Kubernetes client, guarded fetch) is passed in by the wiring.
 */
import type { PrometheusSettings } from '../../core/clusters/cluster-record.ts';
import { ValidationError } from '../../core/errors.ts';
import { ampSigningRegion } from '../../core/metrics/amp-endpoint.ts';
import type { MetricSource } from '../../core/metrics/types.ts';
import { MetricsApiSource, type PodMetricsItem } from './metrics-api-source.ts';
import { PrometheusClient, type AwsCredentialsProvider, type PrometheusAuth } from './prometheus-client.ts';
import { PrometheusMetricSource } from './prometheus-metric-source.ts';

export interface MetricSourceDeps {
  /** The cluster's Prometheus bearer token (from the secret store); read only when auth is `bearer`. */
  bearerToken: () => Promise<string | undefined>;
  /** SigV4 credentials (the Lambda execution role). */
  awsCredentials: AwsCredentialsProvider;
  /** metrics.k8s.io pod metrics of one namespace, from the cluster's Kubernetes client. */
  podMetrics: (namespace: string) => Promise<PodMetricsItem[]>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const invalid = (cluster: string, reason: string) => new ValidationError(`Prometheus of cluster ${cluster}: ${reason}`, undefined, 'INVALID_PROMETHEUS');

async function authFor(cluster: string, p: PrometheusSettings, deps: Omit<MetricSourceDeps, 'podMetrics'>): Promise<PrometheusAuth> {
  if (p.auth === 'bearer') {
    const token = await deps.bearerToken();
    // Never fall back to an unauthenticated request: the backend would answer 401, or worse, answer.
    if (!token) throw invalid(cluster, 'auth is bearer but no token is stored');
    return { type: 'bearer', token };
  }
  if (p.auth === 'sigv4') {
    const endpoint = ampSigningRegion(p.url, p.region);
    if (!endpoint.ok) throw invalid(cluster, endpoint.reason);
    return { type: 'sigv4', region: endpoint.region, credentials: deps.awsCredentials };
  }
  return { type: 'none' };
}

/** The cluster's Prometheus-compatible client with its auth, or undefined when it has none (also used for the mesh graph). */
export async function createPrometheusClient(
  cluster: { name: string; prometheus?: PrometheusSettings },
  deps: Omit<MetricSourceDeps, 'podMetrics'>,
): Promise<PrometheusClient | undefined> {
  const p = cluster.prometheus;
  if (!p) return undefined;
  return new PrometheusClient({
    baseUrl: p.url,
    auth: await authFor(cluster.name, p, deps),
    ...(p.tenantId ? { tenantId: p.tenantId } : {}),
    timeoutMs: deps.timeoutMs ?? 8000,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
}

export async function createMetricSource(cluster: { name: string; prometheus?: PrometheusSettings }, deps: MetricSourceDeps): Promise<MetricSource> {
  const p = cluster.prometheus;
  const client = await createPrometheusClient(cluster, deps);
  if (!p || !client) return new MetricsApiSource({ cluster: cluster.name, podMetrics: deps.podMetrics });
  return new PrometheusMetricSource({
    client,
    cluster: cluster.name,
    // An operator-chosen rate window is trusted as is: the scrape-interval guard is for the default.
    ...(p.rateWindow ? { rateWindow: p.rateWindow, scrapeIntervalSeconds: 1 } : {}),
    ...(p.matchers ? { extraMatchers: p.matchers } : {}),
  });
}
