/**
 * NAB v1.1 scoring (Numenta Anomaly Benchmark), re-implemented from its published rules:
 *  - probationary period: the first min(floor(0.15 N), 750) rows of a file are not scored;
 *  - inside a window only the earliest detection counts, worth tp * σ(pos)/σ(-1) with
 *    σ(x) = 2/(1+e^{5x}) - 1 and pos = -(rightIndex - i + 1)/width (-1 at the left edge, →0 at the right);
 *  - a detection outside every window costs fp * σ(|i - prevRight| / (prevWidth - 1)) after a window
 *    (σ = -1 beyond 3 widths) and -fp before any window;
 *  - an undetected window costs -fn;
 *  - one threshold per profile for the whole corpus, chosen by trying every distinct score (highest first,
 *    plus "no detection") and keeping the best total;
 *  - normalised = 100 (S - S_null)/(S_perfect - S_null), S_null = -windows·fn, S_perfect = windows·tp.
 */

export interface NabProfile {
  tp: number;
  fp: number;
  fn: number;
}

export const NAB_PROFILES: Record<'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate', NabProfile> = {
  standard: { tp: 1, fp: 0.11, fn: 1 },
  reward_low_FP_rate: { tp: 1, fp: 0.22, fn: 1 },
  reward_low_FN_rate: { tp: 1, fp: 0.11, fn: 2 },
};

export interface NabFile {
  name: string;
  /** Row times, increasing (any unit, e.g. epoch ms). */
  times: ArrayLike<number>;
  /** Detector output per row. */
  scores: ArrayLike<number>;
  /** Windows as [start, end] times, inclusive, in order. */
  windows: ReadonlyArray<readonly [number, number]>;
}

/** NAB's scaled sigmoid. */
export function scaledSigmoid(x: number): number {
  if (x > 3) return -1;
  return 2 / (1 + Math.exp(5 * x)) - 1;
}

export function probationaryLength(n: number): number {
  return Math.min(Math.floor(0.15 * n), 0.15 * 5000);
}

/** Per-row precomputation of one file, independent of the profile. */
export interface SweptFile {
  name: string;
  /** Scorable rows only (after the probationary period). */
  scores: Float64Array;
  /** σ value of each scorable row: inside a window σ(pos)/σ(-1) (in (0, 1]), outside σ(...) (in [-1, 1)). */
  sweep: Float64Array;
  /** Global window id for rows inside a window, else -1. */
  window: Int32Array;
  /** Number of windows in the file (all of them count for S_null / S_perfect). */
  windows: number;
  /** Windows that have at least one scorable row. */
  scorableWindows: number[];
}

export function sweepFile(file: NabFile, windowIdBase = 0): SweptFile {
  const n = file.times.length;
  const t = file.times;
  const prob = probationaryLength(n);
  const maxTP = scaledSigmoid(-1);
  // window index ranges: first row >= start, last row <= end
  const ranges: Array<[number, number]> = [];
  for (const [a, b] of file.windows) {
    let lo = 0;
    while (lo < n && t[lo] < a) lo++;
    let hi = lo;
    while (hi + 1 < n && t[hi + 1] <= b) hi++;
    if (lo < n && hi >= lo && t[lo] <= b) ranges.push([lo, hi]);
  }
  const start = Math.min(n, Math.ceil(prob));
  const m = n - start;
  const scores = new Float64Array(m);
  const sweep = new Float64Array(m);
  const window = new Int32Array(m).fill(-1);
  const scorable = new Set<number>();
  let w = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    while (w < ranges.length && ranges[w][1] < i) {
      prevRight = ranges[w][1];
      prevWidth = ranges[w][1] - ranges[w][0] + 1;
      w++;
    }
    const inWin = w < ranges.length && ranges[w][0] <= i;
    let s: number;
    if (inWin) {
      const width = ranges[w][1] - ranges[w][0] + 1;
      s = scaledSigmoid(-(ranges[w][1] - i + 1) / width) / maxTP;
    } else if (prevRight < 0) {
      s = -1;
    } else {
      s = scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
    }
    if (i >= start) {
      const k = i - start;
      scores[k] = Number(file.scores[i]);
      sweep[k] = s;
      if (inWin) {
        window[k] = windowIdBase + w;
        scorable.add(windowIdBase + w);
      }
    }
  }
  return { name: file.name, scores, sweep, window, windows: file.windows.length, scorableWindows: [...scorable] };
}

export interface NabResult {
  profile: NabProfile;
  threshold: number;
  score: number;
  normalized: number;
  nullScore: number;
  perfectScore: number;
  windows: number;
  detectedWindows: number;
  falsePositives: number;
}

/** Scores a corpus (already swept) under one profile with NAB's threshold sweep. */
export function scoreSwept(files: SweptFile[], profile: NabProfile): NabResult {
  let total = 0;
  let totalWindows = 0;
  let maxWindowId = -1;
  for (const f of files) {
    total += f.scores.length;
    totalWindows += f.windows;
    for (const id of f.scorableWindows) if (id > maxWindowId) maxWindowId = id;
  }
  const scores = new Float64Array(total);
  const sweep = new Float64Array(total);
  const window = new Int32Array(total);
  let o = 0;
  for (const f of files) {
    scores.set(f.scores, o);
    sweep.set(f.sweep, o);
    window.set(f.window, o);
    o += f.scores.length;
  }
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((a, b) => scores[b] - scores[a]);

  // every scorable window starts as a false negative
  const best = new Float64Array(maxWindowId + 1).fill(NaN);
  let current = 0;
  for (const f of files) {
    for (const id of f.scorableWindows) {
      best[id] = -profile.fn;
      current -= profile.fn;
    }
  }
  let bestScore = current;
  let bestThreshold = 1.1;
  let bestIndex = 0; // number of points included at the best threshold
  let i = 0;
  while (i < total) {
    const thr = scores[order[i]];
    // include all points with this exact score
    while (i < total && scores[order[i]] === thr) {
      const k = order[i];
      const wid = window[k];
      if (wid < 0) current += profile.fp * sweep[k];
      else {
        const v = profile.tp * sweep[k];
        if (v > best[wid]) {
          current += v - best[wid];
          best[wid] = v;
        }
      }
      i++;
    }
    if (current > bestScore) {
      bestScore = current;
      bestThreshold = thr;
      bestIndex = i;
    }
  }
  // counts at the chosen threshold
  const hit = new Uint8Array(maxWindowId + 1);
  let fps = 0;
  let detected = 0;
  for (let j = 0; j < bestIndex; j++) {
    const k = order[j];
    const wid = window[k];
    if (wid < 0) fps++;
    else if (!hit[wid]) {
      hit[wid] = 1;
      detected++;
    }
  }
  const nullScore = -totalWindows * profile.fn;
  const perfectScore = totalWindows * profile.tp;
  return {
    profile,
    threshold: bestThreshold,
    score: bestScore,
    normalized: (100 * (bestScore - nullScore)) / (perfectScore - nullScore),
    nullScore,
    perfectScore,
    windows: totalWindows,
    detectedWindows: detected,
    falsePositives: fps,
  };
}

/** Convenience: sweep and score files under a profile. */
export function scoreNab(files: NabFile[], profile: NabProfile = NAB_PROFILES.standard): NabResult {
  let base = 0;
  const swept = files.map((f) => {
    const s = sweepFile(f, base);
    base += f.windows.length;
    return s;
  });
  return scoreSwept(swept, profile);
}

/** Parses NAB timestamps ("2014-04-10 07:15:00[.000000]") to epoch milliseconds (UTC). */
export function parseNabTime(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/.exec(s.trim());
  if (!m) return Date.parse(s);
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
}

/**
 * Raw NAB score of a corpus at a FIXED threshold (rows with score >= threshold are detections), with the
 * same per-window best-detection rule as scoreSwept. Used by cross-validation, where the threshold is
 * chosen on the training folds and must not be re-optimised on the held-out fold.
 */
export function rawScoreAt(files: SweptFile[], profile: NabProfile, threshold: number): { score: number; windows: number } {
  let score = 0;
  let windows = 0;
  for (const f of files) {
    windows += f.windows;
    const best = new Map<number, number>();
    for (const id of f.scorableWindows) best.set(id, -profile.fn);
    for (let k = 0; k < f.scores.length; k++) {
      if (!(f.scores[k] >= threshold)) continue;
      const wid = f.window[k];
      if (wid < 0) score += profile.fp * f.sweep[k];
      else best.set(wid, Math.max(best.get(wid) ?? -profile.fn, profile.tp * f.sweep[k]));
    }
    for (const v of best.values()) score += v;
  }
  return { score, windows };
}
