/**
 * What a user does before registering a cluster, for a simulated one: apply the RBAC manifest fleetops serves
 * (GET /v1/rbac-manifest, built by the same core function) with the cluster's admin credentials, mint a token for the
 * fleetops ServiceAccount with a TokenRequest (`kubectl create token`), and hand back a kubeconfig with that token.
 * End-to-end tests and the demo register clusters with it, so a permission fleetops needs but the manifest lacks is a
 * 403 there, as on a real cluster. The simulator's own control API (/sim/v1/...) keeps using the admin token.
 */
import { CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { FLEETOPS_NAMESPACE, FLEETOPS_SERVICE_ACCOUNT, rbacManifestDocuments, type RbacManifestOptions } from '../../functions/core/clusters/rbac-manifest.ts';

/** Every namespace an end-to-end test or the demo deploys into (deployments, the golden path's service namespace, right-sizing, Slack). */
export const SIMULATED_DEPLOY_NAMESPACES = ['shop', 'apps', 'checkout', 'checkout-api'];

/** The longest the simulator issues (a real API server's --service-account-max-token-expiration decides there). */
const TOKEN_SECONDS = 48 * 3600;

export interface SimulatedClusterAdmin {
  name: string;
  server: string;
  caData: string;
  kubeconfigYaml: string;
}

export interface LeastPrivilegeOptions extends Pick<RbacManifestOptions, 'access' | 'secretChangeNamespaces'> {
  /** Default SIMULATED_DEPLOY_NAMESPACES with access `deploy` (the default); created first when missing, as Roles need them. */
  deployNamespaces?: string[];
}

const isConflict = (error: unknown) => (error as { code?: unknown })?.code === 409;

/** Applies the served manifest to a simulated cluster and returns a kubeconfig for its ServiceAccount. */
export async function leastPrivilegeKubeconfig(cluster: SimulatedClusterAdmin, options: LeastPrivilegeOptions = {}): Promise<string> {
  return (await leastPrivilegeAccess(cluster, options)).kubeconfigYaml;
}

/** The same, with the minted token itself (for tests that look for it where it must never be). */
export async function leastPrivilegeAccess(
  cluster: SimulatedClusterAdmin,
  options: LeastPrivilegeOptions = {},
): Promise<{ kubeconfigYaml: string; token: string }> {
  const access = options.access ?? 'deploy';
  const deployNamespaces = access === 'deploy' ? (options.deployNamespaces ?? SIMULATED_DEPLOY_NAMESPACES) : [];
  const admin = new KubeConfig();
  admin.loadFromString(cluster.kubeconfigYaml);
  const core = admin.makeApiClient(CoreV1Api);
  const objects = KubernetesObjectApi.makeApiClient(admin);

  for (const name of deployNamespaces) {
    await core.createNamespace({ body: { metadata: { name } } }).catch((error: unknown) => {
      if (!isConflict(error)) throw error;
    });
  }
  const documents = rbacManifestDocuments({ access, deployNamespaces, secretChangeNamespaces: options.secretChangeNamespaces }) as KubernetesObject[];
  for (const doc of documents) {
    try {
      await objects.create(doc);
    } catch (error) {
      if (!isConflict(error)) throw error;
      // `kubectl apply` over an earlier apply: the manifest wins.
      const current = await objects.read({
        apiVersion: doc.apiVersion!,
        kind: doc.kind!,
        metadata: { name: doc.metadata!.name!, namespace: doc.metadata?.namespace },
      });
      await objects.replace({ ...doc, metadata: { ...doc.metadata, resourceVersion: current.metadata?.resourceVersion } });
    }
  }
  const minted = await core.createNamespacedServiceAccountToken({
    name: FLEETOPS_SERVICE_ACCOUNT,
    namespace: FLEETOPS_NAMESPACE,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [], expirationSeconds: TOKEN_SECONDS } },
  });
  const token = minted.status?.token;
  if (!token) throw new Error(`TokenRequest for ${FLEETOPS_NAMESPACE}/${FLEETOPS_SERVICE_ACCOUNT} on ${cluster.name} returned no token`);
  return { kubeconfigYaml: kubeconfigWithToken(cluster, token), token };
}

function kubeconfigWithToken(cluster: SimulatedClusterAdmin, token: string): string {
  const name = cluster.name;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } }],
    users: [{ name: FLEETOPS_SERVICE_ACCOUNT, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: FLEETOPS_SERVICE_ACCOUNT } }],
    'current-context': name,
  });
}
