/**
 * What core needs from a Kubernetes cluster, in plain domain types. Implemented by
 * functions/adapters/kube/kube-gateway.ts. The client it hands out (functions/ports.ts
 * KubeClusterClient) speaks Kubernetes API objects; core only passes it through, so it is a type
 * parameter here and core never depends on @kubernetes/client-node.
 */
import type { SafeKubeconfig } from './kubeconfig-policy.ts';
import type { NamespaceRules } from './permissions.ts';

export interface ClusterVersion {
  gitVersion: string;
  platform: string;
}

export interface PodMetrics {
  name: string;
  namespace: string;
  timestamp?: string;
  containers: Array<{ name: string; cpu: string; memory: string }>;
}

/** What core itself calls on a cluster client; the full client (functions/ports.ts) is the adapter's business. */
export interface ClusterProbe {
  version(): Promise<ClusterVersion>;
}

export interface ClusterTarget {
  clusterId: string;
  /** Changes whenever the stored credentials change (e.g. a hash or secret version id). */
  credentialsVersion: string;
  creds: SafeKubeconfig;
}

/** What the credentials may do, asked of the cluster itself. */
export interface AccessReviewer {
  /** Namespace names (a list the credentials may not make fails). */
  namespaceNames(): Promise<string[]>;
  /** A SelfSubjectRulesReview in `namespace`. */
  rulesIn(namespace: string): Promise<NamespaceRules>;
}

export interface KubeGateway<Client extends ClusterProbe = ClusterProbe> {
  /** GET /version with fresh, unpooled credentials (registration and rotation). */
  version(creds: SafeKubeconfig): Promise<ClusterVersion>;
  /** Reviews of what these (fresh, unpooled) credentials may do. */
  accessReviewer(creds: SafeKubeconfig): Promise<AccessReviewer>;
  /** A pooled client for a registered cluster. */
  client(target: ClusterTarget): Promise<Client>;
  /** Drop the pooled client (cluster deleted or credentials rotated). */
  forget(clusterId: string): void;
}
