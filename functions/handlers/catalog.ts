import { stringify } from 'yaml';
import { clusterResourceEntity } from '../core/catalog/backstage.ts';
import { requestedRef } from '../core/catalog/entity.ts';
import { catalogInfo, goldenPathDeployment, microserviceSkeleton, type MicroserviceInput } from '../core/catalog/golden-path.ts';
import { canonicalJson, deploymentIdFor } from '../core/deploy/identity.ts';
import { CreateDeploymentRequest } from '../schemas/deployments.ts';
import { apiDeployer } from '../wiring/deploy-api.ts';
import { ingestCatalog } from '../core/catalog/ingest.ts';
import { ConflictError, NotFoundError, UnsupportedMediaTypeError, ValidationError } from '../core/errors.ts';
import { CATALOG_ROUTES } from '../definitions/routes/catalog.ts';
import { httpHandler } from '../http/http-handler.ts';
import { hasRole, type Identity } from '../core/identity/identity.ts';
import { requireProdApprover } from '../core/deploy/prod-gate.ts';
import { binary, json } from '../http/responses.ts';
import { archiveWriter, catalogStore, serviceCatalog } from '../wiring/catalog.ts';
import { clusterStore } from '../wiring/cluster-store.ts';
import { wiring } from '../wiring.ts';

export const handler = httpHandler(CATALOG_ROUTES, {
  ingestCatalogEntities: async ({ body, headers, identity }) => {
    const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type && !['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'].includes(type)) {
      throw new UnsupportedMediaTypeError('application/yaml');
    }
    // An entity belongs to the caller that created it; only an admin takes over another's.
    const result = await ingestCatalog(catalogStore(), body, {
      source: `api:${identity.subject}`,
      at: wiring().clock.now(),
      takeOver: hasRole(identity, 'admin'),
    });
    serviceCatalog().invalidate();
    return json(200, result);
  },

  listCatalogEntities: async ({ query }) => {
    const items = await catalogStore().list(query.kind);
    return json(200, { items: items.sort((a, b) => a.ref.localeCompare(b.ref)) });
  },

  catalogGraph: async ({ query }) => {
    const ref = requestedRef(query.entity);
    const catalog = await serviceCatalog().snapshot();
    if (!catalog.get(ref)) throw new NotFoundError(`${ref} is not in the catalog`);
    return json(200, catalog.neighbourhood(ref, query.depth ?? 5));
  },

  backstageClusters: async ({ headers }) => {
    const clusters = await clusterStore().list();
    const items = clusters.sort((a, b) => a.name.localeCompare(b.name)).map((record) => clusterResourceEntity(record));
    // A Backstage URL location reads YAML documents; API clients get JSON.
    if (/yaml/i.test(headers.accept ?? ''))
      return { status: 200, body: items.map((i) => stringify(i)).join('---\n'), headers: { 'content-type': 'application/yaml' } };
    return json(200, { items });
  },

  goldenPathMicroservice: async ({ body, identity }) => {
    // Everything a deploy needs is checked before anything is stored.
    const deployment = body.deploy ? await plannedDeployment(body, identity) : undefined;
    const archive = await archiveWriter().tarGz(microserviceSkeleton(body));
    let registered: string | undefined;
    if (body.register) {
      const result = await ingestCatalog(catalogStore(), stringify(catalogInfo(body)), {
        source: `api:${identity.subject}`,
        at: wiring().clock.now(),
        takeOver: hasRole(identity, 'admin'),
      });
      serviceCatalog().invalidate();
      registered = result.refs[0];
    }
    let deploymentId: string | undefined;
    if (deployment) {
      // The same request is the same deployment: a retried golden-path call starts nothing new.
      const id = deploymentIdFor('golden-path', canonicalJson(deployment));
      deploymentId = (await apiDeployer().create({ id, trigger: 'golden-path', ...deployment })).id;
    }
    return binary(200, archive, 'application/gzip', {
      'content-disposition': `attachment; filename="${body.name}.tar.gz"`,
      ...(registered ? { 'x-fleetops-entity-ref': registered } : {}),
      ...(deploymentId ? { 'x-fleetops-deployment-id': deploymentId } : {}),
    });
  },
});

/** The deployment a golden-path `deploy` asks for, validated like POST /v1/deployments, to an environment that has clusters. */
async function plannedDeployment(body: MicroserviceInput, identity: Identity) {
  const deploy = body.deploy!;
  const chart = deploy.chart ?? wiring().config.goldenChart;
  if (!chart) {
    throw new ValidationError(
      'deploy.chart: no golden chart is configured here (FLEETOPS_GOLDEN_CHART_REPO_URL and _VERSION); name the chart to deploy',
      undefined,
      'NO_GOLDEN_CHART',
    );
  }
  const request = CreateDeploymentRequest.parse(goldenPathDeployment(body, chart));
  const all = await clusterStore().list();
  // A golden path deploying to prod needs an approver, as every other entry point.
  requireProdApprover(identity, request.waves, all);
  const clusters = all.filter((c) => c.status === 'active' && c.environment === deploy.environment);
  if (clusters.length === 0)
    throw new ConflictError(`deploy.environment: no active cluster is registered with environment ${deploy.environment}`, 'NO_CLUSTERS');
  return request;
}
