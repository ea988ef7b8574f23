import type { CliCommand } from '../command.ts';
import { parseFlags } from '../command.ts';
import { CsvWriter, readCsv } from '../csv.ts';
import { IsolationForest } from '../../functions/core/anomaly/isolation-forest.ts';

function intFlag(flags: Record<string, string>, name: string, fallback: number, min: number): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new Error(`--${name} must be an integer, got "${raw}"`);
  const v = Number(raw);
  if (v < min) throw new Error(`--${name} must be >= ${min}, got ${v}`);
  return v;
}

export const command: CliCommand = {
  name: 'iforest',
  summary: 'Fit an Isolation Forest on one CSV and score another',
  usage:
    'fleetops iforest --train TRAIN.csv --score SCORE.csv --output OUT.csv [--trees 100] [--sample 256] [--seed N]\n\n' +
    'TRAIN and SCORE are CSVs with a header of numeric columns (SCORE needs the same columns).\n' +
    'OUT has a header `score` and one row per SCORE row, in scikit-learn score_samples convention\n' +
    '(negative, lower = more abnormal). --output - writes to stdout.',
  async run(argv) {
    const flags = parseFlags(argv, ['train', 'score', 'output', 'trees', 'sample', 'seed']);
    for (const f of ['train', 'score', 'output']) if (!flags[f]) throw new Error(`--${f} is required\nUsage: ${command.usage.split('\n')[0]}`);
    const trees = intFlag(flags, 'trees', 100, 1);
    const sample = intFlag(flags, 'sample', 256, 1);
    const seed = intFlag(flags, 'seed', 0, 0);

    const train = readCsv(flags.train);
    if (train.rows === 0) throw new Error(`${flags.train}: no data rows`);
    const score = readCsv(flags.score, { requiredColumns: train.header });
    if (score.header.length !== train.header.length) {
      throw new Error(`${flags.score}: columns (${score.header.join(',')}) differ from ${flags.train} (${train.header.join(',')})`);
    }
    // reorder SCORE columns to TRAIN's order when needed
    let scoreData = score.data;
    if (score.header.some((h, j) => h !== train.header[j])) {
      const d = train.header.length;
      const map = train.header.map((h) => score.header.indexOf(h));
      scoreData = new Float64Array(score.rows * d);
      for (let r = 0; r < score.rows; r++) for (let j = 0; j < d; j++) scoreData[r * d + j] = score.data[r * d + map[j]];
    }

    const forest = new IsolationForest({ nEstimators: trees, maxSamples: sample, randomState: seed });
    forest.featureNames = [...train.header];
    forest.fit({ data: train.data, rows: train.rows, cols: train.header.length });
    const scores = forest.scoreSamples({ data: scoreData, rows: score.rows, cols: train.header.length });

    const out = new CsvWriter(flags.output);
    out.write('score\n');
    for (let i = 0; i < scores.length; i++) {
      out.write(String(scores[i]));
      out.writeByte(10);
    }
    out.close();
    return 0;
  },
};
