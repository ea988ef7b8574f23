/**
 * NAB leave-one-category-out cross-validation of the `fleetops detect` knobs. The shipped defaults were
 * tuned on these same files, so nab.bench.ts is an in-sample number; this one is not. For each category
 * held out, the grid point AND the alarm threshold are chosen by the best standard score on the other
 * categories, then the held-out category is scored at that fixed threshold. Held-out raw scores are pooled
 * and normalised like NAB ((S - S_null) / (S_perfect - S_null)). The grid is a small subset (refractory ×
 * refractoryDamp × recordRank) so it runs in a few minutes on a loaded machine. Skips when data is absent.
 * Also prints the same CV with only the shipped defaults as candidate (threshold-only CV): the baseline.
 * Env NAB_DIR overrides the data folder.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsv } from '../cli/csv.ts';
import { STREAMING_DEFAULTS, scoreSeries } from '../functions/core/anomaly/streaming/detector.ts';
import type { StreamingDetectorOptions } from '../functions/core/anomaly/streaming/detector.ts';
import { NAB_PROFILES, parseNabTime, rawScoreAt, scoreSwept, sweepFile } from './support/nab-scorer.ts';
import type { SweptFile } from './support/nab-scorer.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(process.env.NAB_DIR ?? join(here, '..', '..', 'shared', 'data', 'nab-dev'));
const dataDir = join(root, 'data');
const windowsPath = join(root, 'combined_windows.json');

if (!existsSync(dataDir) || !existsSync(windowsPath)) {
  console.log(JSON.stringify({ bench: 'nab-cv', skipped: `NAB data not found at ${root} (needs data/ and combined_windows.json)` }));
  process.exit(0);
}

const windows = JSON.parse(readFileSync(windowsPath, 'utf8')) as Record<string, [string, string][]>;
interface Series {
  name: string;
  category: string;
  times: Float64Array;
  values: Float64Array;
  windows: (readonly [number, number])[];
}
const series: Series[] = [];
for (const category of readdirSync(dataDir).sort()) {
  for (const f of readdirSync(join(dataDir, category)).sort()) {
    if (!f.endsWith('.csv')) continue;
    const name = `${category}/${f}`;
    const table = readCsv(join(dataDir, name), { textColumns: ['timestamp'], requiredColumns: ['timestamp', 'value'] });
    const times = new Float64Array(table.rows);
    for (let i = 0; i < table.rows; i++) times[i] = parseNabTime(table.text.timestamp.get(i));
    const col = table.numericColumns.indexOf('value');
    const stride = table.numericColumns.length;
    const values = new Float64Array(table.rows);
    for (let i = 0; i < table.rows; i++) values[i] = table.data[i * stride + col];
    const wins = (windows[name] ?? []).map(([a, b]) => [parseNabTime(a), parseNabTime(b)] as const);
    series.push({ name, category, times, values, windows: wins });
  }
}
const categories = [...new Set(series.map((s) => s.category))];

const grid: StreamingDetectorOptions[] = [];
for (const refractory of [50, 100, 200])
  for (const refractoryDamp of [2, 4, 8]) for (const recordRank of [3, 5]) grid.push({ refractory, refractoryDamp, recordRank });
const isDefault = (o: StreamingDetectorOptions): boolean =>
  o.refractory === STREAMING_DEFAULTS.refractory && o.refractoryDamp === STREAMING_DEFAULTS.refractoryDamp && o.recordRank === STREAMING_DEFAULTS.recordRank;

/** Swept files of one grid point, window ids global over the corpus. */
function sweepAll(options: StreamingDetectorOptions): SweptFile[] {
  let base = 0;
  return series.map((s) => {
    const swept = sweepFile({ name: s.name, times: s.times, scores: scoreSeries(s.values, options), windows: s.windows }, base);
    base += s.windows.length;
    return swept;
  });
}

const t0 = performance.now();
const sweptByGrid = grid.map(sweepAll);
const out = (o: Record<string, unknown>): void => console.log(JSON.stringify(o));
const round = (x: number): number => Number(x.toFixed(2));

const defaultIndex = grid.findIndex(isDefault);
const inSample: Record<string, unknown> = { bench: 'nab-cv', kind: 'in-sample-defaults', files: series.length };
for (const [profile, weights] of Object.entries(NAB_PROFILES)) inSample[profile] = round(scoreSwept(sweptByGrid[defaultIndex], weights).normalized);
out(inSample);

/**
 * Pooled held-out score; `candidates` are the grid points a fold may choose from (the full grid, or only
 * the shipped defaults, which cross-validates just the alarm threshold and is the baseline to beat).
 */
function crossValidate(kind: string, candidates: number[], logFolds: boolean): void {
  const cv: Record<string, unknown> = { bench: 'nab-cv', kind, categories: categories.length, grid: candidates.length };
  for (const [profile, weights] of Object.entries(NAB_PROFILES)) {
    let raw = 0;
    let totalWindows = 0;
    for (const held of categories) {
      const trainIdx = series.map((s, i) => (s.category === held ? -1 : i)).filter((i) => i >= 0);
      const testIdx = series.map((s, i) => (s.category === held ? i : -1)).filter((i) => i >= 0);
      let bestG = 0;
      let bestNorm = -Infinity;
      let bestThr = 1.1;
      candidates.forEach((g) => {
        const r = scoreSwept(
          trainIdx.map((i) => sweptByGrid[g][i]),
          weights,
        );
        if (r.normalized > bestNorm) [bestG, bestNorm, bestThr] = [g, r.normalized, r.threshold];
      });
      const test = rawScoreAt(
        testIdx.map((i) => sweptByGrid[bestG][i]),
        weights,
        bestThr,
      );
      raw += test.score;
      totalWindows += test.windows;
      if (logFolds && profile === 'standard') {
        out({
          bench: 'nab-cv',
          kind: 'fold',
          heldOut: held,
          files: testIdx.length,
          windows: test.windows,
          chosen: grid[bestG],
          threshold: Number(bestThr.toFixed(3)),
          train_standard: round(bestNorm),
          heldout_raw: round(test.score),
        });
      }
    }
    const nullScore = -totalWindows * weights.fn;
    cv[profile] = round((100 * (raw - nullScore)) / (totalWindows * weights.tp - nullScore));
  }
  out(cv);
}
crossValidate('leave-one-category-out-defaults-threshold-only', [defaultIndex], false);
crossValidate(
  'leave-one-category-out',
  grid.map((_, g) => g),
  true,
);

// Full-corpus grid (in-sample, for context): the best grid point on all categories.
const full = grid.map((o, g) => ({ ...o, standard: round(scoreSwept(sweptByGrid[g], NAB_PROFILES.standard).normalized) }));
full.sort((a, b) => b.standard - a.standard);
out({ bench: 'nab-cv', kind: 'in-sample-grid-top', top: full.slice(0, 3), seconds: round((performance.now() - t0) / 1000) });
