/**
 * After each cluster's pull: its health score from what the pull just read (the services' golden signals and
 * the nodes), stored per pull, and ClusterHealthDegraded fired or resolved on the bus like the pull's anomalies.
 * The event goes out before the item is written and its id names the pull: a retry that crashed in between
 * sends the same event again (the alert pipeline deduplicates), never loses it.
 */
import { EVENT_SOURCES } from '../platform/events.ts';
import type { EventPublisher } from '../platform/ports.ts';
import { clusterHealthInput, type NodeCapacity } from './cluster-input.ts';
import { nextDegradedState, type DegradedSettings } from './degraded.ts';
import { healthScore01 } from './health.ts';
import { CLUSTER_HEALTH_DETAIL_TYPE, type ClusterHealthDegradedDetail, type ClusterHealthRecord } from './health-record.ts';
import type { ClusterHealthStore } from './ports.ts';
import type { GoldenSignals } from '../metrics/types.ts';

export interface PulledCluster {
  cluster: { id: string; name: string; environment: string };
  pullId: string;
  /** The pull's planned time (the same on a retry). */
  at: string;
  series: readonly { namespace: string; service: string; features: GoldenSignals }[];
  nodes: readonly NodeCapacity[];
}

export class ClusterHealthRecorder {
  readonly #store: ClusterHealthStore;
  readonly #events: EventPublisher;
  readonly #settings: DegradedSettings;

  constructor(deps: { store: ClusterHealthStore; events: EventPublisher; settings: DegradedSettings }) {
    this.#store = deps.store;
    this.#events = deps.events;
    this.#settings = deps.settings;
  }

  async record(pulled: PulledCluster): Promise<ClusterHealthRecord & { transition: 'fire' | 'resolve' | null }> {
    const { cluster, pullId, at } = pulled;
    const rows = pulled.series.map((s) => ({ clusterId: cluster.id, namespace: s.namespace, service: s.service, at, features: s.features }));
    const input = clusterHealthInput(cluster, rows, pulled.nodes);
    const score = Math.round(healthScore01(input) * 10_000) / 10_000;
    const previous = await this.#store.previous(cluster.id, at);
    const { transition, ...state } = nextDegradedState(previous, { score, at }, this.#settings);
    const record: ClusterHealthRecord = { ...input, ...state, pullId, at, score };
    if (transition) await this.#events.publish([this.#event(record, transition === 'fire' ? 'firing' : 'resolved')]);
    await this.#store.put(record);
    return { ...record, transition };
  }

  #event(record: ClusterHealthRecord, status: 'firing' | 'resolved') {
    const detail: ClusterHealthDegradedDetail = {
      cluster: record.name,
      clusterId: record.clusterId,
      environment: record.environment,
      status,
      score: record.score,
      threshold: this.#settings.threshold,
      windowMinutes: this.#settings.windowMinutes,
      since: status === 'firing' ? (record.belowSince ?? record.at) : record.at,
      at: record.at,
    };
    return {
      id: `${record.clusterId}:${CLUSTER_HEALTH_DETAIL_TYPE}:${status}:${record.pullId}`,
      source: EVENT_SOURCES.metrics,
      detailType: CLUSTER_HEALTH_DETAIL_TYPE,
      detail,
    };
  }
}
