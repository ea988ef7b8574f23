import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { guardedFetch } from '../adapters/prometheus/guarded-fetch.ts';
import { MetricsApiSource } from '../adapters/prometheus/metrics-api-source.ts';
import { PrometheusClient, type PrometheusAuth } from '../adapters/prometheus/prometheus-client.ts';
import { PrometheusMetricSource } from '../adapters/prometheus/prometheus-metric-source.ts';
import type { ClusterRecord } from '../core/clusters/cluster-record.ts';
import { prometheusSecretName } from '../core/clusters/registry.ts';
import type { MetricSource } from '../core/metrics/types.ts';
import { wiring } from '../wiring.ts';
import { clusterRegistry } from './clusters.ts';

/** A client for the cluster's Prometheus (or AMP / Thanos / Mimir), or undefined when it has none. */
export async function prometheusClientFor(record: ClusterRecord): Promise<PrometheusClient | undefined> {
  const prometheus = record.prometheus;
  if (!prometheus) return undefined;
  let auth: PrometheusAuth = { type: 'none' };
  if (prometheus.auth === 'bearer') {
    const token = await wiring().secrets.get(prometheusSecretName(record.id));
    if (token) auth = { type: 'bearer', token };
  } else if (prometheus.auth === 'sigv4') {
    const region = prometheus.region ?? wiring().config.AWS_REGION;
    auth = { type: 'sigv4', region, credentials: fromNodeProviderChain() };
  }
  return new PrometheusClient({ baseUrl: prometheus.url, auth, timeoutMs: 8000, fetch: guardedFetch(wiring().addressPolicy) });
}

/** Prometheus (or AMP / Thanos / Mimir) when the cluster has one configured, metrics.k8s.io otherwise. */
export async function metricSourceFor(record: ClusterRecord): Promise<MetricSource> {
  const prometheus = record.prometheus;
  const client = await prometheusClientFor(record);
  if (!prometheus || !client) {
    return new MetricsApiSource({ cluster: record.name, podMetrics: async (namespace) => (await clusterRegistry().client(record)).podMetrics(namespace) });
  }
  return new PrometheusMetricSource({
    client,
    cluster: record.name,
    ...(prometheus.rateWindow ? { rateWindow: prometheus.rateWindow, scrapeIntervalSeconds: 1 } : {}),
    ...(prometheus.matchers ? { extraMatchers: prometheus.matchers } : {}),
  });
}
