import { EVENT_SOURCES } from '../../definitions/events.ts';
import type { Clock, EventPublisher } from '../../ports.ts';
import { IsolationForest, type IsolationForestJSON } from '../anomaly/isolation-forest.ts';
import type { ClusterRecord } from '../clusters/cluster-record.ts';
import { SIGNAL_NAMES, type MetricSource, type ServiceSignals } from '../metrics/types.ts';
import { loadAutoencoder, type AutoencoderArtefact, type AutoencoderScorer } from '../neural/autoencoder.ts';
import type { AnomalyRecord, MetricsStore } from './records.ts';
import { scoreService, toRows } from './score.ts';
import { trainAndStoreForest } from './training.ts';

export interface PullConfig {
  /** History the streaming detectors and inline training look at. */
  historyHours: number;
  /** Rows needed before a forest is trained inline. */
  minTrainingRows: number;
  /** A forest older than this is retrained inline on the next pull. */
  retrainHours: number;
  /** Clusters pulled at once inside one batch. */
  concurrency: number;
  defaultNamespaces: string[];
}

export const DEFAULT_PULL_CONFIG: PullConfig = {
  historyHours: 24,
  minTrainingRows: 120,
  retrainHours: 6,
  concurrency: 4,
  defaultNamespaces: ['default'],
};

export interface MetricPullDeps {
  clusters: { get(id: string): Promise<ClusterRecord | undefined> };
  /** Prometheus when the cluster has one configured, metrics.k8s.io otherwise. */
  sourceFor(record: ClusterRecord): Promise<MetricSource>;
  store: MetricsStore;
  events: EventPublisher;
  clock: Clock;
  config?: Partial<PullConfig>;
}

export interface ClusterPullResult {
  clusterId: string;
  cluster?: string;
  services: number;
  anomalies: number;
  source?: ServiceSignals['source'];
  error?: string;
}

const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

/**
 * One pull of one batch of clusters: golden signals → samples → score → anomaly records, and an
 * `AnomalyDetected` event when a series turns anomalous (or its severity rises). Retries of the
 * same pull write the same records (keyed by pullId) and may re-publish an event, which the alert
 * pipeline deduplicates: at-least-once, never lost.
 */
export class MetricPull {
  private readonly deps: MetricPullDeps;
  private readonly config: PullConfig;
  /** Warm-Lambda cache of deserialised forests, keyed by series and model version. */
  private readonly forests = new Map<string, { version: string; forest: IsolationForest }>();
  private readonly autoencoders = new Map<string, { version: string; scorer: AutoencoderScorer }>();

  constructor(deps: MetricPullDeps) {
    this.deps = deps;
    this.config = { ...DEFAULT_PULL_CONFIG, ...deps.config };
  }

  async pullBatch(batch: { pullId: string; at: string; clusterIds: string[] }): Promise<ClusterPullResult[]> {
    const results: ClusterPullResult[] = [];
    let next = 0;
    const worker = async () => {
      while (next < batch.clusterIds.length) {
        const clusterId = batch.clusterIds[next++];
        results.push(await this.pullCluster(clusterId, batch.pullId, batch.at).catch((error: unknown) => ({ clusterId, services: 0, anomalies: 0, error: messageOf(error) })));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.config.concurrency, batch.clusterIds.length) }, worker));
    return results.sort((a, b) => a.clusterId.localeCompare(b.clusterId));
  }

  /**
   * `at` is the pull's planned time, not the clock: a retried pull writes the very same samples and
   * records (same keys), so retries never duplicate history.
   */
  async pullCluster(clusterId: string, pullId: string, at: string): Promise<ClusterPullResult> {
    const record = await this.deps.clusters.get(clusterId);
    if (!record) return { clusterId, services: 0, anomalies: 0, error: 'cluster no longer registered' };
    const source = await this.deps.sourceFor(record);
    const namespaces = record.namespaces?.length ? record.namespaces : this.config.defaultNamespaces;
    const signals = (await Promise.all(namespaces.map((namespace) => source.currentSignals({ namespace })))).flat().map((s) => ({ ...s, at }));
    const now = this.deps.clock.now();
    await this.deps.store.putSamples(
      signals.map((s) => ({ clusterId, cluster: record.name, namespace: s.namespace, service: s.service, at: s.at, features: s.features })),
    );
    let anomalies = 0;
    for (const signal of signals) {
      const scored = await this.scoreOne(record, signal, pullId, now);
      if (scored.status === 'anomaly') anomalies++;
    }
    return { clusterId, cluster: record.name, services: signals.length, anomalies, source: signals[0]?.source };
  }

  private async scoreOne(cluster: ClusterRecord, signal: ServiceSignals, pullId: string, now: Date): Promise<AnomalyRecord> {
    const { store } = this.deps;
    const since = new Date(now.getTime() - this.config.historyHours * 3600_000);
    const history = (await store.samples(cluster.id, signal.namespace, signal.service, since)).filter((s) => s.at < signal.at);
    const forest = await this.forestFor(cluster, signal, history.map((h) => h.features), history, now);
    const autoencoder = await this.autoencoderScore(cluster, signal, history.map((h) => h.features));
    const result = scoreService({ features: signal.features, history: history.map((h) => h.features), forest: forest?.forest, autoencoder });
    const anomaly: AnomalyRecord = {
      cluster: cluster.name,
      clusterId: cluster.id,
      namespace: signal.namespace,
      service: signal.service,
      status: result.status,
      score: result.score,
      severity: result.severity,
      features: signal.features,
      at: signal.at,
      pullId,
      signals: result.signals,
      ...(autoencoder !== undefined ? { autoencoder: Number(autoencoder.toFixed(4)) } : {}),
      model: forest ? { kind: 'iforest', version: forest.version } : null,
      reasons: result.reasons,
    };
    if (anomaly.status === 'anomaly') {
      const previous = await store.previousAnomaly(cluster.id, signal.namespace, signal.service, `${signal.at}#${pullId}`);
      const rising = !previous || previous.status !== 'anomaly' || SEVERITY_RANK[anomaly.severity] > SEVERITY_RANK[previous.severity];
      if (rising) {
        await this.deps.events.publish([
          {
            id: `${cluster.id}:${signal.namespace}:${signal.service}:${pullId}`,
            source: EVENT_SOURCES.metrics,
            detailType: 'AnomalyDetected',
            detail: {
              cluster: cluster.name,
              namespace: signal.namespace,
              service: signal.service,
              score: anomaly.score,
              severity: anomaly.severity,
              features: Object.fromEntries(SIGNAL_NAMES.filter((n) => signal.features[n] !== null).map((n) => [n, signal.features[n] as number])),
              at: anomaly.at,
            },
          },
        ]);
      }
    }
    await store.putAnomaly(anomaly);
    return anomaly;
  }

  /** The autoencoder's calibrated score for the current row, when the training schedule has produced one. */
  private async autoencoderScore(cluster: ClusterRecord, signal: ServiceSignals, history: ServiceSignals['features'][]): Promise<number | undefined> {
    const stored = await this.deps.store.latestModel(cluster.id, signal.namespace, signal.service, 'autoencoder');
    if (!stored) return undefined;
    const key = `${cluster.id}#${signal.namespace}#${signal.service}`;
    let cached = this.autoencoders.get(key);
    if (cached?.version !== stored.version) {
      cached?.scorer.dispose();
      cached = { version: stored.version, scorer: await loadAutoencoder(stored.artefact as AutoencoderArtefact) };
      this.autoencoders.set(key, cached);
    }
    const rows = toRows([...history.slice(-1), signal.features]);
    return cached.scorer.score([rows[rows.length - 1]])[0];
  }

  /** The latest stored forest; trained inline (fast: milliseconds) when missing or stale and enough history exists. */
  private async forestFor(
    cluster: ClusterRecord,
    signal: ServiceSignals,
    history: ServiceSignals['features'][],
    samples: { at: string }[],
    now: Date,
  ): Promise<{ version: string; forest: IsolationForest } | undefined> {
    const key = `${cluster.id}#${signal.namespace}#${signal.service}`;
    const stored = await this.deps.store.latestModel(cluster.id, signal.namespace, signal.service, 'iforest');
    const fresh = stored && now.getTime() - Date.parse(stored.trainedAt) < this.config.retrainHours * 3600_000;
    if (stored && (fresh || history.length < this.config.minTrainingRows)) {
      const cached = this.forests.get(key);
      if (cached?.version === stored.version) return cached;
      const loaded = { version: stored.version, forest: IsolationForest.fromJSON(stored.artefact as IsolationForestJSON) };
      this.forests.set(key, loaded);
      return loaded;
    }
    if (history.length < this.config.minTrainingRows) return undefined;
    const window = { from: samples[0].at, to: samples[samples.length - 1].at };
    const version = now.toISOString();
    const series = { clusterId: cluster.id, namespace: signal.namespace, service: signal.service };
    const forest = await trainAndStoreForest(this.deps.store, series, toRows(history), window, version);
    const built = { version, forest };
    this.forests.set(key, built);
    return built;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
