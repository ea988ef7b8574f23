import { DynamoCostStore } from '../adapters/aws/dynamodb/cost-store.ts';
import { FirstKnownPrice, PriceListSource } from '../adapters/aws/pricing/price-list.ts';
import { SnapshotPriceSource } from '../adapters/aws/pricing/snapshot-prices.ts';
import { NodePricer, parsePriceOverrides } from '../core/cost/prices.ts';
import { CostService } from '../core/cost/service.ts';
import { wiring } from '../wiring.ts';
import { serviceCatalog } from './catalog.ts';

let built: { base: unknown; service: CostService } | undefined;

/** Cost allocation, reports and right-sizing, built once per cold start. */
export function costService(): CostService {
  const base = wiring();
  if (built?.base === base) return built.service;
  const config = base.config;
  const pricing = config.FLEETOPS_COST_PRICING ?? (config.FLEETOPS_RUNTIME === 'aws' ? 'price-list' : 'snapshot');
  const snapshot = new SnapshotPriceSource();
  const source = pricing === 'price-list' ? new FirstKnownPrice(new PriceListSource(), snapshot) : snapshot;
  const service = new CostService({
    store: new DynamoCostStore({ client: base.documentClient, tableName: config.TABLE_NAME }),
    pricer: new NodePricer(source, parsePriceOverrides(config.FLEETOPS_COST_PRICE_OVERRIDES)),
    catalog: serviceCatalog(),
    clock: base.clock,
    events: base.events,
  });
  built = { base, service };
  return service;
}
