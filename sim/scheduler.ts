// default-scheduler: binds pending pods to Ready nodes with enough allocatable cpu/memory, spreading replicas.
import type { Cluster, PodRuntime } from './cluster.ts';
import { nowIso, parseQuantity, type Obj } from './util.ts';

export function podRequests(pod: Obj): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const ct of pod.spec?.containers ?? []) {
    const r = ct.resources?.requests ?? ct.resources?.limits ?? {};
    cpu += parseQuantity(r.cpu ?? 0) || 0;
    memory += parseQuantity(r.memory ?? 0) || 0;
  }
  return { cpu, memory };
}

export function nodeReady(node: Obj): boolean {
  return (node.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
}

export function runtimeFor(c: Cluster, pod: Obj): PodRuntime {
  let rt = c.runtime.get(pod.metadata.uid);
  if (!rt) {
    rt = { uid: pod.metadata.uid, createdAt: Date.now(), containers: new Map(), lastSchedulingAttempt: 0 };
    c.runtime.set(pod.metadata.uid, rt);
  }
  return rt;
}

function setPodScheduled(pod: Obj, status: string, reason?: string, message?: string): void {
  const conds: Obj[] = (pod.status.conditions ?? []).filter((x: Obj) => x.type !== 'PodScheduled');
  const old = (pod.status.conditions ?? []).find((x: Obj) => x.type === 'PodScheduled');
  conds.push({
    type: 'PodScheduled',
    status,
    lastProbeTime: null,
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : nowIso(),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  });
  pod.status.conditions = conds;
}

export function runScheduler(c: Cluster): void {
  const pending = c.store.list('pods').filter((p) => !p.spec.nodeName);
  if (!pending.length) return;
  const nodes = c.store.list('nodes');
  const pods = c.store.list('pods').filter((p) => p.spec.nodeName && !['Succeeded', 'Failed'].includes(p.status?.phase));
  const src = { component: 'default-scheduler' };
  for (const pod of pending) {
    const req = podRequests(pod);
    const reasons = new Map<string, number>();
    const add = (r: string): void => {
      reasons.set(r, (reasons.get(r) ?? 0) + 1);
    };
    const fits: Obj[] = [];
    for (const n of nodes) {
      if (!nodeReady(n)) {
        const t = (n.spec?.taints ?? [])[0];
        add(t ? `node(s) had untolerated taint {${t.key}: }` : 'node(s) were not ready');
        continue;
      }
      if (n.spec?.unschedulable) {
        add('node(s) were unschedulable');
        continue;
      }
      const on = pods.filter((p) => p.spec.nodeName === n.metadata.name);
      const used = on.reduce(
        (a, p) => {
          const r = podRequests(p);
          return { cpu: a.cpu + r.cpu, memory: a.memory + r.memory };
        },
        { cpu: 0, memory: 0 },
      );
      const alloc = { cpu: parseQuantity(n.status.allocatable.cpu), memory: parseQuantity(n.status.allocatable.memory) };
      let ok = true;
      if (used.cpu + req.cpu > alloc.cpu + 1e-9) {
        add('Insufficient cpu');
        ok = false;
      }
      if (used.memory + req.memory > alloc.memory) {
        add('Insufficient memory');
        ok = false;
      }
      if (on.length >= Number(n.status.allocatable.pods ?? 110)) {
        add('Too many pods');
        ok = false;
      }
      if (ok) fits.push(n);
    }
    const rt = runtimeFor(c, pod);
    if (!fits.length) {
      const now = Date.now();
      if (now - rt.lastSchedulingAttempt < 10_000) continue;
      rt.lastSchedulingAttempt = now;
      const parts = [...reasons.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([r, n]) => `${n} ${r}`);
      const msg = `0/${nodes.length} nodes are available: ${parts.join(', ')}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} No preemption victims found for incoming pod.`;
      setPodScheduled(pod, 'False', 'Unschedulable', msg);
      pod.status.phase = 'Pending';
      c.saveIfChanged('pods', pod);
      c.events.record(pod, 'Warning', 'FailedScheduling', msg, src);
      continue;
    }
    // Spread: fewest pods of the same owner, then fewest pods overall, then name.
    const owner = pod.metadata.ownerReferences?.[0]?.uid;
    const score = (n: Obj): [number, number] => {
      const on = pods.filter((p) => p.spec.nodeName === n.metadata.name);
      return [on.filter((p) => p.metadata.ownerReferences?.[0]?.uid === owner && owner).length, on.length];
    };
    fits.sort((a, b) => {
      const [a1, a2] = score(a);
      const [b1, b2] = score(b);
      return a1 - b1 || a2 - b2 || a.metadata.name.localeCompare(b.metadata.name);
    });
    const node = fits[0];
    pod.spec.nodeName = node.metadata.name;
    setPodScheduled(pod, 'True');
    const saved = c.store.update('pods', pod);
    pods.push(saved);
    c.events.record(saved, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.metadata.name}`, src);
  }
}
