/** Daily cost rows → the `/v1/costs` report: a window, the window before it, a daily series per group. */
import type { DailyCostRow } from './ports.ts';

export const COST_WINDOWS = { '1d': 1, '7d': 7, '30d': 30 } as const;
export type CostWindow = keyof typeof COST_WINDOWS;
export const GROUP_BYS = ['cluster', 'namespace', 'service', 'owner'] as const;
export type CostGroupBy = (typeof GROUP_BYS)[number];

export interface CostItem {
  key: string;
  cost: number;
  previous: number;
  /** null when the previous window cost nothing (no base to compare with). */
  changePct: number | null;
  daily: { date: string; cost: number }[];
}

export interface CostReport {
  window: CostWindow;
  currency: 'USD';
  total: number;
  idle: number;
  items: CostItem[];
}

export const isoDate = (d: Date): string => d.toISOString().slice(0, 10);

/** The dates of a window ending today (inclusive), and of the same-length window before it. */
export function windowDates(window: CostWindow, now: Date): { current: string[]; previous: string[] } {
  const n = COST_WINDOWS[window];
  const day = (offset: number) => isoDate(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - offset)));
  const current = Array.from({ length: n }, (_, i) => day(n - 1 - i));
  const previous = Array.from({ length: n }, (_, i) => day(2 * n - 1 - i));
  return { current, previous };
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

export function changePct(cost: number, previous: number): number | null {
  return previous > 0 ? Math.round(((cost - previous) / previous) * 1000) / 10 : null;
}

/**
 * Groups workload rows by `keyOf` (undefined: the row is not in the report). `total` and `idle` come
 * from the cluster rows, so `sum(items.cost) + idle = total` up to rounding.
 */
export function buildReport(rows: DailyCostRow[], window: CostWindow, now: Date, keyOf: (row: DailyCostRow) => string | undefined): CostReport {
  const { current, previous } = windowDates(window, now);
  const inCurrent = new Set(current);
  const inPrevious = new Set(previous);
  let total = 0;
  let idle = 0;
  const groups = new Map<string, { cost: number; previous: number; daily: Map<string, number> }>();
  for (const row of rows) {
    if (row.service === undefined) {
      if (inCurrent.has(row.date)) {
        total += row.cost;
        idle += row.idle ?? 0;
      }
      continue;
    }
    const key = keyOf(row);
    if (key === undefined) continue;
    const g = groups.get(key) ?? { cost: 0, previous: 0, daily: new Map() };
    if (inCurrent.has(row.date)) {
      g.cost += row.cost;
      g.daily.set(row.date, (g.daily.get(row.date) ?? 0) + row.cost);
    } else if (inPrevious.has(row.date)) g.previous += row.cost;
    else continue;
    groups.set(key, g);
  }
  const items: CostItem[] = [...groups.entries()]
    .map(([key, g]) => ({
      key,
      cost: round(g.cost),
      previous: round(g.previous),
      changePct: changePct(g.cost, g.previous),
      daily: current.map((date) => ({ date, cost: round(g.daily.get(date) ?? 0) })),
    }))
    .sort((a, b) => b.cost - a.cost || a.key.localeCompare(b.key));
  return { window, currency: 'USD', total: round(total), idle: round(idle), items };
}
