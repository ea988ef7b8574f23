/** Seeded synthetic metric series for forecast tests and the bench. */
import { Rng } from '../../../functions/core/anomaly/random.ts';
import type { SeriesPoint } from '../../../functions/core/forecast/series.ts';

export interface SyntheticOptions {
  start?: number;
  days: number;
  stepMs: number;
  base?: number;
  /** Per day. */
  trendPerDay?: number;
  dailyAmplitude?: number;
  /** Subtracted on Saturdays and Sundays. */
  weekendDrop?: number;
  noise?: number;
  seed?: number;
}

export function gaussian(rng: Rng): number {
  const u = Math.max(rng.nextFloat(), 1e-12);
  const v = rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** base + trend + a daily sine (peak mid-afternoon UTC) − a weekend drop + N(0, noise²). */
export function seasonalSeries(o: SyntheticOptions): SeriesPoint[] {
  const start = o.start ?? Date.UTC(2026, 10, 2); // a Monday
  const rng = new Rng(o.seed ?? 7);
  const n = Math.round((o.days * 86_400_000) / o.stepMs);
  const out: SeriesPoint[] = [];
  for (let i = 0; i < n; i++) {
    const ts = start + i * o.stepMs;
    const dayFrac = (((ts % 86_400_000) + 86_400_000) % 86_400_000) / 86_400_000;
    const dow = new Date(ts).getUTCDay();
    const days = (ts - start) / 86_400_000;
    const value =
      (o.base ?? 50) +
      (o.trendPerDay ?? 0) * days +
      (o.dailyAmplitude ?? 0) * Math.sin(2 * Math.PI * (dayFrac - 0.375)) -
      (dow === 0 || dow === 6 ? (o.weekendDrop ?? 0) : 0) +
      (o.noise ?? 0) * gaussian(rng);
    out.push({ ts, value });
  }
  return out;
}
