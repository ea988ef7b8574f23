/**
 * Layer 3: change against a short, robust baseline of the service's own recent samples, from the
 * third sample on. Baseline = median and MAD of the samples in the last `windowMinutes` before the
 * current condition began (frozen while a condition lasts, so a fault that persists does not become
 * its own baseline; after `maxFreezeMinutes` a lasting shift is accepted as the new normal).
 * A signal fires only upwards and only when all three hold: x ≥ ratio × median, x − median ≥ an
 * absolute floor, and x − median ≥ k × robust scale. The floor and ratio keep quiet, flat series
 * (MAD ≈ 0) from flagging tiny wiggles; the scale keeps noisy series from flagging their noise. And x
 * must pass the highest level the window reached (its `seenQuantile`) by the floor as well: a return
 * from a dip is recovery, not a rise.
 */
import type { GoldenSignals, SignalName } from '../metrics/types.ts';
import { fmt } from './peers.ts';
import { worst } from './guardrails.ts';
import type { LayerFinding, Severity } from './types.ts';

export interface BaselineRule {
  ratio: number;
  minExcess: number;
  k: number;
  /** Only with at least this much traffic now (request-based signals). */
  needsTraffic?: boolean;
}

export interface BaselineOptions {
  windowMinutes: number;
  /** Samples the baseline needs: 2 means the layer judges from the third sample on. */
  minSamples: number;
  maxFreezeMinutes: number;
  minRequestRate: number;
  /** A baseline of fewer samples than this is young: its ratios are multiplied by `youngRatioFactor`. */
  youngSamples: number;
  youngRatioFactor: number;
  /** A value at or below this quantile of the window has been seen recently: never a rise. */
  seenQuantile: number;
  rules: Partial<Record<SignalName, BaselineRule>>;
}

export const DEFAULT_BASELINE_OPTIONS: BaselineOptions = {
  windowMinutes: 60,
  minSamples: 2,
  maxFreezeMinutes: 120,
  minRequestRate: 1,
  // Two or three samples say little about a series' spread (and the first rate() values of a fresh
  // scrape run low): a young baseline asks for a larger jump.
  youngSamples: 6,
  youngRatioFactor: 1.5,
  seenQuantile: 0.9,
  rules: {
    error_rate: { ratio: 3, minExcess: 0.02, k: 4, needsTraffic: true },
    latency_p95: { ratio: 1.8, minExcess: 0.1, k: 4, needsTraffic: true },
    cpu_usage: { ratio: 2.5, minExcess: 0.1, k: 4 },
    memory_usage: { ratio: 1.5, minExcess: 128 * 1024 * 1024, k: 4 },
  },
};

export interface TimedSample {
  at: string;
  features: GoldenSignals;
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

/** The samples the baseline is built from: the window before `anchor` (now, or the start of the ongoing condition). */
export function baselineWindow(history: readonly TimedSample[], at: string, conditionSince: string | undefined, options: BaselineOptions): TimedSample[] {
  const now = Date.parse(at);
  const since = conditionSince ? Date.parse(conditionSince) : undefined;
  const frozen = since !== undefined && now - since < options.maxFreezeMinutes * 60_000;
  const anchor = frozen ? since : now;
  const from = anchor - options.windowMinutes * 60_000;
  return history.filter((s) => {
    const t = Date.parse(s.at);
    return t < anchor && t >= from;
  });
}

export function checkBaseline(features: GoldenSignals, window: readonly TimedSample[], options: BaselineOptions = DEFAULT_BASELINE_OPTIONS): LayerFinding {
  const finding: LayerFinding = { layer: 'baseline', fired: false, reasons: [], signals: [], severity: 'low' };
  if (window.length < options.minSamples) {
    return { ...finding, reasons: [`baseline needs ${options.minSamples} earlier samples, has ${window.length}`] };
  }
  const busy = features.request_rate !== null && features.request_rate >= options.minRequestRate;
  const severities: Severity[] = [];
  for (const [signal, rule] of Object.entries(options.rules) as [SignalName, BaselineRule][]) {
    const x = features[signal];
    if (x === null || (rule.needsTraffic && !busy)) continue;
    const values = window.map((s) => s.features[signal]).filter((v): v is number => v !== null && Number.isFinite(v));
    if (values.length < options.minSamples) continue;
    const sorted = values.sort((a, b) => a - b);
    const med = median(sorted);
    const mad = median(sorted.map((v) => Math.abs(v - med)).sort((a, b) => a - b));
    const scale = Math.max(1.4826 * mad, 1e-12);
    const excess = x - med;
    const ratioNeeded = values.length < options.youngSamples ? rule.ratio * options.youngRatioFactor : rule.ratio;
    if (excess < rule.minExcess || excess < rule.k * scale || x < ratioNeeded * med) continue;
    // Back at a level the window itself reached (a brief dip, e.g. one pod replaced, pulled the median
    // down) is recovery, not a rise. The way back may overshoot that level a little (memory drifts with
    // load), so a rise must pass it by the signal's absolute floor too.
    if (x - quantile(sorted, options.seenQuantile) < rule.minExcess) continue;
    const ratio = med > 0 ? x / med : Infinity;
    finding.reasons.push(
      `${signal} ${fmt(signal, x)} is ${Number.isFinite(ratio) ? `${ratio.toFixed(1)}×` : 'far above'} its recent median ${fmt(signal, med)} (${values.length} samples)`,
    );
    finding.signals.push(signal);
    severities.push(ratio >= 10 ? 'high' : 'medium');
  }
  return { ...finding, fired: finding.signals.length > 0, severity: worst(severities) };
}
