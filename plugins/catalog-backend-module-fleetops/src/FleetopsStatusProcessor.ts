import type { Entity } from '@backstage/catalog-model';
import type { CatalogProcessor } from '@backstage/plugin-catalog-node';
import type { FleetopsReader } from './client.ts';

export const STATUS_ANNOTATIONS = {
  health: 'fleetops.io/health',
  openIncidents: 'fleetops.io/open-incidents',
  lastRca: 'fleetops.io/last-rca',
  statusAt: 'fleetops.io/status-at',
} as const;

interface Snapshot {
  at: number;
  anomalies: { service: string; status: string; cluster: string }[];
  incidents: { id: string; service: string; services?: string[]; status: string; rcaId?: string; lastSeen: string }[];
}

/**
 * Annotates Components with their live fleetops status, as the seed's Argo CD processor labels them
 * with sync status: `fleetops.io/health` (healthy | anomalous | unknown), `fleetops.io/open-incidents`,
 * `fleetops.io/last-rca` and when that was read. One fleetops snapshot serves every entity for `maxAgeMs`.
 */
export class FleetopsStatusProcessor implements CatalogProcessor {
  #snapshot?: Promise<Snapshot>;
  private readonly reader: FleetopsReader;
  private readonly options: { maxAgeMs?: number; now?: () => number };

  constructor(reader: FleetopsReader, options: { maxAgeMs?: number; now?: () => number } = {}) {
    this.reader = reader;
    this.options = options;
  }

  getProcessorName(): string {
    return 'FleetopsStatusProcessor';
  }

  async preProcessEntity(entity: Entity): Promise<Entity> {
    if (entity.kind.toLowerCase() !== 'component') return entity;
    const service = entity.metadata.annotations?.['fleetops.io/service'] || entity.metadata.name;
    let snapshot: Snapshot;
    try {
      snapshot = await this.#current();
    } catch {
      // fleetops unreachable: leave the entity as it is rather than failing its processing.
      return entity;
    }
    const health = snapshot.anomalies.filter((a) => a.service === service);
    const incidents = snapshot.incidents.filter((i) => i.service === service || i.services?.includes(service));
    const open = incidents.filter((i) => i.status === 'open' || i.status === 'acknowledged');
    const lastRca = [...incidents].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen)).find((i) => i.rcaId)?.rcaId;
    return {
      ...entity,
      metadata: {
        ...entity.metadata,
        annotations: {
          ...entity.metadata.annotations,
          [STATUS_ANNOTATIONS.health]: health.length === 0 ? 'unknown' : health.some((h) => h.status === 'anomaly') ? 'anomalous' : 'healthy',
          [STATUS_ANNOTATIONS.openIncidents]: String(open.length),
          ...(lastRca ? { [STATUS_ANNOTATIONS.lastRca]: lastRca } : {}),
          [STATUS_ANNOTATIONS.statusAt]: new Date(snapshot.at).toISOString(),
        },
      },
    };
  }

  #current(): Promise<Snapshot> {
    const now = (this.options.now ?? Date.now)();
    const maxAge = this.options.maxAgeMs ?? 30_000;
    const cached = this.#snapshot;
    if (cached) {
      return cached.then((s) => (now - s.at < maxAge ? s : this.#load(now)));
    }
    return this.#load(now);
  }

  #load(now: number): Promise<Snapshot> {
    const snapshot = Promise.all([
      this.reader.get<{ items: Snapshot['anomalies'] }>('/v1/anomalies'),
      this.reader.get<{ items: Snapshot['incidents'] }>('/v1/incidents'),
    ]).then(([a, i]) => ({ at: now, anomalies: a.items, incidents: i.items }));
    snapshot.catch(() => {
      if (this.#snapshot === snapshot) this.#snapshot = undefined;
    });
    this.#snapshot = snapshot;
    return snapshot;
  }
}
