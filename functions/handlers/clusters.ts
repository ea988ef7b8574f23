import { rbacManifest } from '../core/clusters/rbac-manifest.ts';
import { toClusterResponse } from '../core/clusters/cluster-record.ts';
import { CLUSTERS_ROUTES } from '../definitions/routes/clusters.ts';
import { httpHandler } from '../http/http-handler.ts';
import { json, noContent } from '../http/responses.ts';
import { clusterRegistry } from '../wiring/clusters.ts';

export const handler = httpHandler(CLUSTERS_ROUTES, {
  registerCluster: async ({ body }) => json(201, toClusterResponse(await clusterRegistry().register(body))),
  listClusters: async () => json(200, { items: (await clusterRegistry().list()).map(toClusterResponse) }),
  getCluster: async ({ params }) => json(200, toClusterResponse(await clusterRegistry().get(params.id))),
  deleteCluster: async ({ params }) => {
    await clusterRegistry().remove(params.id);
    return noContent();
  },
  rotateKubeconfig: async ({ params, body }) =>
    json(200, toClusterResponse(await clusterRegistry().rotateKubeconfig(params.id, body.kubeconfig, body.context))),
  rbacManifest: async ({ query }) => ({
    status: 200,
    headers: { 'content-type': 'application/yaml' },
    body: rbacManifest({
      access: query.access,
      deployNamespaces: query.deployNamespaces ? query.deployNamespaces.split(',') : [],
      secretChangeNamespaces: query.secretChangeNamespaces ? query.secretChangeNamespaces.split(',') : [],
    }),
  }),
});
