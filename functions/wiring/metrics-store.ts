import { DynamoMetricsStore } from '../adapters/aws/dynamodb/metrics-store.ts';
import type { MetricsStore } from '../core/pull/records.ts';
import { wiring } from '../wiring.ts';

let built: { base: unknown; store: MetricsStore } | undefined;

/** Samples, anomalies and models; separate from the pull so read-only handlers stay free of tfjs. */
export function metricsStore(): MetricsStore {
  const base = wiring();
  if (built?.base !== base) built = { base, store: new DynamoMetricsStore({ client: base.documentClient, tableName: base.config.TABLE_NAME }) };
  return built.store;
}
