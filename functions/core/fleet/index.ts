export { headroom, healthScore01, healthScore100, readyFraction } from './health.ts';
export type { HealthFactors } from './health.ts';
export { fleetOverview, weightedErrorRate, FLEET_DEFAULTS } from './overview.ts';
export type { ClusterHealthInput, ClusterOverview, FleetOverview, FleetOverviewOptions } from './overview.ts';
export { compareServiceAcrossClusters, COMPARE_DEFAULTS } from './compare.ts';
export type { CompareOptions, ServiceClusterSample, ServiceComparison, SignalComparison, SignalValueComparison } from './compare.ts';
export { clusterHealthInput, latestPerSeries } from './cluster-input.ts';
export type { NodeCapacity } from './cluster-input.ts';
