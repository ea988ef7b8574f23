import { defineRoute, type RouteDefinition } from '../../http/route-definition.ts';
import { Cluster, ClusterList, RbacManifestQuery, RegisterClusterRequest, RotateKubeconfigRequest } from '../../schemas/clusters.ts';
import { ErrorResponse, IdParams } from '../../schemas/common.ts';
import { unauthorized, badRequest, notFound, unreachable } from './responses.ts';

/** The routes served by functions/handlers/clusters.ts (see ../routes.ts for the whole table). */
export const CLUSTERS_ROUTES = {
  registerCluster: defineRoute({
    method: 'POST',
    path: '/v1/clusters',
    handler: 'clusters',
    auth: 'bearer',
    role: 'admin',
    summary: 'Register a cluster by kubeconfig (token or client certificate, inline CA) or EKS name; the connection is tested first',
    tags: ['clusters'],
    body: RegisterClusterRequest,
    maxBodyBytes: 128 * 1024,
    responses: {
      201: { description: 'Registered', schema: Cluster },
      ...badRequest,
      ...unauthorized,
      409: { description: 'A cluster with this name exists', schema: ErrorResponse },
      ...unreachable,
    },
  }),
  listClusters: defineRoute({
    method: 'GET',
    path: '/v1/clusters',
    handler: 'clusters',
    auth: 'bearer',
    role: 'viewer',
    summary: 'List registered clusters',
    tags: ['clusters'],
    responses: { 200: { description: 'Clusters', schema: ClusterList }, ...unauthorized },
  }),
  getCluster: defineRoute({
    method: 'GET',
    path: '/v1/clusters/{id}',
    handler: 'clusters',
    auth: 'bearer',
    role: 'viewer',
    summary: 'One registered cluster',
    tags: ['clusters'],
    params: IdParams,
    responses: { 200: { description: 'Cluster', schema: Cluster }, ...unauthorized, ...notFound },
  }),
  deleteCluster: defineRoute({
    method: 'DELETE',
    path: '/v1/clusters/{id}',
    handler: 'clusters',
    auth: 'bearer',
    role: 'admin',
    summary: 'Deregister a cluster and delete its stored credentials',
    tags: ['clusters'],
    params: IdParams,
    responses: { 204: { description: 'Deleted' }, ...unauthorized, ...notFound },
  }),
  rotateKubeconfig: defineRoute({
    method: 'PUT',
    path: '/v1/clusters/{id}/kubeconfig',
    handler: 'clusters',
    auth: 'bearer',
    role: 'admin',
    summary: 'Rotate the credentials of a cluster; tested before they replace the old ones',
    tags: ['clusters'],
    params: IdParams,
    body: RotateKubeconfigRequest,
    maxBodyBytes: 128 * 1024,
    responses: { 200: { description: 'Rotated', schema: Cluster }, ...badRequest, ...unauthorized, ...notFound, ...unreachable },
  }),
  rbacManifest: defineRoute({
    method: 'GET',
    path: '/v1/rbac-manifest',
    handler: 'clusters',
    auth: 'bearer',
    role: 'viewer',
    summary:
      'Least-privilege ServiceAccount, ClusterRole and binding (YAML) to apply on a cluster before registering it; deployNamespaces adds a deploy Role in each, secretChangeNamespaces a Role listing Secrets (for the RCA change timeline) in each',
    tags: ['clusters'],
    query: RbacManifestQuery,
    responses: { 200: { description: 'application/yaml manifest' }, ...unauthorized },
  }),
} satisfies Record<string, RouteDefinition>;
