export * from './types.ts';
export {
  namespaceSignalQueries,
  serviceSignalQueries,
  durationSeconds,
  promString,
  regexLiteral,
  DEFAULT_LABELS,
  DEFAULT_METRICS,
  DEFAULT_RATE_WINDOW,
  DEFAULT_SCRAPE_INTERVAL_SECONDS,
} from './golden-signals.ts';
export type { GroupedSignalQuery, NamespaceSignalQueries, SignalLabelNames, SignalMetricNames, SignalQueries, SignalQueryOptions } from './golden-signals.ts';
export { parseQuantity, tryParseQuantity } from './quantity.ts';
export { serviceOfPod } from './pod-service.ts';
export type { PodServiceOptions } from './pod-service.ts';
