/**
 * Isolation Forest benchmark: deterministic labelled synthetic data (5 features, fit on 10k rows, score 1M rows,
 * ~3% anomalies from other distributions). Times
 *  - `fleetops iforest` as a subprocess (parse + fit + score + write),
 *  - the in-process phases (parse, fit, score, write),
 *  - scikit-learn's IsolationForest(n_estimators=100, max_samples=256, random_state=0) doing the same work
 *    (pandas read, fit, score_samples, write) when a python3 with sklearn is available,
 * and reports ROC AUC of both outputs against the labels. Env IFOREST_ROWS overrides the scored row count.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CsvWriter, readCsv } from '../cli/csv.ts';
import { IsolationForest } from '../functions/core/anomaly/isolation-forest.ts';
import { makeLabelledData, rocAuc, writeMatrixCsv } from './support/synth.ts';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'bin', 'fleetops.js');
const rows = Number(process.env.IFOREST_ROWS ?? 1_000_000);
const trainRows = 10_000;
const cols = 5;
const dir = mkdtempSync(join(tmpdir(), 'fleetops-iforest-bench-'));
const trainPath = join(dir, 'train.csv');
const scorePath = join(dir, 'score.csv');
const oursPath = join(dir, 'ours.csv');
const skPath = join(dir, 'sklearn.csv');

function readScores(path: string): Float64Array {
  const t = readCsv(path);
  return t.data;
}
function negate(a: Float64Array): Float64Array {
  return a.map((v) => -v);
}
const sec = (ms: number): number => Number((ms / 1000).toFixed(3));

try {
  const train = makeLabelledData(trainRows, cols, 0.03, 1);
  const score = makeLabelledData(rows, cols, 0.03, 2);
  writeMatrixCsv(trainPath, train);
  writeMatrixCsv(scorePath, score);

  // 1. CLI subprocess
  let t = performance.now();
  const run = spawnSync(
    process.execPath,
    [cli, 'iforest', '--train', trainPath, '--score', scorePath, '--output', oursPath, '--trees', '100', '--sample', '256', '--seed', '0'],
    { encoding: 'utf8' },
  );
  const cliSeconds = sec(performance.now() - t);
  if (run.status !== 0) throw new Error(`fleetops iforest failed: ${run.stderr}`);
  const oursAuc = rocAuc(negate(readScores(oursPath)), score.labels);

  // 2. in-process phases
  t = performance.now();
  const tr = readCsv(trainPath);
  const sc = readCsv(scorePath);
  const parseS = sec(performance.now() - t);
  t = performance.now();
  const forest = new IsolationForest({ nEstimators: 100, maxSamples: 256, randomState: 0 }).fit({ data: tr.data, rows: tr.rows, cols });
  const fitS = sec(performance.now() - t);
  t = performance.now();
  const s = forest.scoreSamples({ data: sc.data, rows: sc.rows, cols });
  const scoreS = sec(performance.now() - t);
  t = performance.now();
  const w = new CsvWriter(join(dir, 'inproc.csv'));
  w.write('score\n');
  for (let i = 0; i < s.length; i++) w.write(`${s[i]}\n`);
  w.close();
  const writeS = sec(performance.now() - t);

  const result: Record<string, unknown> = {
    bench: 'iforest',
    train_rows: trainRows,
    score_rows: rows,
    features: cols,
    anomaly_rate: Number((score.labels.reduce((a, b) => a + b, 0) / rows).toFixed(4)),
    fleetops_cli_seconds: cliSeconds,
    fleetops_inprocess: { parse_s: parseS, fit_s: fitS, score_s: scoreS, write_s: writeS },
    fleetops_auc: Number(oursAuc.toFixed(4)),
  };

  // 3. sklearn reference, if importable
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import sklearn, pandas'], { env }).status === 0);
  if (!python) {
    result.sklearn = 'skipped: no python3 with scikit-learn and pandas';
  } else {
    t = performance.now();
    const py = spawnSync(python, [join(here, 'support', 'sklearn_iforest.py'), trainPath, scorePath, skPath, '100', '256', '0'], { encoding: 'utf8', env });
    const skSeconds = sec(performance.now() - t);
    if (py.status !== 0) throw new Error(`sklearn reference failed: ${py.stderr}`);
    const phases = JSON.parse(py.stdout.trim().split('\n').pop()!) as Record<string, number>;
    const skAuc = rocAuc(negate(readScores(skPath)), score.labels);
    const version = spawnSync(python, ['-c', 'import sklearn; print(sklearn.__version__)'], { encoding: 'utf8', env }).stdout.trim();
    result.sklearn_version = version;
    result.sklearn_seconds = skSeconds;
    result.sklearn_phases = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Number(v.toFixed(3))]));
    result.sklearn_auc = Number(skAuc.toFixed(4));
    result.speedup = Number((skSeconds / cliSeconds).toFixed(2));
    result.auc_diff = Number((oursAuc - skAuc).toFixed(4));
  }
  console.log(JSON.stringify(result));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
