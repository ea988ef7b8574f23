import { DynamoCatalogStore } from '../adapters/aws/dynamodb/catalog-store.ts';
import { tarGzArchiveWriter } from '../adapters/archive/tar-archive.ts';
import { CachedServiceCatalog, type ArchiveWriter, type CatalogStore, type ServiceCatalog } from '../core/catalog/ports.ts';
import { wiring } from '../wiring.ts';

let built: { base: unknown; store: DynamoCatalogStore; catalog: CachedServiceCatalog } | undefined;

function build() {
  const base = wiring();
  if (built?.base === base) return built;
  const store = new DynamoCatalogStore({ client: base.documentClient, tableName: base.config.TABLE_NAME });
  built = { base, store, catalog: new CachedServiceCatalog({ store, clock: base.clock, cacheSeconds: 30 }) };
  return built;
}

export const catalogStore = (): CatalogStore => build().store;

/** The one read port of the catalog (grouping, routing, RCA, healing safety, detection guardrails). No Kubernetes client here. */
export const serviceCatalog = (): ServiceCatalog & { invalidate(): void } => build().catalog;

/** Packs golden-path skeletons (tar.gz). */
export const archiveWriter = (): ArchiveWriter => tarGzArchiveWriter;
