// Control loops: Deployment -> ReplicaSet -> Pod, StatefulSet -> Pod, Endpoints, garbage collection.
import type { Cluster } from './cluster.ts';
import { applyDefaults } from './admission.ts';
import { RESOURCES } from './resources.ts';
import { selectorToRequirements, matchLabels } from './selectors.ts';
import { canonical, clone, nowIso, randSuffix, safeHash, type Obj } from './util.ts';

const REV = 'deployment.kubernetes.io/revision';
const HASH = 'pod-template-hash';
const POD_DEF = RESOURCES.find((r) => r.kind === 'Pod')!;

export function isPodReady(pod: Obj): boolean {
  return (pod.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
}

function ownedBy(o: Obj, owner: Obj): boolean {
  return (o.metadata?.ownerReferences ?? []).some((r: Obj) => r.uid === owner.metadata.uid && r.controller);
}

function ownerRef(owner: Obj): Obj {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

function templateKey(tmpl: Obj): string {
  const t = clone(tmpl ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[HASH];
  if (t.metadata) delete t.metadata.creationTimestamp;
  return canonical(t);
}

function resolveIntOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.endsWith('%')) {
    const x = (Number(v.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return Number(v) || 0;
}

function setCondition(conds: Obj[], type: string, status: string, reason: string, message: string, updateTime: boolean): Obj[] {
  const now = nowIso();
  const old = conds.find((c) => c.type === type);
  const c: Obj = {
    type,
    status,
    lastUpdateTime: old && old.status === status && old.reason === reason && !updateTime ? old.lastUpdateTime : now,
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now,
    reason,
    message,
  };
  return [...conds.filter((x) => x.type !== type), c].sort((a, b) => a.type.localeCompare(b.type));
}

/** Creates a pod from a template (API defaults applied); scheduling and the kubelet take it from there. */
export function createPodFromTemplate(c: Cluster, owner: Obj, tmpl: Obj, name: string, extraLabels: Record<string, string> = {}): Obj {
  const pod: Obj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}), ...extraLabels },
      ...(tmpl.metadata?.annotations ? { annotations: clone(tmpl.metadata.annotations) } : {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec: clone(tmpl.spec ?? {}),
  };
  if (owner.kind === 'ReplicaSet') pod.metadata.generateName = `${owner.metadata.name}-`;
  applyDefaults(POD_DEF, pod);
  const hasReq = (pod.spec.containers ?? []).some((x: Obj) => x.resources?.requests || x.resources?.limits);
  pod.status = { phase: 'Pending', qosClass: hasReq ? 'Burstable' : 'BestEffort' };
  return c.store.create('pods', pod);
}

export function deletePod(c: Cluster, pod: Obj, reason = 'Killing'): void {
  for (const ct of pod.spec?.containers ?? []) {
    const rt = c.runtime.get(pod.metadata.uid)?.containers.get(ct.name);
    if (rt?.everStarted) {
      c.events.record(pod, 'Normal', reason, `Stopping container ${ct.name}`, { component: 'kubelet', host: pod.spec.nodeName }, `spec.containers{${ct.name}}`);
    }
  }
  c.store.delete('pods', pod.metadata.namespace, pod.metadata.name);
  c.runtime.delete(pod.metadata.uid);
}

function podsOf(c: Cluster, owner: Obj): Obj[] {
  return c.store.listWhere('pods', owner.metadata.namespace, (p) => ownedBy(p, owner));
}

function scaleRs(c: Cluster, dep: Obj, rs: Obj, to: number): void {
  const from = rs.spec.replicas ?? 0;
  if (from === to) return;
  rs.spec.replicas = to;
  rs.metadata.annotations = {
    ...(rs.metadata.annotations ?? {}),
    'deployment.kubernetes.io/desired-replicas': String(dep.spec.replicas),
    'deployment.kubernetes.io/max-replicas': String(dep.spec.replicas + 1),
  };
  c.store.update('replicasets', rs);
  const dir = to > from ? 'up' : 'down';
  c.events.record(dep, 'Normal', 'ScalingReplicaSet', `Scaled ${dir} replica set ${rs.metadata.name} to ${to} from ${from}`, {
    component: 'deployment-controller',
  });
}

function reconcileDeployment(c: Cluster, dep: Obj): void {
  const ns = dep.metadata.namespace;
  const rss = c.store.listWhere('replicasets', ns, (rs) => ownedBy(rs, dep));
  const key = templateKey(dep.spec.template);
  const maxRev = Math.max(0, ...rss.map((rs) => Number(rs.metadata.annotations?.[REV] ?? 0)));
  let newRs = rss.find((rs) => templateKey(rs.spec.template) === key);
  if (!newRs) {
    const hash = safeHash(key, 10);
    const tmpl = clone(dep.spec.template);
    tmpl.metadata = tmpl.metadata ?? {};
    tmpl.metadata.labels = { ...(tmpl.metadata.labels ?? {}), [HASH]: hash };
    let name = `${dep.metadata.name}-${hash}`;
    if (c.store.has('replicasets', ns, name)) name = `${dep.metadata.name}-${safeHash(key + randSuffix(), 10)}`;
    newRs = c.store.create('replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: ns,
        labels: { ...(dep.spec.template.metadata?.labels ?? {}), [HASH]: hash },
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(dep.spec.replicas),
          'deployment.kubernetes.io/max-replicas': String(dep.spec.replicas + 1),
          [REV]: String(maxRev + 1),
        },
        ownerReferences: [ownerRef(dep)],
      },
      spec: {
        replicas: 0,
        minReadySeconds: dep.spec.minReadySeconds ?? 0,
        selector: { ...clone(dep.spec.selector), matchLabels: { ...(dep.spec.selector?.matchLabels ?? {}), [HASH]: hash } },
        template: tmpl,
      },
      status: { replicas: 0 },
    });
  } else if (Number(newRs.metadata.annotations?.[REV] ?? 0) < maxRev) {
    // Rollback (or re-rollout of an old template): the old ReplicaSet becomes the newest revision.
    newRs.metadata.annotations = { ...(newRs.metadata.annotations ?? {}), [REV]: String(maxRev + 1) };
    newRs = c.store.update('replicasets', newRs);
    c.events.record(dep, 'Normal', 'DeploymentRollback', `Rolled back deployment "${dep.metadata.name}" to revision ${maxRev + 1}`, {
      component: 'deployment-controller',
    });
  }
  const newName = newRs.metadata.name;
  const rev = newRs.metadata.annotations?.[REV];
  if (dep.metadata.annotations?.[REV] !== rev) {
    dep.metadata.annotations = { ...(dep.metadata.annotations ?? {}), [REV]: rev };
    Object.assign(dep, c.store.update('deployments', dep));
  }

  const fresh = (): { cur: Obj; old: Obj[] } => {
    const all = c.store.listWhere('replicasets', ns, (rs) => ownedBy(rs, dep));
    return { cur: all.find((r) => r.metadata.name === newName)!, old: all.filter((r) => r.metadata.name !== newName) };
  };
  const desired = dep.spec.replicas ?? 1;
  const available = (rs: Obj): number => podsOf(c, rs).filter(isPodReady).length;

  if (!dep.spec.paused) {
    let { cur, old } = fresh();
    const oldActive = old.filter((r) => (r.spec.replicas ?? 0) > 0);
    if (dep.spec.strategy?.type === 'Recreate') {
      for (const r of oldActive) scaleRs(c, dep, r, 0);
      const oldPods = old.reduce((n, r) => n + podsOf(c, r).length, 0);
      if (oldPods === 0) scaleRs(c, dep, cur, desired);
    } else if (oldActive.length === 0) {
      scaleRs(c, dep, cur, desired);
    } else {
      const ru = dep.spec.strategy?.rollingUpdate ?? {};
      const maxSurge = resolveIntOrPercent(ru.maxSurge ?? '25%', desired, true);
      let maxUnavailable = resolveIntOrPercent(ru.maxUnavailable ?? '25%', desired, false);
      if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
      // Scale up the new ReplicaSet within the surge budget.
      const total = [cur, ...old].reduce((n, r) => n + (r.spec.replicas ?? 0), 0);
      if ((cur.spec.replicas ?? 0) < desired) {
        const room = Math.max(0, desired + maxSurge - total);
        const to = Math.min(desired, (cur.spec.replicas ?? 0) + room);
        if (to !== cur.spec.replicas) scaleRs(c, dep, cur, to);
      } else if ((cur.spec.replicas ?? 0) > desired) scaleRs(c, dep, cur, desired);
      ({ cur, old } = fresh());
      // Scale down old ReplicaSets while keeping the minimum available.
      const minAvailable = desired - maxUnavailable;
      const allCount = [cur, ...old].reduce((n, r) => n + (r.spec.replicas ?? 0), 0);
      const newUnavailable = (cur.spec.replicas ?? 0) - available(cur);
      let budget = allCount - minAvailable - newUnavailable;
      for (const r of old.sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp))) {
        if (budget <= 0) break;
        const unhealthy = (r.spec.replicas ?? 0) - available(r);
        const down = Math.min(budget, Math.max(0, unhealthy));
        if (down > 0) {
          scaleRs(c, dep, r, r.spec.replicas - down);
          budget -= down;
        }
      }
      ({ cur, old } = fresh());
      const availTotal = [cur, ...old].reduce((n, r) => n + available(r), 0);
      let scaleDown = availTotal - minAvailable;
      for (const r of old.sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp))) {
        if (scaleDown <= 0) break;
        const down = Math.min(scaleDown, r.spec.replicas ?? 0);
        if (down > 0) {
          scaleRs(c, dep, r, r.spec.replicas - down);
          scaleDown -= down;
        }
      }
    }
    // Revision history limit: delete the oldest empty ReplicaSets.
    ({ old } = fresh());
    const empty = old
      .filter((r) => (r.spec.replicas ?? 0) === 0 && podsOf(c, r).length === 0)
      .sort((a, b) => Number(a.metadata.annotations?.[REV] ?? 0) - Number(b.metadata.annotations?.[REV] ?? 0));
    const limit = dep.spec.revisionHistoryLimit ?? 10;
    for (const r of empty.slice(0, Math.max(0, empty.length - limit))) c.store.delete('replicasets', ns, r.metadata.name);
  }

  // Status.
  const { cur, old } = fresh();
  const allRs = [cur, ...old];
  const pods = allRs.flatMap((r) => podsOf(c, r));
  const ready = pods.filter(isPodReady).length;
  const updated = podsOf(c, cur).length;
  const d = c.store.get('deployments', ns, dep.metadata.name)!;
  const prev = d.status ?? {};
  const st: Obj = {
    observedGeneration: d.metadata.generation,
    replicas: pods.length,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(desired - ready > 0 ? { unavailableReplicas: desired - ready } : {}),
  };
  const countsChanged = ['replicas', 'updatedReplicas', 'readyReplicas'].some((k) => (prev[k] ?? 0) !== (st[k] ?? 0));
  let conds: Obj[] = clone(prev.conditions ?? []);
  const minAvail = desired - resolveIntOrPercent(d.spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%', desired, false);
  conds =
    ready >= minAvail
      ? setCondition(conds, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', false)
      : setCondition(conds, 'Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', false);
  const complete = updated === desired && pods.length === desired && ready === desired;
  const prog = conds.find((x) => x.type === 'Progressing');
  if (complete) {
    conds = setCondition(conds, 'Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${cur.metadata.name}" has successfully progressed.`, false);
  } else if (prog?.reason === 'ProgressDeadlineExceeded' && !countsChanged) {
    // stays timed out until something changes
  } else {
    const deadline = (d.spec.progressDeadlineSeconds ?? 600) * 1000;
    const since = prog?.reason === 'ReplicaSetUpdated' ? Date.parse(prog.lastUpdateTime) : Date.now();
    if (!countsChanged && Date.now() - since > deadline) {
      conds = setCondition(conds, 'Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${cur.metadata.name}" has timed out progressing.`, true);
    } else {
      conds = setCondition(
        conds,
        'Progressing',
        'True',
        'ReplicaSetUpdated',
        `ReplicaSet "${cur.metadata.name}" is progressing.`,
        countsChanged || prog?.reason !== 'ReplicaSetUpdated',
      );
    }
  }
  st.conditions = conds;
  c.saveIfChanged('deployments', { ...d, status: st });
}

function reconcileReplicaSet(c: Cluster, rs: Obj): void {
  const pods = podsOf(c, rs);
  const want = rs.spec.replicas ?? 0;
  const src = { component: 'replicaset-controller' };
  if (pods.length < want) {
    for (let i = pods.length; i < want; i++) {
      const pod = createPodFromTemplate(c, rs, rs.spec.template, `${rs.metadata.name}-${randSuffix(5)}`);
      c.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, src);
    }
  } else if (pods.length > want) {
    const rank = (p: Obj): number => (!p.spec.nodeName ? 0 : p.status?.phase === 'Pending' ? 1 : !isPodReady(p) ? 2 : 3);
    const victims = pods
      .sort((a, b) => rank(a) - rank(b) || b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp))
      .slice(0, pods.length - want);
    for (const p of victims) {
      deletePod(c, p);
      c.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, src);
    }
  }
  const now = podsOf(c, rs);
  const ready = now.filter(isPodReady).length;
  const cur = c.store.get('replicasets', rs.metadata.namespace, rs.metadata.name)!;
  c.saveIfChanged('replicasets', {
    ...cur,
    status: {
      replicas: now.length,
      fullyLabeledReplicas: now.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: cur.metadata.generation,
    },
  });
}

function reconcileStatefulSet(c: Cluster, sts: Obj): void {
  const ns = sts.metadata.namespace;
  const name = sts.metadata.name;
  const rev = `${name}-${safeHash(templateKey(sts.spec.template), 10)}`;
  const want = sts.spec.replicas ?? 1;
  let pods = podsOf(c, sts);
  const ordinal = (p: Obj): number => Number(p.metadata.name.slice(name.length + 1));
  for (const p of pods) {
    if (ordinal(p) >= want) deletePod(c, p);
  }
  pods = podsOf(c, sts);
  // Rolling update: replace the highest-ordinal pod on an old revision (one at a time, when all are ready).
  const outdated = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] !== rev).sort((a, b) => ordinal(b) - ordinal(a));
  if (outdated.length && pods.every(isPodReady)) {
    deletePod(c, outdated[0]);
    c.events.record(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${outdated[0].metadata.name} in StatefulSet ${name} successful`, {
      component: 'statefulset-controller',
    });
  }
  pods = podsOf(c, sts);
  for (let i = 0; i < want; i++) {
    const pn = `${name}-${i}`;
    if (pods.some((p) => p.metadata.name === pn)) continue;
    if (c.store.has('pods', ns, pn)) continue;
    createPodFromTemplate(c, sts, sts.spec.template, pn, {
      'controller-revision-hash': rev,
      'statefulset.kubernetes.io/pod-name': pn,
      'apps.kubernetes.io/pod-index': String(i),
    });
    c.events.record(sts, 'Normal', 'SuccessfulCreate', `create Pod ${pn} in StatefulSet ${name} successful`, { component: 'statefulset-controller' });
    if ((sts.spec.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady') break;
  }
  pods = podsOf(c, sts);
  const ready = pods.filter(isPodReady).length;
  const updated = pods.filter((p) => p.metadata.labels?.['controller-revision-hash'] === rev).length;
  const cur = c.store.get('statefulsets', ns, name)!;
  c.saveIfChanged('statefulsets', {
    ...cur,
    status: {
      observedGeneration: cur.metadata.generation,
      replicas: pods.length,
      readyReplicas: ready,
      currentReplicas: updated,
      updatedReplicas: updated,
      availableReplicas: ready,
      currentRevision: rev,
      updateRevision: rev,
      collisionCount: 0,
    },
  });
}

function reconcileEndpoints(c: Cluster): void {
  for (const svc of c.store.list('services')) {
    const sel = svc.spec?.selector;
    if (!sel || !Object.keys(sel).length) continue;
    const ns = svc.metadata.namespace;
    const reqs = selectorToRequirements({ matchLabels: sel });
    const pods = c.store.listWhere('pods', ns, (p) => matchLabels(reqs, p.metadata.labels) && Boolean(p.status?.podIP));
    const addr = (p: Obj): Obj => ({
      ip: p.status.podIP,
      nodeName: p.spec.nodeName,
      targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name, uid: p.metadata.uid },
    });
    const readyPods = pods.filter(isPodReady);
    const notReady = pods.filter((p) => !isPodReady(p));
    const ports = (svc.spec.ports ?? []).map((sp: Obj) => {
      let port = sp.targetPort;
      if (typeof port === 'string') {
        const cp = pods.flatMap((p) => p.spec.containers.flatMap((ct: Obj) => ct.ports ?? [])).find((x: Obj) => x.name === port);
        port = cp?.containerPort ?? 0;
      }
      return { ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP' };
    });
    const subset: Obj = {};
    if (readyPods.length) subset.addresses = readyPods.map(addr);
    if (notReady.length) subset.notReadyAddresses = notReady.map(addr);
    subset.ports = ports;
    const subsets = readyPods.length || notReady.length ? [subset] : [];
    const existing = c.store.get('endpoints', ns, svc.metadata.name);
    if (!existing) {
      c.store.create('endpoints', {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: svc.metadata.name, namespace: ns, labels: { ...(svc.metadata.labels ?? {}) } },
        subsets,
      });
    } else c.saveIfChanged('endpoints', { ...existing, subsets });
  }
}

function collectGarbage(c: Cluster): void {
  const uids = new Set<string>();
  for (const r of ['deployments', 'replicasets', 'statefulsets']) for (const o of c.store.list(r)) uids.add(o.metadata.uid);
  for (const r of ['replicasets', 'pods']) {
    for (const o of c.store.list(r)) {
      const refs = o.metadata.ownerReferences ?? [];
      if (!refs.length) continue;
      if (refs.some((x: Obj) => uids.has(x.uid))) continue;
      if (r === 'pods') deletePod(c, o);
      else c.store.delete(r, o.metadata.namespace, o.metadata.name);
    }
  }
}

/**
 * A minimal horizontal-pod-autoscaler controller: it keeps the target's replicas inside
 * [minReplicas, maxReplicas] (no metric-driven scaling), which is enough to make anyone who scales
 * past an HPA's bounds see it scaled back, as a real cluster would.
 */
function reconcileHorizontalPodAutoscaler(c: Cluster, hpa: Obj): void {
  const ref = hpa.spec?.scaleTargetRef ?? {};
  if (ref.kind !== 'Deployment') return;
  const dep = c.store.get('deployments', hpa.metadata.namespace, ref.name);
  if (!dep) return;
  const min = hpa.spec.minReplicas ?? 1;
  const max = hpa.spec.maxReplicas ?? min;
  const current = dep.spec.replicas ?? 1;
  const desired = Math.min(max, Math.max(min, current));
  if (desired !== current) {
    c.store.update('deployments', { ...dep, spec: { ...dep.spec, replicas: desired } });
    c.events.record(
      hpa,
      'Normal',
      'SuccessfulRescale',
      `New size: ${desired}; reason: ${desired > current ? 'Current number of replicas below Spec.MinReplicas' : 'Current number of replicas above Spec.MaxReplicas'}`,
      { component: 'horizontal-pod-autoscaler' },
    );
  }
  const cur = c.store.get('horizontalpodautoscalers', hpa.metadata.namespace, hpa.metadata.name)!;
  c.saveIfChanged('horizontalpodautoscalers', {
    ...cur,
    status: { ...cur.status, currentReplicas: dep.status?.replicas ?? current, desiredReplicas: desired },
  });
}

export function reconcileControllers(c: Cluster): void {
  collectGarbage(c);
  for (const h of c.store.list('horizontalpodautoscalers')) reconcileHorizontalPodAutoscaler(c, h);
  for (const d of c.store.list('deployments')) reconcileDeployment(c, d);
  for (const rs of c.store.list('replicasets')) reconcileReplicaSet(c, rs);
  for (const s of c.store.list('statefulsets')) reconcileStatefulSet(c, s);
  reconcileEndpoints(c);
}
