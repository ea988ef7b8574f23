import type { PriceSource } from '../../../core/cost/ports.ts';
import type { NodePrice, NodePriceQuery } from '../../../core/cost/types.ts';
import snapshot from './on-demand-snapshot.json' with { type: 'json' };

export interface PriceSnapshot {
  baseRegion: string;
  regionFactors: Record<string, number>;
  prices: Record<string, number>;
}

/** On-demand prices from the shipped snapshot (local stack, tests, and the fallback when the Price List API fails). */
export class SnapshotPriceSource implements PriceSource {
  readonly #snapshot: PriceSnapshot;

  constructor(data: PriceSnapshot = snapshot) {
    this.#snapshot = data;
  }

  async price(q: NodePriceQuery): Promise<NodePrice | undefined> {
    const base = q.instanceType ? this.#snapshot.prices[q.instanceType] : undefined;
    if (base === undefined) return undefined;
    const factor = this.#snapshot.regionFactors[q.region ?? this.#snapshot.baseRegion];
    if (factor === undefined) return undefined;
    return { hourly: base * factor, source: 'snapshot' };
  }
}
