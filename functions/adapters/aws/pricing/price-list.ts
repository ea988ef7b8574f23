import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import type { PriceSource } from '../../../core/cost/ports.ts';
import type { NodePrice, NodePriceQuery } from '../../../core/cost/types.ts';

/** The Price List API answers from these endpoints only. */
const PRICING_REGION = 'us-east-1';
const CACHE_MS = 24 * 3_600_000;

interface PriceListProduct {
  terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: { USD?: string } }> }> };
}

/** The hourly on-demand USD price in one Price List product document (a JSON string per product). */
export function onDemandHourly(priceList: string[]): number | undefined {
  for (const raw of priceList) {
    let doc: PriceListProduct;
    try {
      doc = JSON.parse(raw) as PriceListProduct;
    } catch {
      continue;
    }
    for (const term of Object.values(doc.terms?.OnDemand ?? {})) {
      for (const dim of Object.values(term.priceDimensions ?? {})) {
        const usd = Number(dim.pricePerUnit?.USD);
        if ((dim.unit ?? 'Hrs').startsWith('Hrs') && Number.isFinite(usd) && usd > 0) return usd;
      }
    }
  }
  return undefined;
}

/**
 * EC2 on-demand prices from the AWS Price List API (GetProducts, Linux, shared tenancy, no
 * pre-installed software, capacity "Used"), cached per instance type and region for a day in the warm
 * Lambda. Spot prices are not in the Price List API: spot is on-demand less the configured discount.
 */
export class PriceListSource implements PriceSource {
  readonly #client: Pick<PricingClient, 'send'>;
  readonly #cache = new Map<string, { at: number; price: Promise<number | undefined> }>();
  readonly #now: () => number;

  constructor(options: { client?: Pick<PricingClient, 'send'>; now?: () => number } = {}) {
    this.#client = options.client ?? new PricingClient({ region: PRICING_REGION });
    this.#now = options.now ?? Date.now;
  }

  async price(q: NodePriceQuery): Promise<NodePrice | undefined> {
    if (!q.instanceType || !q.region) return undefined;
    const key = `${q.region}/${q.instanceType}`;
    const cached = this.#cache.get(key);
    if (cached && this.#now() - cached.at < CACHE_MS) {
      const hourly = await cached.price;
      return hourly === undefined ? undefined : { hourly, source: 'price-list' };
    }
    const price = this.#fetch(q.instanceType, q.region);
    this.#cache.set(key, { at: this.#now(), price });
    // A failed call is not cached: the next pull asks again (and the snapshot answers meanwhile).
    price.catch(() => this.#cache.delete(key));
    const hourly = await price;
    return hourly === undefined ? undefined : { hourly, source: 'price-list' };
  }

  async #fetch(instanceType: string, region: string): Promise<number | undefined> {
    const filter = (Field: string, Value: string) => ({ Type: 'TERM_MATCH' as const, Field, Value });
    const out = await this.#client.send(
      new GetProductsCommand({
        ServiceCode: 'AmazonEC2',
        FormatVersion: 'aws_v1',
        MaxResults: 10,
        Filters: [
          filter('instanceType', instanceType),
          filter('regionCode', region),
          filter('operatingSystem', 'Linux'),
          filter('tenancy', 'Shared'),
          filter('preInstalledSw', 'NA'),
          filter('capacitystatus', 'Used'),
          filter('licenseModel', 'No License required'),
        ],
      }),
    );
    return onDemandHourly(((out.PriceList ?? []) as unknown[]).map((p) => (typeof p === 'string' ? p : JSON.stringify(p))));
  }
}

/** The first source that knows the price wins (Price List API, then the snapshot). */
export class FirstKnownPrice implements PriceSource {
  readonly #sources: PriceSource[];
  constructor(...sources: PriceSource[]) {
    this.#sources = sources;
  }
  async price(q: NodePriceQuery): Promise<NodePrice | undefined> {
    for (const s of this.#sources) {
      const p = await s.price(q).catch(() => undefined);
      if (p) return p;
    }
    return undefined;
  }
}
