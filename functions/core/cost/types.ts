/**
 * What cost allocation reads from a cluster, as structural subsets of the Kubernetes objects (what
 * @kubernetes/client-node returns fits them), and what it produces. Core never imports the client.
 */

export interface CostNode {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { capacity?: Record<string, string>; allocatable?: Record<string, string> };
}

export interface CostContainerSpec {
  name: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface CostContainerStatus {
  name: string;
  restartCount?: number;
  lastState?: { terminated?: { reason?: string; finishedAt?: string | Date } };
  state?: { terminated?: { reason?: string; finishedAt?: string | Date } };
}

export interface CostPod {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  spec?: { nodeName?: string; containers?: CostContainerSpec[] };
  status?: { phase?: string; containerStatuses?: CostContainerStatus[] };
}

/** metrics.k8s.io usage of one pod's containers (cores and bytes). */
export interface PodUsage {
  namespace: string;
  name: string;
  containers: { name: string; cpu: number; memory: number }[];
}

export type CapacityType = 'on-demand' | 'spot';

/** The price of one node per hour, and how it was found. */
export interface NodePrice {
  hourly: number;
  source: 'override' | 'price-list' | 'snapshot' | 'default';
  /** The source priced the spot capacity itself (otherwise spot = on-demand less the spot discount). */
  spot?: boolean;
}

export interface NodePriceQuery {
  cluster: string;
  instanceType?: string;
  region?: string;
  capacityType: CapacityType;
  cpu: number;
  memoryGiB: number;
}

/** One workload's share of one pull. */
export interface AllocationItem {
  namespace: string;
  service: string;
  cost: number;
  cpuCost: number;
  memoryCost: number;
}

/** One container's usage sample in one pull (right-sizing evidence). */
export interface ContainerSample {
  namespace: string;
  workload: string;
  container: string;
  pod: string;
  /** metrics.k8s.io had usage for it (false: only an OOM kill to report). */
  measured: boolean;
  cpu: number;
  memory: number;
  requests: { cpu?: number; memory?: number };
  limits: { cpu?: number; memory?: number };
  /** The container was OOM-killed since the previous pull. */
  oomKilled: boolean;
  /** Usage at (≥ 80 % of) its CPU limit: the CFS quota throttles it. */
  throttled: boolean;
}

export interface ClusterAllocation {
  /** What the nodes cost over the interval. */
  total: number;
  /** What no container was charged for. */
  idle: number;
  items: AllocationItem[];
  samples: ContainerSample[];
  /** Average $ per core-hour and per GiB-hour across the cluster's nodes (for savings). */
  rates: { cpuCoreHour: number; memoryGiBHour: number };
  nodes: { name: string; hourly: number; source: NodePrice['source']; instanceType?: string; capacityType: CapacityType }[];
}
