import { IsolationForest } from '../anomaly/isolation-forest.ts';
import { StandardScaler } from '../anomaly/scaler.ts';
import { scoreSeries, type StreamingDetectorOptions } from '../anomaly/streaming/detector.ts';
import { SIGNAL_NAMES, type GoldenSignals } from '../metrics/types.ts';
import { combineScores, type CombineOptions } from '../neural/combine.ts';
import type { AnomalySeverity } from './records.ts';

export interface ScoreInput {
  features: GoldenSignals;
  /** Earlier feature rows of the same series, oldest first, not including `features`. */
  history: GoldenSignals[];
  forest?: IsolationForest;
  /** The autoencoder's calibrated score for this row, when a model exists. */
  autoencoder?: number;
  /** Streaming score (0..1) that flags a signal on its own, before any model exists. */
  streamingThreshold?: number;
  /** Streaming detector settings (the pull's detection layers pass time-based warm-up and no refractory damping). */
  streaming?: StreamingDetectorOptions;
  /** Forest/autoencoder thresholds (default: the seed's). */
  combine?: CombineOptions;
}

export interface ScoreResult {
  status: 'anomaly' | 'normal';
  /** Forest score in sklearn's convention; without a model, mapped from the streaming score. */
  score: number;
  severity: AnomalySeverity;
  signals: Partial<Record<keyof GoldenSignals, number>>;
  reasons: string[];
}

/** Missing signals take the last known value of the series (or 0): a gap is not an anomaly. */
export function toRow(features: GoldenSignals, previous?: number[]): number[] {
  return SIGNAL_NAMES.map((name, i) => features[name] ?? previous?.[i] ?? 0);
}

export function toRows(history: GoldenSignals[]): number[][] {
  const rows: number[][] = [];
  for (const features of history) rows.push(toRow(features, rows.at(-1)));
  return rows;
}

/** Maps a streaming score in [0,1] onto the forest's scale, so one set of severity thresholds applies. */
function streamingToForestScale(score: number): number {
  return -0.4 - 0.5 * score;
}

/**
 * Scores one service at one pull. Three signals:
 * - the Isolation Forest over the five scaled features (the seed's thresholds),
 * - the autoencoder's reconstruction score, combined with the forest (functions/core/neural/combine.ts),
 * - a causal streaming detector per signal over the recent history (no model needed, so new services
 *   are covered from their first hours).
 */
export function scoreService(input: ScoreInput): ScoreResult {
  const rows = toRows([...input.history, input.features]);
  const current = rows[rows.length - 1];
  const signals: Partial<Record<keyof GoldenSignals, number>> = {};
  const reasons: string[] = [];
  SIGNAL_NAMES.forEach((name, j) => {
    if (input.features[name] === null) return;
    const series = Float64Array.from(rows, (r) => r[j]);
    const scores = scoreSeries(series, input.streaming);
    signals[name] = Number(scores[scores.length - 1].toFixed(4));
  });
  const streamingMax = Math.max(0, ...Object.values(signals));
  const threshold = input.streamingThreshold ?? 0.9;

  if (input.forest) {
    const scaled = input.forest.scaler ? input.forest.scaler.transformRow(current, new Float64Array(current.length)) : Float64Array.from(current);
    const forestScore = input.forest.scoreSamples({ data: scaled, rows: 1, cols: current.length })[0];
    const combined = combineScores(forestScore, input.autoencoder ?? 0, input.combine);
    const streamingAlarm = streamingMax >= threshold;
    if (combined.anomaly)
      reasons.push(`isolation forest score ${forestScore.toFixed(3)}${input.autoencoder !== undefined ? `, autoencoder ${input.autoencoder.toFixed(2)}` : ''}`);
    if (streamingAlarm) reasons.push(...streamingReasons(signals, threshold));
    const anomaly = combined.anomaly || streamingAlarm;
    const severity: AnomalySeverity = anomaly && combined.severity === 'low' ? 'medium' : combined.severity;
    return { status: anomaly ? 'anomaly' : 'normal', score: Number(forestScore.toFixed(4)), severity: anomaly ? severity : 'low', signals, reasons };
  }

  const score = streamingToForestScale(streamingMax);
  if (streamingMax < threshold)
    return { status: 'normal', score: Number(score.toFixed(4)), severity: 'low', signals, reasons: ['no model yet: streaming detectors only'] };
  const severity: AnomalySeverity = score < -0.8 ? 'critical' : score < -0.6 ? 'high' : 'medium';
  return { status: 'anomaly', score: Number(score.toFixed(4)), severity, signals, reasons: streamingReasons(signals, threshold) };
}

function streamingReasons(signals: Partial<Record<keyof GoldenSignals, number>>, threshold: number): string[] {
  return Object.entries(signals)
    .filter(([, v]) => (v ?? 0) >= threshold)
    .map(([name, v]) => `${name} is unusual for this service (streaming score ${v})`);
}

/** Fits the per-service forest with the seed's defaults on standard-scaled history rows. */
export function trainForest(
  rows: number[][],
  window: { from: string; to: string },
  options: { trees?: number; sample?: number; seed?: number } = {},
): IsolationForest {
  const cols = SIGNAL_NAMES.length;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => data.set(row, i * cols));
  const matrix = { data, rows: rows.length, cols };
  const forest = new IsolationForest({
    nEstimators: options.trees ?? 100,
    maxSamples: options.sample ?? 256,
    randomState: options.seed ?? 0,
    contamination: 0.1,
  });
  const scaler = new StandardScaler().fit(matrix);
  forest.scaler = scaler;
  forest.featureNames = [...SIGNAL_NAMES];
  forest.trainingWindow = { from: window.from, to: window.to, rows: rows.length };
  return forest.fit(scaler.transform(matrix));
}
