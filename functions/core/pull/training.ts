import type { Clock } from '../platform/ports.ts';
import { SIGNAL_NAMES } from '../metrics/types.ts';
import type { IsolationForest } from '../anomaly/isolation-forest.ts';
import { trainAutoencoder } from '../neural/autoencoder.ts';
import type { MetricsStore } from './records.ts';
import { toRows, trainForest } from './score.ts';

export interface TrainingConfig {
  /** Days of samples a model is trained on. */
  windowDays: number;
  minRows: number;
}

export const DEFAULT_TRAINING_CONFIG: TrainingConfig = { windowDays: 3, minRows: 120 };

export interface SeriesRef {
  clusterId: string;
  namespace: string;
  service: string;
}

/**
 * Scheduled training: for each series, a fresh Isolation Forest and a tfjs autoencoder on the last
 * days of samples, stored as new versions with their window and training metrics. The pull keeps
 * scoring with the previous version until the new one is written (one transaction per model).
 */
export class ModelTrainer {
  private readonly store: MetricsStore;
  private readonly clock: Clock;
  private readonly config: TrainingConfig;

  constructor(options: { store: MetricsStore; clock: Clock; config?: Partial<TrainingConfig> }) {
    this.store = options.store;
    this.clock = options.clock;
    this.config = { ...DEFAULT_TRAINING_CONFIG, ...options.config };
  }

  async trainSeries(series: SeriesRef): Promise<{ trained: string[]; rows: number }> {
    const now = this.clock.now();
    const samples = await this.store.samples(series.clusterId, series.namespace, series.service, new Date(now.getTime() - this.config.windowDays * 86_400_000));
    if (samples.length < this.config.minRows) return { trained: [], rows: samples.length };
    const rows = toRows(samples.map((s) => s.features));
    const window = { from: samples[0].at, to: samples[samples.length - 1].at };
    const version = now.toISOString();
    await trainAndStoreForest(this.store, series, rows, window, version);
    const autoencoder = await trainAutoencoder(rows, { trainingWindow: window, maxTrainingMs: 4000 });
    await this.store.putModel({
      ...series,
      kind: 'autoencoder',
      version,
      trainedAt: version,
      window: { ...window, rows: rows.length },
      metrics: { ...autoencoder.errorQuantiles, finalLoss: autoencoder.training.finalLoss, epochs: autoencoder.training.epochs },
      artefact: autoencoder,
    });
    return { trained: ['iforest', 'autoencoder'], rows: rows.length };
  }
}

/** Fits a forest on the rows and stores it as a new version with its window and training scores. */
export async function trainAndStoreForest(
  store: MetricsStore,
  series: SeriesRef,
  rows: number[][],
  window: { from: string; to: string },
  version: string,
): Promise<IsolationForest> {
  const forest = trainForest(rows, window);
  const training = forest.scoreSamples(forest.scaler!.transform({ data: Float64Array.from(rows.flat()), rows: rows.length, cols: SIGNAL_NAMES.length }));
  await store.putModel({
    ...series,
    kind: 'iforest',
    version,
    trainedAt: version,
    window: { ...window, rows: rows.length },
    metrics: { meanTrainingScore: average(training), minTrainingScore: Math.min(...training) },
    artefact: forest.toJSON(),
  });
  return forest;
}

function average(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : 0;
}
