import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { guardedFetch } from '../adapters/prometheus/guarded-fetch.ts';
import { createMetricSource, createPrometheusClient } from '../adapters/prometheus/metric-source-factory.ts';
import type { PrometheusClient } from '../adapters/prometheus/prometheus-client.ts';
import type { ClusterRecord } from '../core/clusters/cluster-record.ts';
import { prometheusSecretName } from '../core/clusters/registry.ts';
import type { MetricSource } from '../core/metrics/types.ts';
import { wiring } from '../wiring.ts';
import { clusterRegistry } from './clusters.ts';

let built: { base: unknown; fetch: typeof fetch; credentials: ReturnType<typeof fromNodeProviderChain> } | undefined;

/** The cluster's Prometheus client (RCA reads mesh edges with it), or undefined when it has none. */
export async function prometheusClientFor(record: ClusterRecord): Promise<PrometheusClient | undefined> {
  const base = wiring();
  if (built?.base !== base) built = { base, fetch: guardedFetch(base.addressPolicy), credentials: fromNodeProviderChain() };
  return createPrometheusClient(record, {
    bearerToken: () => base.secrets.get(prometheusSecretName(record.id)),
    awsCredentials: built.credentials,
    fetch: built.fetch,
    timeoutMs: 8000,
  });
}

/** A cluster's MetricSource, built by the one factory with this process's secrets, credentials and guarded fetch. */
export async function metricSourceFor(record: ClusterRecord): Promise<MetricSource> {
  const base = wiring();
  if (built?.base !== base) built = { base, fetch: guardedFetch(base.addressPolicy), credentials: fromNodeProviderChain() };
  return createMetricSource(record, {
    bearerToken: () => base.secrets.get(prometheusSecretName(record.id)),
    awsCredentials: built.credentials,
    podMetrics: async (namespace) => (await clusterRegistry().client(record)).podMetrics(namespace),
    fetch: built.fetch,
    timeoutMs: 8000,
  });
}
