/**
 * LSTM (core/neural/lstm.ts: lookback 24, 2 × 64) against Holt-Winters (core/forecast) and the
 * least-squares trend (core/cost/breach.ts) on the same series (one JSON object per line):
 * - memory-leak series shaped like the simulator's fault (per-container memory / limit at 1-minute
 *   pulls: a level with noise, leaks of random rate up to the limit, an OOM kill back to the level):
 *   MAE of the next hour's forecast, and the warning lead time before each OOM kill (first forecast
 *   that crossed the limit within the hour) with the number of false warnings;
 * - NAB series (realAWSCloudwatch, 5-minute steps; skipped when ../shared/data/nab-dev is absent):
 *   MAE of the next hour (12 steps).
 * Training and forecasting times are reported too. Run: node bench/forecast-compare.bench.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forecast } from '../functions/core/forecast/forecast.ts';
import { crossingTime, holtWintersForecaster, memoryForecaster, trendForecaster, type Forecaster, type Point } from '../functions/core/cost/breach.ts';
import { loadLstm, trainLstm, type LstmForecaster } from '../functions/core/neural/lstm.ts';
import { Rng } from '../functions/core/anomaly/random.ts';

const here = dirname(fileURLToPath(import.meta.url));
const MIN = 60_000;
const r3 = (v: number) => Math.round(v * 1000) / 1000;
const TRAIN_MS = Number(process.env.LSTM_TRAIN_MS ?? 60_000);
/** Most recent training windows (the CPU backend needs ~0.1 s per window per epoch for 2 × 64 units). */
const WINDOWS = Number(process.env.LSTM_WINDOWS ?? 400);

/** Memory / limit at 1-minute steps: quiet stretches, leaks of 0.3–1.2 %/min to the limit, OOM resets. */
function leakSeries(seed: number, n: number): { points: Point[]; ooms: number[] } {
  const rng = new Rng(seed);
  const points: Point[] = [];
  const ooms: number[] = [];
  let v = 0.3;
  let leak = 0;
  for (let i = 0; i < n; i++) {
    const t = i * MIN;
    if (leak === 0 && rng.nextFloat() < 0.01) leak = 0.003 + rng.nextFloat() * 0.009;
    v += leak;
    if (v >= 1) {
      ooms.push(t);
      v = 0.3;
      if (rng.nextFloat() < 0.5) leak = 0;
    }
    points.push({ t, v: v + (rng.nextFloat() - 0.5) * 0.02 });
  }
  return { points, ooms };
}

function lstmForecaster(model: LstmForecaster): Forecaster {
  return (points, horizonMs, stepMs) => {
    if (points.length < model.artefact.lookback + 1) return [];
    const steps = Math.round(horizonMs / stepMs);
    const last = points[points.length - 1]!.t;
    return model
      .forecast(
        points.map((p) => p.v),
        steps,
      )
      .map((v, i) => ({ t: last + (i + 1) * stepMs, v }));
  };
}

interface Score {
  mae: number[];
  ms: number[];
  warnings: { t: number; at: number }[];
}

function evaluate(
  points: Point[],
  from: number,
  every: number,
  horizonSteps: number,
  stepMs: number,
  methods: Record<string, Forecaster>,
  limit?: number,
): Record<string, Score> {
  const out: Record<string, Score> = Object.fromEntries(Object.keys(methods).map((m) => [m, { mae: [], ms: [], warnings: [] }]));
  for (let o = from; o + horizonSteps < points.length; o += every) {
    const history = points.slice(Math.max(0, o - 240), o + 1);
    const actual = points.slice(o + 1, o + 1 + horizonSteps);
    for (const [name, f] of Object.entries(methods)) {
      const t0 = performance.now();
      const pred = f(history, horizonSteps * stepMs, stepMs);
      out[name]!.ms.push(performance.now() - t0);
      // No forecast (too little history since a reset, no trend): the last value carries on.
      const last = history[history.length - 1]!.v;
      const err = actual.reduce((s, a, i) => s + Math.abs((pred[i]?.v ?? last) - a.v), 0) / actual.length;
      out[name]!.mae.push(err);
      if (limit !== undefined) {
        const at = crossingTime(pred, limit, history[history.length - 1]);
        if (at !== undefined) out[name]!.warnings.push({ t: points[o]!.t, at });
      }
    }
  }
  return out;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[xs.length >> 1]! : NaN);

// --- memory-leak series ---
{
  const { points, ooms } = leakSeries(22, 3000);
  const split = 2000;
  const t0 = performance.now();
  // The LSTM sees only the segments since each reset's shape through differences, trained on the first part.
  const artefact = await trainLstm(
    points.slice(0, split).map((p) => p.v),
    { signal: 'memory', maxTrainingMs: TRAIN_MS, maxWindows: WINDOWS },
  );
  const trainMs = performance.now() - t0;
  const lstm = await loadLstm(artefact);
  const methods = { trend: trendForecaster, 'holt-winters': holtWintersForecaster, 'memory-default': memoryForecaster(), lstm: lstmForecaster(lstm) };
  const every = 5;
  const scores = evaluate(points, split, every, 60, MIN, methods, 1);
  const testOoms = ooms.filter((t) => t > points[split]!.t + 60 * MIN && t < points[points.length - 61]!.t);
  for (const [name, s] of Object.entries(scores)) {
    // Lead: first warning in the hour before an OOM whose predicted time is within 25 % of the lead; false: warnings with no OOM in the next hour.
    const leads = testOoms.map((oom) => {
      const w = s.warnings.find((x) => x.t < oom && oom - x.t <= 60 * MIN && Math.abs(x.at - oom) <= 0.25 * (oom - x.t));
      return w ? (oom - w.t) / MIN : 0;
    });
    const falseWarnings = s.warnings.filter((x) => !testOoms.some((oom) => oom >= x.t && oom - x.t <= 75 * MIN)).length;
    console.log(
      JSON.stringify({
        bench: 'forecast-compare',
        series: 'sim-memory-leak',
        method: name,
        origins: s.mae.length,
        horizonSteps: 60,
        mae: r3(mean(s.mae)),
        ooms: testOoms.length,
        warnedInTime: leads.filter((l) => l > 0).length,
        medianLeadMinutes: r3(median(leads)),
        falseWarnings,
        forecastMsMedian: r3(median(s.ms)),
        ...(name === 'lstm' ? { trainMs: Math.round(trainMs), trainEpochs: artefact.training.epochs, trainWindows: Math.min(WINDOWS, split - 25) } : {}),
      }),
    );
  }
  lstm.dispose();
}

// --- NAB series ---
const nab = resolve(process.env.NAB_DIR ?? join(here, '..', '..', 'shared', 'data', 'nab-dev'));
const dir = join(nab, 'data', 'realAWSCloudwatch');
if (!existsSync(dir)) {
  console.log(JSON.stringify({ bench: 'forecast-compare', series: 'nab', skipped: `NAB data not found at ${dir}` }));
} else {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort()
    .slice(0, Number(process.env.NAB_FILES ?? 3));
  for (const file of files) {
    const rows = readFileSync(join(dir, file), 'utf8').trim().split('\n').slice(1);
    const points = rows.map((line) => {
      const [ts, v] = line.split(',');
      return { t: Date.parse(`${ts!.replace(' ', 'T')}Z`), v: Number(v) };
    });
    const split = Math.floor(points.length * 0.6);
    const t0 = performance.now();
    const artefact = await trainLstm(
      points.slice(0, split).map((p) => p.v),
      { signal: file, maxTrainingMs: TRAIN_MS, maxWindows: WINDOWS },
    );
    const trainMs = performance.now() - t0;
    const lstm = await loadLstm(artefact);
    const step = 5 * MIN;
    const every = Math.max(1, Math.floor((points.length - split - 12) / 40));
    // No restarts on these signals: Holt-Winters on the whole history (no reset cut), the LSTM on the same.
    const hw: Forecaster = (p, h, s) =>
      forecast(
        p.map((x) => ({ ts: x.t, value: x.v })),
        { horizonHours: h / 3_600_000, stepMs: s },
      ).predictions.map((x) => ({ t: Date.parse(x.ts), v: x.yhat }));
    const scores = evaluate(points, split, every, 12, step, { 'holt-winters': hw, lstm: lstmForecaster(lstm) });
    for (const [name, s] of Object.entries(scores)) {
      console.log(
        JSON.stringify({
          bench: 'forecast-compare',
          series: `nab/${file}`,
          method: name,
          origins: s.mae.length,
          horizonSteps: 12,
          mae: r3(mean(s.mae)),
          forecastMsMedian: r3(median(s.ms)),
          ...(name === 'lstm' ? { trainMs: Math.round(trainMs), trainEpochs: artefact.training.epochs } : {}),
        }),
      );
    }
    lstm.dispose();
  }
}
