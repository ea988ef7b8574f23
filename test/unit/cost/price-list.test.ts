import { describe, expect, it } from 'vitest';
import type { GetProductsCommand } from '@aws-sdk/client-pricing';
import { FirstKnownPrice, onDemandHourly, PriceListSource } from '../../../functions/adapters/aws/pricing/price-list.ts';
import { SnapshotPriceSource } from '../../../functions/adapters/aws/pricing/snapshot-prices.ts';

/** One product as GetProducts returns it (a JSON string per product; trimmed to the fields read). */
const product = (usd: string) =>
  JSON.stringify({
    product: { productFamily: 'Compute Instance', attributes: { instanceType: 'm5.xlarge', regionCode: 'eu-west-1', operatingSystem: 'Linux' } },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        'ABC.JRTCKXETXF': {
          priceDimensions: {
            'ABC.JRTCKXETXF.6YS6EN2CT7': { unit: 'Hrs', pricePerUnit: { USD: usd }, description: '$0.214 per On Demand Linux m5.xlarge Instance Hour' },
          },
        },
      },
    },
  });

const q = { cluster: 'a', instanceType: 'm5.xlarge', region: 'eu-west-1', capacityType: 'on-demand' as const, cpu: 4, memoryGiB: 16 };

describe('AWS Price List source', () => {
  it('reads the hourly on-demand USD price, skipping documents it cannot read', () => {
    expect(onDemandHourly(['not json', product('0.2140000000')])).toBe(0.214);
    expect(onDemandHourly([product('0.0000000000')])).toBeUndefined();
  });

  it('asks GetProducts once per instance type and region a day (the filters name Linux, shared tenancy, used capacity)', async () => {
    const sent: GetProductsCommand[] = [];
    let now = 0;
    const source = new PriceListSource({
      client: { send: async (c: unknown) => (sent.push(c as GetProductsCommand), { PriceList: [product('0.214')] }) } as never,
      now: () => now,
    });
    expect(await source.price(q)).toEqual({ hourly: 0.214, source: 'price-list' });
    expect(await source.price(q)).toEqual({ hourly: 0.214, source: 'price-list' });
    expect(sent).toHaveLength(1);
    const filters = Object.fromEntries(sent[0]!.input.Filters!.map((f) => [f.Field, f.Value]));
    expect(filters).toMatchObject({
      instanceType: 'm5.xlarge',
      regionCode: 'eu-west-1',
      operatingSystem: 'Linux',
      tenancy: 'Shared',
      capacitystatus: 'Used',
      preInstalledSw: 'NA',
    });
    now = 25 * 3_600_000;
    await source.price(q);
    expect(sent).toHaveLength(2);
  });

  it('falls back to the snapshot when the API fails, and asks again on the next pull', async () => {
    let calls = 0;
    const failing = new PriceListSource({
      client: {
        send: async () => {
          calls++;
          throw Object.assign(new Error('User is not authorized to perform: pricing:GetProducts'), { name: 'AccessDeniedException' });
        },
      } as never,
    });
    const prices = new FirstKnownPrice(failing, new SnapshotPriceSource());
    expect(await prices.price({ ...q, region: 'us-east-1' })).toEqual({ hourly: 0.192, source: 'snapshot' });
    await prices.price({ ...q, region: 'us-east-1' });
    expect(calls).toBe(2);
  });
});
