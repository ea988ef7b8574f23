/**
 * Per-cluster health score:
 *
 *   health = readyNodes / totalNodes × (1 − cpuUtilisation) × (1 − memoryUtilisation)
 *
 * Utilisations are fractions (0..1) of allocatable capacity (sum of node usage over sum of node
 * allocatable), each headroom clamped to [0, 1]; a cluster without nodes scores 0. An unknown
 * utilisation (null: no metrics) leaves its factor at 1 so missing data does not read as "full";
 * the overview says so in `reasons`. The 0..100 form is the same number × 100, rounded to 0.1.
 *
 * The product is deliberately strict: 50 % CPU and 50 % memory already give 25/100. Compare scores
 * across clusters and over time rather than against an absolute "healthy" bar.
 */

export interface HealthFactors {
  readyNodes: number;
  totalNodes: number;
  /** Fraction 0..1 (values outside are clamped); null = unknown. */
  cpuUtilisation: number | null;
  memoryUtilisation: number | null;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** 1 − utilisation, clamped to [0, 1]; 1 for an unknown utilisation. */
export function headroom(utilisation: number | null): number {
  if (utilisation === null || !Number.isFinite(utilisation)) return 1;
  return clamp01(1 - utilisation);
}

/** readyNodes / totalNodes clamped to [0, 1]; 0 without nodes. */
export function readyFraction(readyNodes: number, totalNodes: number): number {
  if (!(totalNodes > 0) || !Number.isFinite(readyNodes)) return 0;
  return clamp01(readyNodes / totalNodes);
}

/** Health in [0, 1]. */
export function healthScore01(f: HealthFactors): number {
  return readyFraction(f.readyNodes, f.totalNodes) * headroom(f.cpuUtilisation) * headroom(f.memoryUtilisation);
}

/** Health in [0, 100], one decimal. */
export function healthScore100(f: HealthFactors): number {
  return Math.round(healthScore01(f) * 1000) / 10;
}
