import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { ErrorResponse } from '../../schemas/common.ts';
import {
  BackstageEntityList,
  CatalogEntityList,
  CatalogEntityQuery,
  CatalogGraph,
  CatalogGraphQuery,
  CatalogIngestResult,
  CatalogYaml,
  MicroserviceParams,
} from '../../schemas/catalog.ts';
import { unauthorized, badRequest, notFound } from './responses.ts';

/** The routes served by functions/handlers/catalog.ts (see ../routes.ts for the whole table). */
export const CATALOG_ROUTES = {
  ingestCatalogEntities: defineRoute({
    method: 'POST',
    path: '/v1/catalog/entities',
    handler: 'catalog',
    auth: 'bearer',
    role: 'operator',
    summary: 'Ingest Backstage catalog-info.yaml documents (one or many); invalid documents are rejected one by one with the reason, valid ones are kept',
    tags: ['catalog'],
    body: CatalogYaml,
    bodyFormat: 'yaml',
    maxBodyBytes: 1024 * 1024,
    responses: {
      200: { description: 'Ingested', schema: CatalogIngestResult },
      ...badRequest,
      ...unauthorized,
      413: { description: 'Payload too large', schema: ErrorResponse },
      415: { description: 'Not application/yaml', schema: ErrorResponse },
    },
  }),
  listCatalogEntities: defineRoute({
    method: 'GET',
    path: '/v1/catalog/entities',
    handler: 'catalog',
    auth: 'bearer',
    role: 'viewer',
    summary: 'Catalog entities with their normalised refs and relations (filter by kind)',
    tags: ['catalog'],
    query: CatalogEntityQuery,
    responses: { 200: { description: 'Entities', schema: CatalogEntityList }, ...badRequest, ...unauthorized },
  }),
  catalogGraph: defineRoute({
    method: 'GET',
    path: '/v1/catalog/graph',
    handler: 'catalog',
    auth: 'bearer',
    role: 'viewer',
    summary: 'The neighbourhood of an entity: its relations, and everything upstream and downstream along dependsOn and API edges',
    tags: ['catalog'],
    query: CatalogGraphQuery,
    responses: { 200: { description: 'Graph', schema: CatalogGraph }, ...badRequest, ...unauthorized, ...notFound },
  }),
  backstageClusters: defineRoute({
    method: 'GET',
    path: '/v1/catalog/backstage/clusters',
    handler: 'catalog',
    auth: 'bearer',
    role: 'viewer',
    summary: 'Registered clusters as Backstage Resource entities (type kubernetes-cluster), for a Backstage instance to import',
    tags: ['catalog'],
    responses: { 200: { description: 'Backstage entities', schema: BackstageEntityList }, ...unauthorized },
  }),
  goldenPathMicroservice: defineRoute({
    method: 'POST',
    path: '/v1/golden-paths/microservice',
    handler: 'catalog',
    auth: 'bearer',
    role: 'operator',
    summary:
      'Generate a production-ready microservice skeleton (catalog-info.yaml, non-root Dockerfile, Helm chart, CI, alert rules) as application/gzip; `register` also adds it to the catalog',
    tags: ['catalog'],
    body: MicroserviceParams,
    maxBodyBytes: 16 * 1024,
    responses: { 200: { description: 'application/gzip: a tar.gz of the skeleton' }, ...badRequest, ...unauthorized },
  }),
} satisfies Record<string, RouteDefinition>;
