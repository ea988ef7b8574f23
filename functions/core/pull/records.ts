import type { ConditionState, DetectionLayer } from '../detection/types.ts';
import type { GoldenSignals } from '../metrics/types.ts';

import type { Severity as AnomalySeverity } from '../platform/severity.ts';

export type { AnomalySeverity };

/** One scoring of one service at one pull: the contract's anomaly item plus what produced it. */
export interface AnomalyRecord {
  cluster: string;
  clusterId: string;
  namespace: string;
  service: string;
  status: 'anomaly' | 'normal';
  /** Isolation Forest score (sklearn convention, lower = more abnormal); -0.5 neutral while the model warms up. */
  score: number;
  severity: AnomalySeverity;
  features: GoldenSignals;
  at: string;
  pullId: string;
  /** Per-signal streaming scores in [0,1] and the model that scored the row. */
  signals?: Partial<Record<keyof GoldenSignals, number>>;
  autoencoder?: number;
  model?: { kind: string; version: string } | null;
  reasons?: string[];
  /** The first detection layer that fired at this pull (guardrail, peers, baseline, learned); absent when none did. */
  layer?: DetectionLayer;
  /** Every layer that fired at this pull. */
  layers?: DetectionLayer[];
  /** The ongoing condition, carried from pull to pull (see core/detection/detect.ts). */
  condition?: ConditionState;
}

/** A raw golden-signal sample kept for training windows and forecasts. */
export interface SampleRecord {
  clusterId: string;
  cluster: string;
  namespace: string;
  service: string;
  at: string;
  features: GoldenSignals;
}

/** A versioned model artefact with the window and metrics it was built from. */
export interface ModelRecord {
  clusterId: string;
  namespace: string;
  service: string;
  kind: 'iforest' | 'autoencoder';
  version: string;
  trainedAt: string;
  window: { from: string; to: string; rows: number };
  metrics: Record<string, number>;
  artefact: unknown;
}

export interface MetricsStore {
  putSamples(samples: SampleRecord[]): Promise<void>;
  /** Keeps each series' newest sample where the other clusters can read it (fleet peers); never replaces a newer one. */
  putLatest(samples: SampleRecord[]): Promise<void>;
  /** The newest sample of this namespace/service on every cluster that reported one since `since`. */
  latestAcrossClusters(namespace: string, service: string, since: Date): Promise<SampleRecord[]>;
  samples(clusterId: string, namespace: string, service: string, since: Date): Promise<SampleRecord[]>;
  /** Idempotent per (series, pullId): a retried pull writes the same item. Returns true when the record is new. */
  putAnomaly(record: AnomalyRecord): Promise<boolean>;
  /** The latest record per series before this one (to emit only on transitions). */
  previousAnomaly(clusterId: string, namespace: string, service: string, before: string): Promise<AnomalyRecord | undefined>;
  /** Newest first, from each given cluster's partition; reads are bounded, so a quiet filter cannot scan the table. */
  listAnomalies(filter: { clusterIds: string[]; service?: string; status?: 'anomaly' | 'normal'; limit?: number }): Promise<AnomalyRecord[]>;
  /** Every series of a cluster scored since `since`, read page by page to the end (no cap). */
  seriesSince(clusterId: string, since: Date): Promise<SeriesRef[]>;
  putModel(model: ModelRecord): Promise<void>;
  latestModel(clusterId: string, namespace: string, service: string, kind: ModelRecord['kind']): Promise<ModelRecord | undefined>;
}

export interface SeriesRef {
  clusterId: string;
  namespace: string;
  service: string;
}
