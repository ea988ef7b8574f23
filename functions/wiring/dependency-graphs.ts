import { DynamoDependencyGraphStore } from '../adapters/aws/dynamodb/dependency-graph-store.ts';
import { DynamoMeshEvidenceStore } from '../adapters/aws/dynamodb/mesh-evidence-store.ts';
import type { MeshEvidenceStore } from '../core/mesh/evidence.ts';
import { CatalogAwareGraphStore } from '../core/catalog/dependency-graph.ts';
import type { DependencyGraphStore } from '../core/mesh/graph.ts';
import { wiring } from '../wiring.ts';
import { serviceCatalog } from './catalog.ts';

let graphs: { base: unknown; store: DependencyGraphStore } | undefined;

/** The per-cluster dependency graphs (mesh and catalog), as the pull writes and alert grouping and healing safety read them (RCA reads the catalog directly). */
export function dependencyGraphStore(): DependencyGraphStore {
  const base = wiring();
  if (graphs?.base !== base)
    graphs = {
      base,
      store: new CatalogAwareGraphStore(new DynamoDependencyGraphStore({ client: base.documentClient, tableName: base.config.TABLE_NAME }), {
        snapshot: async () => serviceCatalog().snapshot(),
      }),
    };
  return graphs.store;
}

let evidence: { base: unknown; store: MeshEvidenceStore } | undefined;

/** The per-cluster mesh edge evidence, as the pull writes it and alert grouping reads it. */
export function meshEvidenceStore(): MeshEvidenceStore {
  const base = wiring();
  if (evidence?.base !== base) evidence = { base, store: new DynamoMeshEvidenceStore({ client: base.documentClient, tableName: base.config.TABLE_NAME }) };
  return evidence.store;
}
