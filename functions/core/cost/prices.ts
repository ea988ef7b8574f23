/**
 * Node prices in order: a per-cluster override (negotiated or custom prices), the price source (Price
 * List API or snapshot), then OpenCost's default per-resource prices × the node's capacity.
 */
import * as z from 'zod';
import { OPENCOST_DEFAULT_CPU_HOURLY, OPENCOST_DEFAULT_RAM_GIB_HOURLY } from './allocation.ts';
import type { PriceSource } from './ports.ts';
import type { NodePrice, NodePriceQuery } from './types.ts';

/** Per cluster name (or `*` for every cluster): fixed $/hour per instance type, and/or a discount in % off list prices. */
export type PriceOverrides = Record<string, { instanceTypes?: Record<string, number>; discountPct?: number; spotDiscountPct?: number }>;

/** Spot price as a share of on-demand when the source has no spot price: spot typically runs 60-70 % below on-demand. */
export const DEFAULT_SPOT_DISCOUNT_PCT = 65;

export class NodePricer {
  readonly #source: PriceSource;
  readonly #overrides: PriceOverrides;

  constructor(source: PriceSource, overrides: PriceOverrides = {}) {
    this.#source = source;
    this.#overrides = overrides;
  }

  async price(q: NodePriceQuery): Promise<NodePrice> {
    const o = this.#overrides[q.cluster] ?? this.#overrides['*'];
    const fixed = q.instanceType ? o?.instanceTypes?.[q.instanceType] : undefined;
    if (fixed !== undefined) return { hourly: fixed, source: 'override' };
    const listed = await this.#source.price(q).catch(() => undefined);
    const base = listed ?? { hourly: q.cpu * OPENCOST_DEFAULT_CPU_HOURLY + q.memoryGiB * OPENCOST_DEFAULT_RAM_GIB_HOURLY, source: 'default' as const };
    let hourly = base.hourly;
    // A source that priced spot itself says so by answering for capacityType spot; the snapshot answers on-demand only.
    if (q.capacityType === 'spot' && !listed?.spot) hourly *= 1 - (o?.spotDiscountPct ?? DEFAULT_SPOT_DISCOUNT_PCT) / 100;
    if (o?.discountPct !== undefined) hourly *= 1 - o.discountPct / 100;
    return { hourly, source: o?.discountPct !== undefined || (q.capacityType === 'spot' && o?.spotDiscountPct !== undefined) ? 'override' : base.source };
  }
}

const OverridesSchema = z.record(
  z.string(),
  z
    .object({
      instanceTypes: z.record(z.string(), z.number().nonnegative()).optional(),
      discountPct: z.number().min(0).max(100).optional(),
      spotDiscountPct: z.number().min(0).max(100).optional(),
    })
    .strict(),
);

/** FLEETOPS_COST_PRICE_OVERRIDES → overrides; throws a readable error on a malformed setting. */
export function parsePriceOverrides(raw: string | undefined): PriceOverrides {
  if (!raw) return {};
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('FLEETOPS_COST_PRICE_OVERRIDES is not valid JSON');
  }
  const parsed = OverridesSchema.safeParse(json);
  if (!parsed.success) throw new Error(`FLEETOPS_COST_PRICE_OVERRIDES: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
