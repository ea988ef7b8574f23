import { IncidentQueries } from '../core/alerts/incident-queries.ts';
import { wiring } from '../wiring.ts';
import { alertStore } from './alerts.ts';
import { clusterStore } from './cluster-store.ts';

let built: { base: unknown; queries: IncidentQueries } | undefined;

export function incidentQueries(): IncidentQueries {
  const base = wiring();
  if (built?.base !== base) built = { base, queries: new IncidentQueries({ incidents: alertStore().incidents, clusters: clusterStore() }) };
  return built.queries;
}
