import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { fetchCatalogUrl } from '../adapters/catalog/url-source.ts';
import { guardedFetch } from '../adapters/prometheus/guarded-fetch.ts';
import { pullCatalogSources } from '../core/catalog/pull.ts';
import { displayUrl } from '../core/catalog/source-tree.ts';
import { logger } from '../observability.ts';
import { catalogStore, serviceCatalog } from '../wiring/catalog.ts';
import { wiring } from '../wiring.ts';

/**
 * Schedule target: reads every FLEETOPS_CATALOG_URLS entry into the catalog, with the files its Locations
 * point at and its placeholders, all through the same guarded reader. One URL's failure is logged, not thrown.
 */
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
    if (r.error) logger.warn('catalog source failed', { url: displayUrl(r.url), error: r.error });
    else
      logger.info('catalog source pulled', {
        url: displayUrl(r.url),
        files: r.files?.length,
        accepted: r.accepted,
        rejected: r.rejected.length,
        removed: r.removed.length,
        ...(r.incomplete ? { incomplete: r.incomplete.slice(0, 5) } : {}),
      });
  }
  return { sources: results.length, results };
}).use(injectLambdaContext(logger, { resetKeys: true }));
