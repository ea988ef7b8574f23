/**
 * Alert sources that fleetops's own pull and workflow steps stamp on what they raise. The alert rules trust them
 * as evidence (edge-explained joins, a condition's own incident key), so neither a request body nor an ingest
 * credential may claim one: what a caller says is data, never the provenance the rules rely on.
 */
export const INTERNAL_ALERT_SOURCES = ['anomaly', 'kube-state', 'fleet-health', 'forecast', 'split'] as const;

export const isInternalAlertSource = (source: string): boolean => (INTERNAL_ALERT_SOURCES as readonly string[]).includes(source.toLowerCase());

export const internalSourceMessage = (source: string): string =>
  `source ${source} is reserved for alerts fleetops raises itself (${INTERNAL_ALERT_SOURCES.join(', ')}); name your own source`;
