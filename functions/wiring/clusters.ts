import { AwsEksResolver } from '../adapters/aws/eks/eks-resolver.ts';
import { KubernetesGateway } from '../adapters/kube/kube-gateway.ts';
import { ClusterRegistry } from '../core/clusters/registry.ts';
import { logger } from '../observability.ts';
import type { KubeClusterClient } from '../ports.ts';
import { wiring } from '../wiring.ts';
import { clusterStore } from './cluster-store.ts';

let registry: ClusterRegistry<KubeClusterClient> | undefined;
let builtFor: unknown;

export { clusterStore };

/** The registry and its pool of Kubernetes clients: one per warm Lambda, one client per cluster. */
export function clusterRegistry(): ClusterRegistry<KubeClusterClient> {
  const base = wiring();
  if (builtFor !== base) {
    registry = undefined;
    builtFor = base;
  }
  return (registry ??= new ClusterRegistry({
    store: clusterStore(),
    secrets: base.secrets,
    kube: new KubernetesGateway({ ...base.addressPolicy }),
    events: base.events,
    clock: base.clock,
    eks: base.config.FLEETOPS_RUNTIME === 'local' ? undefined : new AwsEksResolver(),
    policy: base.addressPolicy,
    onPublishError: (error, detailType) => logger.error('event not published', { detailType, error: error instanceof Error ? error.message : String(error) }),
  }));
}
