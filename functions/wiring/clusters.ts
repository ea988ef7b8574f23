import { DynamoClusterStore } from '../adapters/aws/dynamodb/cluster-store.ts';
import { AwsEksResolver } from '../adapters/aws/eks/eks-resolver.ts';
import { KubernetesGateway } from '../adapters/kube/kube-gateway.ts';
import type { ClusterStore } from '../core/clusters/cluster-record.ts';
import { ClusterRegistry } from '../core/clusters/registry.ts';
import { wiring } from '../wiring.ts';

let registry: ClusterRegistry | undefined;
let store: ClusterStore | undefined;
let builtFor: unknown;

export function clusterStore(): ClusterStore {
  const base = wiring();
  if (builtFor !== base) reset(base);
  return (store ??= new DynamoClusterStore(base.documentClient, base.config.TABLE_NAME));
}

/** The registry and its pool of Kubernetes clients: one per warm Lambda, one client per cluster. */
export function clusterRegistry(): ClusterRegistry {
  const base = wiring();
  if (builtFor !== base) reset(base);
  return (registry ??= new ClusterRegistry({
    store: clusterStore(),
    secrets: base.secrets,
    kube: new KubernetesGateway({ ...base.addressPolicy }),
    events: base.events,
    clock: base.clock,
    eks: base.config.FLEETOPS_RUNTIME === 'local' ? undefined : new AwsEksResolver(),
    policy: base.addressPolicy,
  }));
}

/** Rebuild when the base wiring was replaced (tests, local restarts). */
function reset(base: unknown): void {
  registry = undefined;
  store = undefined;
  builtFor = base;
}
