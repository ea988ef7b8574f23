/** The bus sources fleetops publishes under; rules in definitions/events.ts match on them. */
export const EVENT_SOURCES = {
  clusters: 'fleetops.clusters',
  alerts: 'fleetops.alerts',
  metrics: 'fleetops.metrics',
  rca: 'fleetops.rca',
  healing: 'fleetops.healing',
  deploy: 'fleetops.deploy',
} as const;
