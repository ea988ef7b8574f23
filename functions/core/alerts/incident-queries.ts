import { findCluster } from '../clusters/find.ts';
import type { ClusterStore } from '../clusters/cluster-record.ts';
import type { IncidentRecord } from './ports.ts';
import type { IncidentStatus } from './types.ts';

const ACTIVE: readonly IncidentStatus[] = ['open', 'acknowledged'];
const ALL: readonly IncidentStatus[] = ['open', 'acknowledged', 'resolved'];

export interface IncidentQueryPorts {
  incidents: { listByStatus(status: IncidentStatus, options: { limit: number }): Promise<{ items: IncidentRecord[] }> };
  clusters: Pick<ClusterStore, 'get' | 'getByName'>;
}

/**
 * Which incidents a person sees, the same for `GET /v1/incidents` and `/fleet status|incidents`:
 * newest activity first, at most 200 per status, optionally on one cluster (by id or name).
 */
export class IncidentQueries {
  private readonly ports: IncidentQueryPorts;

  constructor(ports: IncidentQueryPorts) {
    this.ports = ports;
  }

  async list(filter: { status?: IncidentStatus | 'active'; cluster?: string } = {}): Promise<IncidentRecord[]> {
    const statuses = filter.status === 'active' ? ACTIVE : filter.status ? [filter.status] : ALL;
    const pages = await Promise.all(statuses.map((status) => this.ports.incidents.listByStatus(status, { limit: 200 })));
    const items = pages.flatMap((p) => p.items).sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
    if (!filter.cluster) return items;
    const cluster = await findCluster(this.ports.clusters, filter.cluster);
    const names = new Set([filter.cluster, ...(cluster ? [cluster.id, cluster.name] : [])]);
    return items.filter((i) => names.has(i.cluster));
  }
}
