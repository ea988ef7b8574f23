// Fault injection: each fault changes the cluster the way the real failure would (templates, nodes, kubelet, metrics).
import { randomBytes } from 'node:crypto';
import type { Cluster } from './cluster.ts';
import { clone, nowIso, type Obj } from './util.ts';

export const FAULT_TYPES = [
  'cpu-spike',
  'memory-leak',
  'crash-loop',
  'oom-killed',
  'image-pull-backoff',
  'error-burst',
  'latency-spike',
  'pending-unschedulable',
  'missing-configmap',
  'node-not-ready',
] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

export interface Fault {
  id: string;
  type: FaultType;
  namespace: string;
  deployment: string;
  createdAt: number;
  params: Obj;
  node?: string;
  badImages?: Record<string, { from: string; to: string }>;
  savedResources?: Record<string, Obj>;
  configMapName?: string;
  /** cpu-spike: the replica count whose CPU the extra work pegs (the deployment's replicas at injection). */
  sharedBy?: number;
}

export class FaultError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

export function publicFault(f: Fault): Obj {
  return {
    id: f.id,
    type: f.type,
    namespace: f.namespace,
    deployment: f.deployment,
    createdAt: new Date(f.createdAt).toISOString(),
    ...(f.node ? { node: f.node } : {}),
    ...(Object.keys(f.params).length ? { params: f.params } : {}),
  };
}

function updateTemplate(c: Cluster, f: Fault, fn: (containers: Obj[]) => void): void {
  const dep = c.store.get('deployments', f.namespace, f.deployment);
  if (!dep) return;
  fn(dep.spec.template.spec.containers);
  c.store.update('deployments', dep);
}

function setNodeReady(c: Cluster, nodeName: string, ready: boolean): void {
  const node = c.store.get('nodes', undefined, nodeName);
  if (!node) return;
  const now = nowIso();
  node.status.conditions = node.status.conditions.map((cond: Obj) => {
    if (ready) {
      if (cond.type === 'Ready')
        return { ...cond, status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now };
      const m: Record<string, [string, string]> = {
        MemoryPressure: ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        DiskPressure: ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        PIDPressure: ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      };
      const [reason, message] = m[cond.type] ?? [cond.reason, cond.message];
      return { ...cond, status: 'False', reason, message, lastHeartbeatTime: now, lastTransitionTime: now };
    }
    return { ...cond, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now };
  });
  const taints = (node.spec.taints ?? []).filter((t: Obj) => t.key !== 'node.kubernetes.io/unreachable');
  if (!ready) {
    taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: now });
    taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: now });
  }
  node.spec.taints = taints.length ? taints : undefined;
  if (!node.spec.taints) delete node.spec.taints;
  const saved = c.store.update('nodes', node);
  c.events.record(saved, 'Normal', ready ? 'NodeReady' : 'NodeNotReady', `Node ${nodeName} status is now: ${ready ? 'NodeReady' : 'NodeNotReady'}`, {
    component: 'node-controller',
  });
}

export function injectFault(c: Cluster, body: unknown): Fault {
  const b = (body ?? {}) as Obj;
  if (typeof b.type !== 'string' || !(FAULT_TYPES as readonly string[]).includes(b.type)) {
    throw new FaultError(400, 'BadRequest', `unknown fault type "${String(b.type)}"; supported: ${FAULT_TYPES.join(', ')}`);
  }
  const namespace = typeof b.namespace === 'string' && b.namespace ? b.namespace : 'default';
  if (typeof b.deployment !== 'string' || !b.deployment) throw new FaultError(400, 'BadRequest', 'field "deployment" is required');
  const dep = c.store.get('deployments', namespace, b.deployment);
  if (!dep) throw new FaultError(404, 'NotFound', `deployments.apps "${b.deployment}" not found in namespace "${namespace}"`);
  const params: Obj = {};
  for (const [k, v] of Object.entries(b)) if (!['type', 'namespace', 'deployment'].includes(k)) params[k] = v;
  const f: Fault = { id: randomBytes(8).toString('hex'), type: b.type as FaultType, namespace, deployment: b.deployment, createdAt: Date.now(), params };

  if (params.scope !== undefined && !(f.type === 'error-burst' && params.scope === 'caller'))
    throw new FaultError(
      400,
      'BadRequest',
      'field "scope" is only supported as "caller" on error-burst (calls fail as the callers see them, the service counts nothing)',
    );
  switch (f.type) {
    case 'cpu-spike':
      f.sharedBy = Math.max(1, dep.spec?.replicas ?? 1);
      break;
    case 'image-pull-backoff': {
      f.badImages = {};
      updateTemplate(c, f, (cs) => {
        for (const ct of cs) {
          const img = String(ct.image);
          const at = img.lastIndexOf(':');
          const repo = at > img.lastIndexOf('/') ? img.slice(0, at) : img;
          const tag = at > img.lastIndexOf('/') ? img.slice(at + 1) : 'latest';
          const bad = `${repo}:${tag}-nonexistent`;
          f.badImages![ct.name] = { from: img, to: bad };
          ct.image = bad;
        }
      });
      break;
    }
    case 'pending-unschedulable': {
      f.savedResources = {};
      const cpu = typeof params.cpu === 'string' ? params.cpu : '64';
      updateTemplate(c, f, (cs) => {
        for (const ct of cs) {
          f.savedResources![ct.name] = clone(ct.resources ?? {});
          ct.resources = { ...(ct.resources ?? {}), requests: { ...(ct.resources?.requests ?? {}), cpu }, limits: { ...(ct.resources?.limits ?? {}), cpu } };
        }
      });
      break;
    }
    case 'missing-configmap': {
      let name = typeof params.configMap === 'string' ? params.configMap : `${f.deployment}-config`;
      if (c.store.has('configmaps', namespace, name)) name = `${f.deployment}-runtime-config`;
      f.configMapName = name;
      updateTemplate(c, f, (cs) => {
        const ct = cs[0];
        ct.envFrom = [...(ct.envFrom ?? []), { configMapRef: { name } }];
      });
      break;
    }
    case 'node-not-ready': {
      const pods = c.store
        .list('pods', namespace)
        .filter((p) => p.spec.nodeName && c.deploymentOfPod(p) === f.deployment)
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      const nodeName = pods[0]?.spec.nodeName ?? c.store.list('nodes')[0]?.metadata.name;
      if (!nodeName) throw new FaultError(404, 'NotFound', 'no node found for the deployment');
      f.node = nodeName;
      setNodeReady(c, nodeName, false);
      break;
    }
    default:
      break;
  }
  c.faults.set(f.id, f);
  c.reconcile();
  return f;
}

export function removeFault(c: Cluster, id: string): Fault | undefined {
  const f = c.faults.get(id);
  if (!f) return undefined;
  c.faults.delete(id);
  switch (f.type) {
    case 'image-pull-backoff':
      updateTemplate(c, f, (cs) => {
        for (const ct of cs) {
          const b = f.badImages?.[ct.name];
          if (b && ct.image === b.to) ct.image = b.from;
        }
      });
      break;
    case 'pending-unschedulable':
      updateTemplate(c, f, (cs) => {
        for (const ct of cs) {
          const saved = f.savedResources?.[ct.name];
          if (saved) ct.resources = clone(saved);
        }
      });
      break;
    case 'missing-configmap':
      updateTemplate(c, f, (cs) => {
        for (const ct of cs) {
          if (!ct.envFrom) continue;
          ct.envFrom = ct.envFrom.filter((e: Obj) => e.configMapRef?.name !== f.configMapName);
          if (!ct.envFrom.length) delete ct.envFrom;
        }
      });
      break;
    case 'node-not-ready': {
      const stillDown = [...c.faults.values()].some((x) => x.type === 'node-not-ready' && x.node === f.node);
      if (f.node && !stillDown) setNodeReady(c, f.node, true);
      break;
    }
    default:
      break;
  }
  // Containers held in back-off start again promptly once the cause is gone.
  for (const p of c.store.list('pods', f.namespace)) {
    if (c.deploymentOfPod(p) !== f.deployment) continue;
    const rt = c.runtime.get(p.metadata.uid);
    for (const cr of rt?.containers.values() ?? []) cr.nextActionAt = 0;
  }
  c.reconcile();
  return f;
}
