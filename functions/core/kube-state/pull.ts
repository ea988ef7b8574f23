import type { Severity } from '../platform/severity.ts';
/**
 * One kube-state pull of a batch of clusters: list pods, deployments and nodes once each, derive the
 * conditions, advance their lifecycle against the stored state, and publish `KubeStateChanged` for each
 * condition that fires or resolves. Events go out before the state is written: a crash in between
 * re-sends the same event ids on retry (the alert pipeline deduplicates), never loses one.
 */
import { EVENT_SOURCES } from '../platform/events.ts';
import type { BusEvent, Clock, EventPublisher } from '../platform/ports.ts';
import type { ClusterRecord } from '../clusters/cluster-record.ts';
import { detectConditions } from './conditions.ts';
import { advance, type KubeStateRecord, type TrackedCondition } from './tracker.ts';
import { DEFAULT_KUBE_STATE_CONFIG, type KubeStateConfig, type KubeStateSnapshot } from './types.ts';

export const KUBE_STATE_DETAIL_TYPE = 'KubeStateChanged';

export interface KubeStateStore {
  get(clusterId: string): Promise<KubeStateRecord | undefined>;
  /** Writes `next` only if the stored version is still `expectedVersion` (0 = none yet); false when another pull won. */
  put(next: KubeStateRecord, expectedVersion: number): Promise<boolean>;
}

export interface KubeStatePullDeps {
  clusters: { get(id: string): Promise<ClusterRecord | undefined> };
  /** One cluster-wide list per kind. */
  snapshot(record: ClusterRecord): Promise<KubeStateSnapshot>;
  store: KubeStateStore;
  events: EventPublisher;
  clock: Clock;
  defaultNamespaces: string[];
  config?: Partial<KubeStateConfig>;
}

export interface KubeStatePullResult {
  clusterId: string;
  conditions: number;
  fired: number;
  resolved: number;
  error?: string;
}

export interface KubeStateChangedDetail {
  cluster: string;
  clusterId: string;
  namespace: string;
  service: string;
  type: string;
  issueType: string;
  severity: Severity;
  status: 'firing' | 'resolved';
  reason: string;
  message: string;
  objects: string[];
  since: string;
  at: string;
}

export class KubeStatePull {
  readonly #deps: KubeStatePullDeps;
  readonly config: KubeStateConfig;

  constructor(deps: KubeStatePullDeps) {
    this.#deps = deps;
    this.config = { ...DEFAULT_KUBE_STATE_CONFIG, ...deps.config };
  }

  async pullBatch(batch: { pullId: string; clusterIds: string[] }): Promise<KubeStatePullResult[]> {
    return Promise.all(
      batch.clusterIds.map((clusterId) =>
        this.pullCluster(clusterId, batch.pullId).catch((error: unknown) => ({
          clusterId,
          conditions: 0,
          fired: 0,
          resolved: 0,
          error: error instanceof Error ? error.message : String(error),
        })),
      ),
    );
  }

  async pullCluster(clusterId: string, pullId: string): Promise<KubeStatePullResult> {
    const record = await this.#deps.clusters.get(clusterId);
    if (!record) return { clusterId, conditions: 0, fired: 0, resolved: 0, error: 'cluster no longer registered' };
    const previous = await this.#deps.store.get(clusterId);
    // A retried pull whose state is already stored has published its events too.
    if (previous?.pullId === pullId) return { clusterId, conditions: Object.keys(previous.active).length, fired: 0, resolved: 0 };
    const snapshot = await this.#deps.snapshot(record);
    const now = this.#deps.clock.now();
    const namespaces = record.namespaces?.length ? record.namespaces : this.#deps.defaultNamespaces;
    const { conditions, restarts } = detectConditions({ ...snapshot, namespaces, previousRestarts: previous?.restarts, now, config: this.config });
    const t = advance(previous, { clusterId, cluster: record.name, pullId, conditions, restarts }, now, this.config);
    const events = [
      ...t.firing.map((c) => this.#event(record, c, 'firing', pullId, now)),
      ...t.resolved.map((c) => this.#event(record, c, 'resolved', pullId, now)),
    ];
    for (let i = 0; i < events.length; i += 10) await this.#deps.events.publish(events.slice(i, i + 10));
    await this.#deps.store.put(t.next, previous?.version ?? 0);
    return { clusterId, conditions: conditions.length, fired: t.firing.length, resolved: t.resolved.length };
  }

  #event(record: ClusterRecord, c: TrackedCondition, status: 'firing' | 'resolved', pullId: string, now: Date): BusEvent<KubeStateChangedDetail> {
    return {
      id: `${record.id}:${c.key}:${status}:${pullId}`,
      source: EVENT_SOURCES.metrics,
      detailType: KUBE_STATE_DETAIL_TYPE,
      detail: {
        cluster: record.name,
        clusterId: record.id,
        namespace: c.namespace,
        service: c.service,
        type: c.type,
        issueType: c.issueType,
        severity: c.severity,
        status,
        reason: c.reason,
        message: c.message,
        objects: c.objects.slice(0, 20),
        since: c.since,
        at: now.toISOString(),
      },
    };
  }
}
