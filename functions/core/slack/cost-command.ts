/** `/fleet cost [service|team]`: the 30-day bill of the fleet, one service, or one team (catalog owner). Pure formatting. */
import { safe } from './mrkdwn.ts';

export interface CostLine {
  key: string;
  cost: number;
  changePct: number | null;
}

export interface CostAnswer {
  window: string;
  total?: number;
  idle?: number;
  /** The fleet's top services, or the one asked for. */
  items: CostLine[];
  /** What was asked for, when something was. */
  target?: string;
}

const usd = (v: number) => `$${v < 10 ? v.toFixed(2) : Math.round(v).toLocaleString('en-US')}`;
const change = (p: number | null) => (p === null ? 'new' : `${p > 0 ? '+' : ''}${p.toFixed(1)} %`);

export function costText(a: CostAnswer): string {
  if (a.target) {
    const item = a.items[0];
    if (!item) return `No cost recorded for ${safe(a.target, 100)} in the last ${safe(a.window, 8)}.`;
    return `*${safe(a.target, 100)}*, last ${safe(a.window, 8)}: ${usd(item.cost)} (${change(item.changePct)} against the window before).`;
  }
  const lines = a.items.slice(0, 10).map((i) => `• ${safe(i.key, 100)}: ${usd(i.cost)} (${change(i.changePct)})`);
  return [`*Fleet cost*, last ${safe(a.window, 8)}: ${usd(a.total ?? 0)}, of which idle ${usd(a.idle ?? 0)}. Top services:`, ...lines].join('\n');
}
