import { describe, expect, it } from 'vitest';
import { recommend, usageDeltas, type UsageDay } from '../../../functions/core/cost/rightsizing.ts';
import { buildReport, windowDates } from '../../../functions/core/cost/report.ts';
import type { ContainerSample } from '../../../functions/core/cost/types.ts';

const MI = 1024 ** 2;
const rates = { cpuCoreHour: 0.04, memoryGiBHour: 0.005 };

function day(samples: Partial<ContainerSample>[], base: Partial<ContainerSample> = {}): UsageDay {
  const full = samples.map((s, i) => ({
    namespace: 'shop',
    workload: 'w',
    container: 'app',
    pod: `p${i}`,
    measured: true,
    cpu: 0.1,
    memory: 100 * MI,
    requests: { cpu: 1, memory: 1024 * MI },
    limits: { cpu: 2, memory: 1024 * MI },
    oomKilled: false,
    throttled: false,
    ...base,
    ...s,
  }));
  const [delta] = usageDeltas(full);
  return { ...delta!, date: '2026-12-06', clusterId: 'c', cluster: 'dev', pulls: samples.length, rates };
}

describe('right-sizing', () => {
  it('over-provisioned: p95 CPU and max memory + 15 %, with a positive monthly saving', () => {
    const r = recommend([day(Array.from({ length: 100 }, (_, i) => ({ cpu: 0.05 + (i === 99 ? 0.5 : 0), memory: (80 + i / 10) * MI })))], '7d')!;
    expect(parseInt(r.recommended.requests.cpu)).toBeLessThanOrEqual(55); // p95 ≈ 50m, the 1 % outlier ignored
    expect(parseInt(r.recommended.requests.memory)).toBeGreaterThanOrEqual(Math.floor(89.9 * 1.15));
    expect(r.recommended.limits.memory).toBe(r.recommended.requests.memory);
    expect(r.monthlySaving).toBeGreaterThan(0);
    // ≈ (0.95 core × 0.04 + 0.9 GiB × 0.005) × 730 h
    expect(r.monthlySaving).toBeCloseTo((1 - 0.0525) * 0.04 * 730 + ((1024 - 104) / 1024) * 0.005 * 730, 0);
  });

  it('OOM-killed: never below the limit it was killed at; throttled: above the CPU limit; the saving turns negative', () => {
    const oom = recommend(
      [
        day(
          Array.from({ length: 20 }, (_, i) => ({ memory: 200 * MI, oomKilled: i === 3 })),
          { requests: { cpu: 0.1, memory: 128 * MI }, limits: { cpu: 0.5, memory: 256 * MI } },
        ),
      ],
      '7d',
    )!;
    expect(oom.evidence.oomKills).toBe(1);
    expect(parseInt(oom.recommended.requests.memory)).toBeGreaterThanOrEqual(320);
    const throttled = recommend(
      [
        day(
          Array.from({ length: 20 }, () => ({ cpu: 0.48, throttled: true })),
          { requests: { cpu: 0.1, memory: 256 * MI }, limits: { cpu: 0.5, memory: 256 * MI } },
        ),
      ],
      '7d',
    )!;
    expect(throttled.evidence.throttledPct).toBe(100);
    expect(parseInt(throttled.recommended.requests.cpu)).toBeGreaterThanOrEqual(625);
    expect(parseInt(throttled.recommended.limits.cpu!)).toBeGreaterThanOrEqual(750);
    expect(throttled.monthlySaving).toBeLessThan(0);
  });

  it('counts an OOM kill without usage (container restarting) as evidence but not as a sample', () => {
    const d = day([{ measured: false, oomKilled: true }, {}, {}, {}]);
    expect(d.samples).toBe(3);
    expect(d.oomKills).toBe(1);
  });

  it('needs a few samples before recommending', () => {
    expect(recommend([day([{}, {}])], '7d')).toBeUndefined();
  });
});

describe('cost report', () => {
  it('windows, previous window, change % and the daily series', () => {
    const now = new Date('2026-12-06T10:00:00Z');
    expect(windowDates('7d', now)).toEqual({
      current: ['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06'],
      previous: ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29'],
    });
    const rows = [
      { date: '2026-12-06', clusterId: 'c', cluster: 'dev', cost: 10, idle: 4 },
      { date: '2026-12-06', clusterId: 'c', cluster: 'dev', namespace: 'shop', service: 'a', cost: 6 },
      { date: '2026-12-05', clusterId: 'c', cluster: 'dev', namespace: 'shop', service: 'b', cost: 0 },
      { date: '2026-12-04', clusterId: 'c', cluster: 'dev', namespace: 'shop', service: 'a', cost: 3 },
      { date: '2026-12-03', clusterId: 'c', cluster: 'dev', cost: 3, idle: 0 },
    ];
    const r = buildReport(rows, '1d', now, (row) => row.service);
    expect(r).toMatchObject({ window: '1d', currency: 'USD', total: 10, idle: 4 });
    expect(r.items).toEqual([
      { key: 'a', cost: 6, previous: 0, changePct: null, daily: [{ date: '2026-12-06', cost: 6 }] },
      expect.objectContaining({ key: 'b', cost: 0, previous: 0 }),
    ]);
    const week = buildReport(rows, '7d', now, (row) => row.service);
    expect(week.items[0]).toMatchObject({ key: 'a', cost: 9 });
    const two = buildReport(rows, '1d', new Date('2026-12-05T10:00:00Z'), (row) => row.service);
    expect(two.items.find((i) => i.key === 'a')).toMatchObject({ cost: 0, previous: 3, changePct: -100 });
    const d = buildReport(
      [...rows, { date: '2026-12-05', clusterId: 'c', cluster: 'dev', namespace: 'shop', service: 'a', cost: 4 }],
      '1d',
      now,
      (row) => row.service,
    );
    expect(d.items[0]).toMatchObject({ key: 'a', cost: 6, previous: 4, changePct: 50 });
  });
});
