/**
 * Layer 4: the learned models (causal streaming detectors per signal, the per-service Isolation
 * Forest and the autoencoder; see core/pull/score.ts), once the service has `warmupMinutes` of history.
 *
 * The streaming detectors see the history resampled to one point per `stepMinutes` (the last sample
 * of each step), so a 10-second local schedule and the 5-minute AWS schedule give the same series,
 * the same warm-up and the same cost. NAB's refractory damping (one alarm per event) is off here:
 * the pull keeps state instead, and a service stays anomalous for as long as the condition lasts.
 */
import type { IsolationForest } from '../anomaly/isolation-forest.ts';
import type { GoldenSignals } from '../metrics/types.ts';
import { scoreService } from '../pull/score.ts';
import type { TimedSample } from './baseline.ts';
import type { LayerFinding } from './types.ts';

export interface LearnedOptions {
  /** History the service needs before the learned layer judges it. */
  warmupMinutes: number;
  /** Resampling step of the series the streaming detectors see. */
  stepMinutes: number;
  /** Streaming score (0..1) at or above which a signal alone flags. */
  streamingThreshold: number;
  /** Forest score below which the row is anomalous (the seed's −0.5 flags the daily rhythm's edges). */
  forestThreshold: number;
  /** Combined forest + autoencoder score (0..1) at or above which the row is anomalous. */
  combinedThreshold: number;
  /** Consecutive pulls the learned layer must flag before it counts (its alarms alone are noisier than the other layers'). */
  persistPulls: number;
}

export const DEFAULT_LEARNED_OPTIONS: LearnedOptions = {
  warmupMinutes: 24 * 60,
  stepMinutes: 5,
  streamingThreshold: 0.9,
  forestThreshold: -0.65,
  combinedThreshold: 0.8,
  persistPulls: 2,
};

export interface LearnedInput {
  at: string;
  features: GoldenSignals;
  history: readonly TimedSample[];
  forest?: IsolationForest;
  autoencoder?: number;
}

export interface LearnedFinding extends LayerFinding {
  /** Forest-scale score (sklearn convention), -0.5 while the layer is warming up. */
  score: number;
  /** Per-signal streaming scores. */
  streaming: Partial<Record<keyof GoldenSignals, number>>;
}

/** The last sample of each `stepMinutes` bucket, oldest first, excluding the bucket of `at`. */
export function resample(history: readonly TimedSample[], at: string, stepMinutes: number): GoldenSignals[] {
  const step = stepMinutes * 60_000;
  const current = Math.floor(Date.parse(at) / step);
  const buckets = new Map<number, GoldenSignals>();
  for (const s of history) {
    const b = Math.floor(Date.parse(s.at) / step);
    if (b < current) buckets.set(b, s.features);
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
}

export function historyMinutes(history: readonly TimedSample[], at: string): number {
  return history.length ? (Date.parse(at) - Date.parse(history[0].at)) / 60_000 : 0;
}

export function checkLearned(input: LearnedInput, options: LearnedOptions = DEFAULT_LEARNED_OPTIONS): LearnedFinding {
  const span = historyMinutes(input.history, input.at);
  if (span < options.warmupMinutes) {
    return {
      layer: 'learned',
      fired: false,
      reasons: [`learning: ${Math.floor(span)} of ${options.warmupMinutes} minutes of history`],
      signals: [],
      severity: 'low',
      score: -0.5,
      streaming: {},
    };
  }
  const series = resample(input.history, input.at, options.stepMinutes);
  const result = scoreService({
    features: input.features,
    history: series,
    forest: input.forest,
    autoencoder: input.autoencoder,
    streamingThreshold: options.streamingThreshold,
    combine: { forestThreshold: options.forestThreshold, combinedThreshold: options.combinedThreshold },
    streaming: { warmup: Math.ceil(options.warmupMinutes / options.stepMinutes) - 1, refractory: 0 },
  });
  const fired = result.status === 'anomaly';
  const signals = (Object.entries(result.signals) as [keyof GoldenSignals, number][]).filter(([, v]) => v >= options.streamingThreshold).map(([k]) => k);
  return {
    layer: 'learned',
    fired,
    reasons: fired ? result.reasons : [],
    signals,
    severity: fired ? result.severity : 'low',
    score: result.score,
    streaming: result.signals,
  };
}
