/**
 * NAB development-subset benchmark: runs the streaming detector over every file of
 * ../shared/data/nab-dev/data and prints the normalised NAB scores (standard, reward_low_FP_rate,
 * reward_low_FN_rate), the runtime and the file count as JSON lines. Skips when the data is absent.
 * Env NAB_DIR overrides the data folder; NAB_OPTIONS (JSON) overrides detector options (experiments only).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsv } from '../cli/csv.ts';
import { scoreSeries } from '../functions/core/anomaly/streaming/detector.ts';
import type { StreamingDetectorOptions } from '../functions/core/anomaly/streaming/detector.ts';
import { NAB_PROFILES, parseNabTime, scoreSwept, sweepFile } from './support/nab-scorer.ts';
import type { SweptFile } from './support/nab-scorer.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(process.env.NAB_DIR ?? join(here, '..', '..', 'shared', 'data', 'nab-dev'));
const dataDir = join(root, 'data');
const windowsPath = join(root, 'combined_windows.json');

if (!existsSync(dataDir) || !existsSync(windowsPath)) {
  console.log(JSON.stringify({ bench: 'nab', skipped: `NAB data not found at ${root} (needs data/ and combined_windows.json)` }));
  process.exit(0);
}

const windows = JSON.parse(readFileSync(windowsPath, 'utf8')) as Record<string, [string, string][]>;
const files: string[] = [];
for (const dir of readdirSync(dataDir).sort()) {
  const full = join(dataDir, dir);
  for (const f of readdirSync(full).sort()) if (f.endsWith('.csv')) files.push(`${dir}/${f}`);
}
const options: StreamingDetectorOptions = process.env.NAB_OPTIONS ? JSON.parse(process.env.NAB_OPTIONS) : {};

let detectSeconds = 0;
let base = 0;
const swept: SweptFile[] = [];
const t0 = performance.now();
for (const name of files) {
  const table = readCsv(join(dataDir, name), { textColumns: ['timestamp'], requiredColumns: ['timestamp', 'value'] });
  const ts = table.text.timestamp;
  const times = new Float64Array(table.rows);
  for (let i = 0; i < table.rows; i++) times[i] = parseNabTime(ts.get(i));
  const col = table.numericColumns.indexOf('value');
  const stride = table.numericColumns.length;
  const values = new Float64Array(table.rows);
  for (let i = 0; i < table.rows; i++) values[i] = table.data[i * stride + col];
  const t = performance.now();
  const scores = scoreSeries(values, options);
  detectSeconds += (performance.now() - t) / 1000;
  const wins = (windows[name] ?? []).map(([a, b]) => [parseNabTime(a), parseNabTime(b)] as const);
  swept.push(sweepFile({ name, times, scores, windows: wins }, base));
  base += wins.length;
}
const totalSeconds = (performance.now() - t0) / 1000;
const result: Record<string, unknown> = { bench: 'nab', detector: 'fleetops-streaming', files: files.length, windows: base };
for (const [profile, weights] of Object.entries(NAB_PROFILES)) {
  const r = scoreSwept(swept, weights);
  result[profile] = Number(r.normalized.toFixed(2));
  if (profile === 'standard') {
    result.standard_threshold = r.threshold;
    result.detected_windows = r.detectedWindows;
    result.false_positives = r.falsePositives;
  }
}
console.log(JSON.stringify(result));
console.log(
  JSON.stringify({
    bench: 'nab-runtime',
    files: files.length,
    detect_seconds: Number(detectSeconds.toFixed(3)),
    total_seconds: Number(totalSeconds.toFixed(3)),
  }),
);
