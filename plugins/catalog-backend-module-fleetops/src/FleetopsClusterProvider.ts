import { ANNOTATION_LOCATION, ANNOTATION_ORIGIN_LOCATION, type Entity } from '@backstage/catalog-model';
import type { EntityProvider, EntityProviderConnection } from '@backstage/plugin-catalog-node';
import type { FleetopsReader } from './client.ts';

interface FleetopsCluster {
  id: string;
  name: string;
  environment: string;
  labels?: Record<string, string>;
  status?: string;
}

const REGION_LABELS = ['region', 'topology.kubernetes.io/region', 'fleetops.io/region'];

/** prod-like environments are in production; everything else is experimental. */
export function lifecycleOf(environment: string): string {
  return /^prod(uction)?$/i.test(environment) || /(^|-)prod$/i.test(environment) ? 'production' : 'experimental';
}

/**
 * Imports fleetops' clusters as `Resource` entities of type `kubernetes-cluster` (owner, environment,
 * region, lifecycle), with a full mutation on every refresh so that a cluster deleted in fleetops
 * leaves the catalog on the next run.
 */
export class FleetopsClusterProvider implements EntityProvider {
  #connection?: EntityProviderConnection;
  private readonly reader: FleetopsReader;
  private readonly options: { name?: string; locationKey?: string; defaultOwner?: string };

  constructor(reader: FleetopsReader, options: { name?: string; locationKey?: string; defaultOwner?: string } = {}) {
    this.reader = reader;
    this.options = options;
  }

  getProviderName(): string {
    return this.options.name ?? 'fleetops-clusters';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.#connection = connection;
  }

  /** One refresh: read fleetops, replace everything this provider owns. Returns the entities it applied. */
  async refresh(): Promise<Entity[]> {
    if (!this.#connection) throw new Error(`${this.getProviderName()} is not connected to the catalog yet`);
    const [{ items: clusters }, shaped] = await Promise.all([
      this.reader.get<{ items: FleetopsCluster[] }>('/v1/clusters'),
      this.reader.get<{ items?: Entity[] } | Entity[]>('/v1/catalog/backstage/clusters').catch(() => [] as Entity[]),
    ]);
    const byName = new Map((Array.isArray(shaped) ? shaped : (shaped.items ?? [])).map((e) => [e.metadata.name, e]));
    const locationKey = this.options.locationKey ?? `fleetops-provider:${this.getProviderName()}`;
    const entities = clusters.map((cluster) => this.#entity(cluster, byName.get(cluster.name), locationKey));
    await this.#connection.applyMutation({ type: 'full', entities: entities.map((entity) => ({ entity, locationKey })) });
    return entities;
  }

  #entity(cluster: FleetopsCluster, shaped: Entity | undefined, locationKey: string): Entity {
    const labels = cluster.labels ?? {};
    const region = REGION_LABELS.map((k) => labels[k]).find(Boolean);
    const owner =
      (shaped?.spec?.owner as string | undefined) ??
      (labels.owner || labels.team ? `group:default/${labels.owner || labels.team}` : (this.options.defaultOwner ?? 'group:default/platform'));
    const location = `url:${locationKey}`;
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: cluster.name,
        namespace: 'default',
        title: shaped?.metadata.title ?? `${cluster.name} (${cluster.environment})`,
        description: shaped?.metadata.description ?? `Kubernetes cluster registered in fleetops`,
        labels: { ...(shaped?.metadata.labels ?? {}), 'fleetops.io/environment': cluster.environment, ...(region ? { 'fleetops.io/region': region } : {}) },
        annotations: {
          ...(shaped?.metadata.annotations ?? {}),
          'fleetops.io/cluster-id': cluster.id,
          'fleetops.io/environment': cluster.environment,
          ...(region ? { 'fleetops.io/region': region } : {}),
          ...(cluster.status ? { 'fleetops.io/status': cluster.status } : {}),
          [ANNOTATION_LOCATION]: location,
          [ANNOTATION_ORIGIN_LOCATION]: location,
        },
        tags: ['kubernetes', 'fleetops'],
      },
      spec: {
        type: 'kubernetes-cluster',
        owner,
        lifecycle: lifecycleOf(cluster.environment),
        environment: cluster.environment,
        ...(region ? { region } : {}),
      },
    };
  }
}
