import type { ClusterRecord, ClusterStore } from '../clusters/cluster-record.ts';
import type { Clock } from '../platform/ports.ts';
import type { SampleRecord } from '../pull/records.ts';
import type { HistoryPoint } from './history.ts';

/** What forecasting needs: cluster lookup, fleetops' own samples, and optionally the cluster's Prometheus history. */
export interface ForecastPorts {
  clusters: Pick<ClusterStore, 'get' | 'getByName'>;
  samples(clusterId: string, namespace: string, service: string, since: Date): Promise<SampleRecord[]>;
  /** CPU history (percent of a core) from the cluster's Prometheus; absent where none is configured. */
  prometheusCpuHistory?(cluster: ClusterRecord, namespaces: string[], service: string): Promise<HistoryPoint[]>;
  /** Namespaces pulled when a cluster names none. */
  defaultNamespaces: string[];
  clock: Clock;
}
