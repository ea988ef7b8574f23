/** Every port cost allocation and right-sizing need, and only those. */
import type { ClusterAllocation, CostNode, CostPod, NodePrice, NodePriceQuery, PodUsage } from './types.ts';
import type { UsageDelta, UsageDay } from './rightsizing.ts';
import type { CapacitySeries } from './capacity.ts';
import type { DeploymentStore } from '../deploy/store.ts';
import type { DeployRequests } from '../deploy/requests.ts';

/** Hourly node prices: the AWS Price List API (cached) in AWS, the shipped snapshot locally. */
export interface PriceSource {
  /** undefined when this source does not know the instance type/region. */
  price(query: NodePriceQuery): Promise<NodePrice | undefined>;
}

/** What one pull reads from a cluster for cost allocation: one list of nodes, one of pods, and metrics.k8s.io usage. */
export interface ClusterResources {
  nodes: CostNode[];
  pods: CostPod[];
  usage: PodUsage[];
}

/** One stored daily row: a workload's cost, or (service undefined) a cluster's node total and idle. */
export interface DailyCostRow {
  date: string;
  clusterId: string;
  cluster: string;
  namespace?: string;
  service?: string;
  cost: number;
  /** Cluster rows only. */
  idle?: number;
  rates?: { cpuCoreHour: number; memoryGiBHour: number };
}

export interface CostPullRecord {
  clusterId: string;
  cluster: string;
  pullId: string;
  /** UTC date (YYYY-MM-DD) the pull's cost is booked on. */
  date: string;
  at: Date;
  allocation: Pick<ClusterAllocation, 'total' | 'idle' | 'items' | 'rates'>;
  usage: UsageDelta[];
}

export interface CostStore {
  /** Adds one pull's cost and usage to the daily aggregates, once per (cluster, pull): a retried pull adds nothing. */
  recordPull(record: CostPullRecord): Promise<boolean>;
  /** Daily rows of the dates in [from, to] (inclusive, YYYY-MM-DD). */
  daily(from: string, to: string): Promise<DailyCostRow[]>;
  /** Daily usage summaries of the dates in [from, to]. */
  usage(from: string, to: string): Promise<UsageDay[]>;
  /** The cluster's capacity series (memory against limits, per container) and their breach state. */
  capacity(clusterId: string): Promise<CapacitySeries[]>;
  /** Replaces the cluster's series with `series` (dropping those not in it). */
  putCapacity(clusterId: string, series: CapacitySeries[], previous: CapacitySeries[], at: Date): Promise<void>;
}

/** What applying a recommendation reads of the deployments fleetops made: their records and each release's history per cluster. */
export type FleetopsReleases = Pick<DeploymentStore, 'get' | 'list' | 'releaseHistory'>;

/** The deploy request `POST /v1/deployments` makes (core/deploy/requests.ts): the prod gate, then the deploy workflow. */
export type DeployStarter = Pick<DeployRequests, 'start'>;
