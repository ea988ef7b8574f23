/**
 * Cost allocation of one pull, following OpenCost's model
 * (https://opencost.io/docs/specification): each node's hourly price is split into a price per core-hour
 * and per GiB-hour by OpenCost's default CPU:RAM price ratio; each container is charged for
 * max(request, usage) of each resource over the interval; what no container is charged for is the
 * cluster's idle cost. On an over-committed node the charges are scaled down to the node's capacity,
 * so idle never goes negative and `sum(items) + idle = total` holds exactly.
 */
import { serviceOfPod } from '../metrics/pod-service.ts';
import { tryParseQuantity } from '../metrics/quantity.ts';
import type { AllocationItem, CapacityType, ClusterAllocation, ContainerSample, CostNode, CostPod, NodePrice, NodePriceQuery, PodUsage } from './types.ts';

/** OpenCost's default on-demand prices (configs/default.json): $ per vCPU-hour and per GiB-hour. Only their ratio is used when a node's price is known. */
export const OPENCOST_DEFAULT_CPU_HOURLY = 0.031611;
export const OPENCOST_DEFAULT_RAM_GIB_HOURLY = 0.004237;

const GIB = 1024 ** 3;
/** Average usage at or above this share of the CPU limit counts as throttled: the CFS quota (100 ms periods) cuts the bursts of a container that averages this close to its limit. */
export const THROTTLED_SHARE = 0.8;

export const INSTANCE_TYPE_LABELS = ['node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type'];
export const REGION_LABELS = ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'];

/** Karpenter, EKS managed node groups and a few common conventions. */
export function capacityTypeOf(labels: Record<string, string> = {}): CapacityType {
  const v = (labels['karpenter.sh/capacity-type'] ?? labels['eks.amazonaws.com/capacityType'] ?? labels['node.kubernetes.io/lifecycle'] ?? '').toLowerCase();
  return v === 'spot' ? 'spot' : 'on-demand';
}

export function nodePriceQuery(cluster: string, node: CostNode): NodePriceQuery {
  const labels = node.metadata.labels ?? {};
  const capacity = node.status?.capacity ?? node.status?.allocatable ?? {};
  const instanceType = INSTANCE_TYPE_LABELS.map((l) => labels[l]).find(Boolean);
  const region = REGION_LABELS.map((l) => labels[l]).find(Boolean);
  return {
    cluster,
    ...(instanceType ? { instanceType } : {}),
    ...(region ? { region } : {}),
    capacityType: capacityTypeOf(labels),
    cpu: tryParseQuantity(capacity.cpu) ?? 0,
    memoryGiB: (tryParseQuantity(capacity.memory) ?? 0) / GIB,
  };
}

/** Splits a node's hourly price into $/core-hour and $/GiB-hour by OpenCost's default CPU:RAM ratio. */
export function splitNodePrice(hourly: number, cpu: number, memoryGiB: number): { cpuCoreHour: number; memoryGiBHour: number } {
  const ratio = OPENCOST_DEFAULT_CPU_HOURLY / OPENCOST_DEFAULT_RAM_GIB_HOURLY;
  const denominator = ratio * cpu + memoryGiB;
  if (!(denominator > 0)) return { cpuCoreHour: 0, memoryGiBHour: 0 };
  const memoryGiBHour = hourly / denominator;
  return { cpuCoreHour: memoryGiBHour * ratio, memoryGiBHour };
}

/** The workload a pod belongs to: its controller's name (ReplicaSet → Deployment by the pod-name convention), else its `app` labels. */
export function workloadOfPod(pod: CostPod): string {
  const name = pod.metadata.name;
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller) ?? pod.metadata.ownerReferences?.[0];
  if (owner && owner.kind !== 'ReplicaSet') return owner.name;
  if (owner) {
    // A Deployment's ReplicaSet is `<deployment>-<pod-template-hash>`.
    const hash = pod.metadata.labels?.['pod-template-hash'];
    if (hash && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -hash.length - 1);
    const m = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5,10}$/.exec(owner.name);
    if (m) return m[1]!;
  }
  return serviceOfPod(name) ?? pod.metadata.labels?.['app.kubernetes.io/name'] ?? pod.metadata.labels?.app ?? name;
}

function terminatedSince(t: { reason?: string; finishedAt?: string | Date } | undefined, since: number): boolean {
  if (t?.reason !== 'OOMKilled') return false;
  const at = t.finishedAt ? new Date(t.finishedAt).getTime() : NaN;
  return Number.isFinite(at) ? at > since : true;
}

export interface AllocateInput {
  cluster: string;
  nodes: CostNode[];
  pods: CostPod[];
  usage: PodUsage[];
  /** Prices of the nodes, in the order of `nodes`. */
  prices: NodePrice[];
  /** Length of the interval this pull stands for. */
  intervalSeconds: number;
  /** End of the interval (OOM kills after `now - interval` count for this pull). */
  now: Date;
}

const RUNNING_PHASES = new Set(['Running', 'Pending', 'Unknown']);

export function allocate(input: AllocateInput): ClusterAllocation {
  const hours = input.intervalSeconds / 3600;
  const since = input.now.getTime() - input.intervalSeconds * 1000;
  const usageByPod = new Map(input.usage.map((u) => [`${u.namespace}/${u.name}`, new Map(u.containers.map((c) => [c.name, c]))]));
  const podsByNode = new Map<string, CostPod[]>();
  for (const pod of input.pods) {
    const node = pod.spec?.nodeName;
    // A pod charges its node while it holds resources there (scheduled and not finished).
    if (!node || !RUNNING_PHASES.has(pod.status?.phase ?? 'Pending')) continue;
    const list = podsByNode.get(node) ?? [];
    list.push(pod);
    podsByNode.set(node, list);
  }

  const items = new Map<string, AllocationItem>();
  const samples: ContainerSample[] = [];
  const nodes: ClusterAllocation['nodes'] = [];
  let total = 0;
  let charged = 0;
  let capCpu = 0;
  let capMem = 0;
  let weightedCpu = 0;
  let weightedMem = 0;

  input.nodes.forEach((node, i) => {
    const q = nodePriceQuery(input.cluster, node);
    const price = input.prices[i] ?? { hourly: 0, source: 'default' as const };
    const nodeCost = price.hourly * hours;
    total += nodeCost;
    nodes.push({
      name: node.metadata.name,
      hourly: price.hourly,
      source: price.source,
      ...(q.instanceType ? { instanceType: q.instanceType } : {}),
      capacityType: q.capacityType,
    });
    const rates = splitNodePrice(price.hourly, q.cpu, q.memoryGiB);
    capCpu += q.cpu;
    capMem += q.memoryGiB;
    weightedCpu += rates.cpuCoreHour * q.cpu;
    weightedMem += rates.memoryGiBHour * q.memoryGiB;

    // What each container on the node is charged for: max(request, usage) per resource.
    const lines: { pod: CostPod; workload: string; cpu: number; memGiB: number }[] = [];
    for (const pod of podsByNode.get(node.metadata.name) ?? []) {
      const ns = pod.metadata.namespace ?? 'default';
      const workload = workloadOfPod(pod);
      const used = usageByPod.get(`${ns}/${pod.metadata.name}`);
      const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
      for (const c of pod.spec?.containers ?? []) {
        const req = { cpu: tryParseQuantity(c.resources?.requests?.cpu), memory: tryParseQuantity(c.resources?.requests?.memory) };
        const lim = { cpu: tryParseQuantity(c.resources?.limits?.cpu), memory: tryParseQuantity(c.resources?.limits?.memory) };
        // Kubernetes defaults a missing request to the limit.
        const requests = { cpu: req.cpu ?? lim.cpu, memory: req.memory ?? lim.memory };
        const u = used?.get(c.name);
        const cpu = Math.max(requests.cpu ?? 0, u?.cpu ?? 0);
        const mem = Math.max(requests.memory ?? 0, u?.memory ?? 0);
        lines.push({ pod, workload, cpu, memGiB: mem / GIB });
        const st = statuses.get(c.name);
        const oomKilled = terminatedSince(st?.lastState?.terminated, since) || terminatedSince(st?.state?.terminated, since);
        // A container being restarted after an OOM kill has no usage this pull, but its kill is evidence.
        if (u || oomKilled) {
          samples.push({
            measured: u !== undefined,
            namespace: ns,
            workload,
            container: c.name,
            pod: pod.metadata.name,
            cpu: u?.cpu ?? 0,
            memory: u?.memory ?? 0,
            requests: { ...(requests.cpu !== undefined ? { cpu: requests.cpu } : {}), ...(requests.memory !== undefined ? { memory: requests.memory } : {}) },
            limits: { ...(lim.cpu !== undefined ? { cpu: lim.cpu } : {}), ...(lim.memory !== undefined ? { memory: lim.memory } : {}) },
            oomKilled,
            throttled: u !== undefined && lim.cpu !== undefined && lim.cpu > 0 && u.cpu >= THROTTLED_SHARE * lim.cpu,
          });
        }
      }
    }
    // Over-committed node: charge at most its capacity, shared in proportion.
    const sumCpu = lines.reduce((s, l) => s + l.cpu, 0);
    const sumMem = lines.reduce((s, l) => s + l.memGiB, 0);
    const cpuScale = q.cpu > 0 && sumCpu > q.cpu ? q.cpu / sumCpu : 1;
    const memScale = q.memoryGiB > 0 && sumMem > q.memoryGiB ? q.memoryGiB / sumMem : 1;
    for (const l of lines) {
      const cpuCost = l.cpu * cpuScale * rates.cpuCoreHour * hours;
      const memoryCost = l.memGiB * memScale * rates.memoryGiBHour * hours;
      const ns = l.pod.metadata.namespace ?? 'default';
      const key = `${ns}/${l.workload}`;
      const item = items.get(key) ?? { namespace: ns, service: l.workload, cost: 0, cpuCost: 0, memoryCost: 0 };
      item.cpuCost += cpuCost;
      item.memoryCost += memoryCost;
      item.cost += cpuCost + memoryCost;
      items.set(key, item);
      charged += cpuCost + memoryCost;
    }
  });

  return {
    total,
    idle: Math.max(0, total - charged),
    items: [...items.values()].sort((a, b) => b.cost - a.cost),
    samples,
    rates: {
      cpuCoreHour: capCpu > 0 ? weightedCpu / capCpu : OPENCOST_DEFAULT_CPU_HOURLY,
      memoryGiBHour: capMem > 0 ? weightedMem / capMem : OPENCOST_DEFAULT_RAM_GIB_HOURLY,
    },
    nodes,
  };
}
