import { describe, expect, it } from 'vitest';
import { advanceCapacity, predictedBreachAlert, type CapacitySeries } from '../../../functions/core/cost/capacity.ts';
import { holtWintersForecaster, predictBreach, sinceLastReset, trendForecaster } from '../../../functions/core/cost/breach.ts';
import type { ContainerSample } from '../../../functions/core/cost/types.ts';

const MI = 1024 ** 2;
const LIMIT = 512 * MI;
const sample = (memory: number): ContainerSample => ({
  namespace: 'shop',
  workload: 'pay',
  container: 'app',
  pod: 'pay-1',
  measured: true,
  cpu: 0.01,
  memory,
  requests: { memory: 128 * MI },
  limits: { memory: LIMIT },
  oomKilled: false,
  throttled: false,
});

/** One pull every 10 s of a container leaking 3 MiB/s from 130 MiB (the simulator's default leak). */
function run(memoryAt: (s: number) => number, pulls: number) {
  let previous: CapacitySeries[] = [];
  const events = [];
  for (let i = 0; i < pulls; i++) {
    const at = new Date(Date.UTC(2026, 11, 6, 12, 0, i * 10));
    const r = advanceCapacity({ clusterId: 'c1', cluster: 'dev', pullId: `p${i}`, at, intervalSeconds: 10, previous, samples: [sample(memoryAt(i * 10))] });
    previous = r.next;
    events.push(...r.events.map((e) => ({ i, ...e.detail })));
  }
  return { events, previous };
}

describe('predicted breaches', () => {
  it('a memory leak fires PredictedBreach before the limit, with the predicted time within 25 % of the actual', () => {
    const leak = (s: number) => 130 * MI + 3 * MI * s + (s % 20 === 0 ? 2 * MI : -2 * MI);
    const actual = Date.UTC(2026, 11, 6, 12, 0, 0) + ((512 - 130) / 3) * 1000;
    const { events } = run(leak, 10);
    const fired = events.find((e) => e.status === 'firing')!;
    expect(fired).toBeDefined();
    const firedAt = Date.parse(fired.at);
    expect(firedAt).toBeLessThan(actual);
    const lead = actual - firedAt;
    expect(Math.abs(Date.parse(fired.predictedBreachAt) - actual)).toBeLessThan(0.25 * lead);
    expect(fired.message).toMatch(/memory of pay\/app reaches its limit 512Mi at 2026-12-06T12:0/);
  });

  it('a steady, noisy container never fires', () => {
    const { events } = run((s) => 150 * MI + 4 * MI * Math.sin(s), 60);
    expect(events).toEqual([]);
  });

  it('resolves once the forecast stops crossing (the leak stopped)', () => {
    const { events } = run((s) => (s < 100 ? 130 * MI + 3 * MI * s : 130 * MI + 300 * MI + ((s * 7) % 5) * MI), 30);
    expect(events.map((e) => e.status)).toEqual(['firing', 'resolved']);
  });

  it('a retried pull does not add a point twice', () => {
    const at = new Date('2026-12-06T12:00:00Z');
    const once = advanceCapacity({ clusterId: 'c', cluster: 'dev', pullId: 'p', at, intervalSeconds: 10, previous: [], samples: [sample(100 * MI)] });
    const twice = advanceCapacity({ clusterId: 'c', cluster: 'dev', pullId: 'p', at, intervalSeconds: 10, previous: once.next, samples: [sample(100 * MI)] });
    expect(twice.next[0]!.points).toHaveLength(1);
  });

  it('maps to an alert of type PredictedBreach carrying predicted_breach_at', () => {
    const a = predictedBreachAlert({
      cluster: 'dev',
      clusterId: 'c',
      namespace: 'shop',
      service: 'pay',
      container: 'app',
      signal: 'memory',
      limit: '512Mi',
      status: 'firing',
      predictedBreachAt: '2026-12-06T12:05:00.000Z',
      message: 'm',
      since: '2026-12-06T12:00:00.000Z',
      at: '2026-12-06T12:00:00.000Z',
    });
    expect(a).toMatchObject({
      type: 'PredictedBreach',
      severity: 'high',
      status: 'firing',
      labels: { predicted_breach_at: '2026-12-06T12:05:00.000Z', limit: '512Mi' },
      signals: ['memory_usage'],
    });
  });

  it('forecasters: the trend line is exact on a linear leak; the reset before it is ignored', () => {
    const pts = [
      ...Array.from({ length: 5 }, (_, i) => ({ t: i * 1000, v: 0.5 + i * 0.1 })),
      ...Array.from({ length: 5 }, (_, i) => ({ t: (5 + i) * 1000, v: 0.2 + i * 0.05 })),
    ];
    expect(sinceLastReset(pts)).toHaveLength(5);
    expect(predictBreach({ points: pts, limit: 1, horizonMs: 60_000, stepMs: 1000 })).toBeCloseTo(9000 + (0.6 / 0.05) * 1000, -1);
    expect(trendForecaster(pts, 3000, 1000).map((p) => p.v)).toEqual([expect.closeTo(0.45, 6), expect.closeTo(0.5, 6), expect.closeTo(0.55, 6)]);
    expect(holtWintersForecaster(pts, 3000, 1000)).toHaveLength(3);
  });

  it('forecasts no further ahead than four times the history behind it: a short ramp is no breach an hour away', () => {
    // Five pulls 10 s apart climbing 1 % each: the line reaches the limit 6 minutes on, beyond 4 × the 40 s behind it.
    const ramp = Array.from({ length: 5 }, (_, i) => ({ t: i * 10_000, v: 0.6 + i * 0.01 }));
    expect(predictBreach({ points: ramp, limit: 1, horizonMs: 3_600_000, stepMs: 10_000 })).toBeUndefined();
    // The same climb for an hour behind it is a trend: the breach is predicted.
    const hour = Array.from({ length: 361 }, (_, i) => ({ t: i * 10_000, v: 0.2 + i * 0.0015 }));
    expect(predictBreach({ points: hour, limit: 1, horizonMs: 3_600_000, stepMs: 10_000 })).toBeGreaterThan(3_600_000);
  });
});
