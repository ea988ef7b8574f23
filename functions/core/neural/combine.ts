/**
 * Combines the isolation forest's score (scikit-learn `score_samples` convention: negative, lower =
 * more abnormal, typically −0.35 … −0.45 for normal rows) with the autoencoder's calibrated score.
 *
 *   forest01 = clamp01(0.5 + (−forestScore − 0.5) / 0.6)   (−0.2 → 0, −0.5 → 0.5, −0.8 → 1)
 *   combined = 0.6 · forest01 + 0.4 · autoencoder01
 *   anomaly  = forestScore < −0.5  (the seed's rule, unchanged)  or  combined ≥ 0.65
 *   severity = the seed's thresholds on the forest score: < −0.8 critical, < −0.6 high,
 *              < −0.4 medium, else low; raised to at least medium when only the combined score
 *              makes the row an anomaly (so an anomaly is never "low").
 * With a fully confident autoencoder (1.0) the combined rule fires from a forest score of about
 * −0.45: the autoencoder promotes borderline forest scores, it does not alert alone.
 */
import { scoreToSeverity, SEVERITY_DEFAULTS } from '../anomaly/isolation-forest.ts';
import type { Severity } from '../anomaly/isolation-forest.ts';

export interface CombineOptions {
  /** Weight of the forest in the combined score. Default 0.6. */
  forestWeight?: number;
  /** combined ≥ this → anomaly. Default 0.65. */
  combinedThreshold?: number;
  /** Forest score below this → anomaly regardless. Default −0.5. */
  forestThreshold?: number;
}

export interface CombinedScore {
  /** 0..1, higher = more abnormal. */
  score: number;
  forest01: number;
  autoencoder01: number;
  anomaly: boolean;
  severity: Severity;
}

export const COMBINE_DEFAULTS = { forestWeight: 0.6, combinedThreshold: 0.65, forestThreshold: SEVERITY_DEFAULTS.threshold } as const;

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

export function forestTo01(forestScore: number): number {
  if (Number.isNaN(forestScore)) return 0;
  return clamp01(0.5 + (-forestScore - 0.5) / 0.6);
}

export function combineScores(forestScore: number, autoencoderScore01: number, options: CombineOptions = {}): CombinedScore {
  const o = { ...COMBINE_DEFAULTS, ...options };
  const forest01 = forestTo01(forestScore);
  const ae = Number.isNaN(autoencoderScore01) ? 0 : clamp01(autoencoderScore01);
  const score = o.forestWeight * forest01 + (1 - o.forestWeight) * ae;
  const seed = scoreToSeverity(forestScore, { threshold: o.forestThreshold });
  const anomaly = seed.anomaly || score >= o.combinedThreshold;
  const severity: Severity = anomaly && seed.severity === 'low' ? 'medium' : seed.severity;
  return { score: Math.round(score * 1e4) / 1e4, forest01, autoencoder01: ae, anomaly, severity };
}
