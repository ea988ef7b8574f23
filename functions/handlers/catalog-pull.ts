import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { fetchCatalogUrl } from '../adapters/catalog/url-source.ts';
import { guardedFetch } from '../adapters/prometheus/guarded-fetch.ts';
import { pullCatalogSources } from '../core/catalog/pull.ts';
import { logger } from '../observability.ts';
import { catalogStore, serviceCatalog } from '../wiring/catalog.ts';
import { wiring } from '../wiring.ts';

/** Schedule target: reads every FLEETOPS_CATALOG_URLS entry into the catalog. One URL's failure is logged, not thrown. */
export const handler = middy(async () => {
  const base = wiring();
  const urls = base.config.catalogUrls;
  if (!urls.length) return { sources: 0 };
  const fetch = guardedFetch(base.addressPolicy);
  const results = await pullCatalogSources(urls, {
    fetchText: (url) => fetchCatalogUrl(url, { policy: base.addressPolicy, fetch }),
    store: catalogStore(),
    now: () => base.clock.now(),
  });
  serviceCatalog().invalidate();
  for (const r of results) {
    if (r.error) logger.warn('catalog source failed', { url: r.url, error: r.error });
    else logger.info('catalog source pulled', { url: r.url, accepted: r.accepted, rejected: r.rejected.length, removed: r.removed.length });
  }
  return { sources: results.length, results };
}).use(injectLambdaContext(logger, { resetKeys: true }));
