import pLimit from 'p-limit';
import { EVENT_SOURCES } from '../platform/events.ts';
import type { Clock, EventPublisher } from '../platform/ports.ts';
import { IsolationForest, type IsolationForestJSON } from '../anomaly/isolation-forest.ts';
import type { ClusterRecord } from '../clusters/cluster-record.ts';
import { detect, DEFAULT_DETECTION_CONFIG, resolveGuardrails, type DetectionConfig, type DetectionResult } from '../detection/index.ts';
import { historyMinutes } from '../detection/learned.ts';
import { SIGNAL_NAMES, type MetricSource, type ServiceSignals } from '../metrics/types.ts';
import { loadAutoencoder, type AutoencoderArtefact, type AutoencoderScorer } from '../neural/autoencoder.ts';
import type { AnomalyRecord, MetricsStore, SampleRecord } from './records.ts';
import { toRows } from './score.ts';
import { trainAndStoreForest } from './training.ts';

export interface PullConfig {
  /** History the streaming detectors and inline training look at. */
  historyHours: number;
  /** Rows needed before a forest is trained inline (besides the learned layer's warm-up in minutes). */
  minTrainingRows: number;
  /** A forest older than this is retrained inline on the next pull. */
  retrainHours: number;
  /** Clusters pulled at once inside one batch. */
  concurrency: number;
  defaultNamespaces: string[];
  /** Layered detection: K quiet pulls to resolve, layer thresholds, learned warm-up in minutes. */
  detection: DetectionConfig;
}

export const DEFAULT_PULL_CONFIG: PullConfig = {
  historyHours: 24,
  minTrainingRows: 120,
  retrainHours: 6,
  concurrency: 4,
  defaultNamespaces: ['default'],
  detection: DEFAULT_DETECTION_CONFIG,
};

export interface MetricPullOverrides extends Partial<Omit<PullConfig, 'detection'>> {
  detection?: Partial<DetectionConfig>;
}

export interface MetricPullDeps {
  clusters: { get(id: string): Promise<ClusterRecord | undefined> };
  /** Prometheus when the cluster has one configured, metrics.k8s.io otherwise. */
  sourceFor(record: ClusterRecord): Promise<MetricSource>;
  store: MetricsStore;
  events: EventPublisher;
  clock: Clock;
  config?: MetricPullOverrides;
}

export interface ClusterPullResult {
  clusterId: string;
  cluster?: string;
  services: number;
  anomalies: number;
  source?: ServiceSignals['source'];
  error?: string;
  /** What the pull read, for the cluster's health score after the pull (not part of the workflow's output). */
  environment?: string;
  series?: Pick<SampleRecord, 'namespace' | 'service' | 'features'>[];
}

/**
 * One pull of one batch of clusters: golden signals → samples → layered detection (core/detection)
 * → anomaly records, `AnomalyDetected` when a condition starts or worsens and `AnomalyResolved`
 * once it has been gone for K pulls. Retries of the same pull write the same records (keyed by
 * pullId, state read from the record before it) and may re-publish an event, which the alert
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
    this.config = { ...DEFAULT_PULL_CONFIG, ...deps.config, detection: { ...DEFAULT_DETECTION_CONFIG, ...deps.config?.detection } };
  }

  async pullBatch(batch: { pullId: string; at: string; clusterIds: string[] }): Promise<ClusterPullResult[]> {
    const limit = pLimit(this.config.concurrency);
    const results: ClusterPullResult[] = await Promise.all(
      batch.clusterIds.map((clusterId) =>
        limit(() =>
          this.pullCluster(clusterId, batch.pullId, batch.at).catch((error: unknown) => ({ clusterId, services: 0, anomalies: 0, error: messageOf(error) })),
        ),
      ),
    );
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
    const samples: SampleRecord[] = signals.map((s) => ({
      clusterId,
      cluster: record.name,
      namespace: s.namespace,
      service: s.service,
      at: s.at,
      features: s.features,
    }));
    await this.deps.store.putSamples(samples);
    await this.deps.store.putLatest(samples);
    const scored: { signal: ServiceSignals; anomaly: AnomalyRecord; result: DetectionResult }[] = [];
    for (const signal of signals) scored.push({ signal, ...(await this.scoreOne(record, signal, pullId, now)) });
    // Each alert names the other services anomalous in this pull: a caller's symptom then waits briefly for its
    // failing callee's incident instead of opening its own (the events are delivered in any order).
    const anomalous = scored.filter((s) => s.anomaly.status === 'anomaly');
    for (const { signal, anomaly, result } of scored) {
      const related = anomalous.filter((s) => s.signal.namespace === signal.namespace && s.signal.service !== signal.service).map((s) => s.signal.service);
      await this.publishTransition(record, signal, pullId, result, related);
      await this.deps.store.putAnomaly(anomaly);
    }
    const anomalies = anomalous.length;
    const series = samples.map(({ namespace, service, features }) => ({ namespace, service, features }));
    return { clusterId, cluster: record.name, services: signals.length, anomalies, source: signals[0]?.source, environment: record.environment, series };
  }

  private async scoreOne(
    cluster: ClusterRecord,
    signal: ServiceSignals,
    pullId: string,
    now: Date,
  ): Promise<{ anomaly: AnomalyRecord; result: DetectionResult }> {
    const { store } = this.deps;
    const detection = this.config.detection;
    const since = new Date(now.getTime() - this.config.historyHours * 3600_000);
    const history = (await store.samples(cluster.id, signal.namespace, signal.service, since)).filter((s) => s.at < signal.at);
    const learnedReady = historyMinutes(history, signal.at) >= detection.learned.warmupMinutes;
    const forest = learnedReady
      ? await this.forestFor(
          cluster,
          signal,
          history.map((h) => h.features),
          history,
          now,
        )
      : undefined;
    const autoencoder = learnedReady
      ? await this.autoencoderScore(
          cluster,
          signal,
          history.map((h) => h.features),
        )
      : undefined;
    const peerSince = new Date(Date.parse(signal.at) - detection.peerFreshnessMinutes * 60_000);
    const peers = (await store.latestAcrossClusters(signal.namespace, signal.service, peerSince)).filter((p) => p.clusterId !== cluster.id);
    const previous = await store.previousAnomaly(cluster.id, signal.namespace, signal.service, `${signal.at}#${pullId}`);
    const result = detect({
      at: signal.at,
      features: signal.features,
      history,
      peers: peers.map((p) => ({ clusterId: p.clusterId, cluster: p.cluster, at: p.at, features: p.features })),
      guardrails: resolveGuardrails(cluster.guardrails, signal.namespace, signal.service),
      previous: previous?.condition,
      forest: forest?.forest,
      autoencoder,
      config: detection,
    });
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
      signals: result.streaming,
      ...(autoencoder !== undefined ? { autoencoder: Number(autoencoder.toFixed(4)) } : {}),
      model: forest ? { kind: 'iforest', version: forest.version } : null,
      reasons: result.reasons,
      ...(result.layer ? { layer: result.layer } : {}),
      layers: result.layers,
      condition: result.state,
    };
    return { anomaly, result };
  }

  /** `AnomalyDetected` when a condition starts or worsens, `AnomalyResolved` when it has been gone for K pulls. */
  private async publishTransition(cluster: ClusterRecord, signal: ServiceSignals, pullId: string, result: DetectionResult, related: string[]): Promise<void> {
    const series = { cluster: cluster.name, namespace: signal.namespace, service: signal.service };
    const id = `${cluster.id}:${signal.namespace}:${signal.service}:${pullId}`;
    if (result.transition === 'started' || result.transition === 'worsened') {
      await this.deps.events.publish([
        {
          id,
          source: EVENT_SOURCES.metrics,
          detailType: 'AnomalyDetected',
          detail: {
            ...series,
            score: result.score,
            severity: result.severity,
            features: Object.fromEntries(SIGNAL_NAMES.filter((n) => signal.features[n] !== null).map((n) => [n, signal.features[n] as number])),
            at: signal.at,
            ...(result.layer ? { layer: result.layer } : {}),
            reasons: result.reasons.slice(0, 5),
            ...(result.state.since ? { since: result.state.since } : {}),
            ...(related.length ? { alsoAnomalous: related.slice(0, 50) } : {}),
          },
        },
      ]);
    } else if (result.transition === 'resolved') {
      await this.deps.events.publish([
        { id: `${id}:resolved`, source: EVENT_SOURCES.metrics, detailType: 'AnomalyResolved', detail: { ...series, at: signal.at } },
      ]);
    }
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
