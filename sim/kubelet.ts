// Kubelet: runs containers of scheduled pods, applies fault symptoms, and reports pod/container status + events.
import { createHash } from 'node:crypto';
import type { Cluster, ContainerRuntime } from './cluster.ts';
import { nodeReady, runtimeFor } from './scheduler.ts';
import { nowIso, parseQuantity, rand01, type Obj } from './util.ts';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Images whose tag marks them as not existing in the registry fail to pull. */
export function imagePullable(image: string): boolean {
  return !/(nonexistent|does-not-exist|-broken)/.test(image);
}

function fullRef(image: string): string {
  const first = image.split('/')[0];
  const hasRegistry = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const withRepo = hasRegistry ? image : `docker.io/${image.includes('/') ? image : `library/${image}`}`;
  return withRepo.slice(withRepo.lastIndexOf('/')).includes(':') ? withRepo : `${withRepo}:latest`;
}

function missingConfigMap(c: Cluster, pod: Obj, ct: Obj): string | undefined {
  const ns = pod.metadata.namespace;
  for (const e of ct.envFrom ?? []) {
    const n = e.configMapRef?.name;
    if (n && !e.configMapRef.optional && !c.store.has('configmaps', ns, n)) return n;
  }
  for (const e of ct.env ?? []) {
    const r = e.valueFrom?.configMapKeyRef;
    if (r?.name && !r.optional && !c.store.has('configmaps', ns, r.name)) return r.name;
  }
  return undefined;
}

function newContainerRuntime(): ContainerRuntime {
  return { restartCount: 0, state: 'waiting', waitingReason: 'ContainerCreating', everStarted: false, imagePulled: false, nextActionAt: 0, lastEventAt: 0 };
}

function oomMessage(pod: Obj, ct: Obj): string {
  const pid = 1000 + Math.floor(rand01(pod.metadata.uid + ct.name + Date.now()) * 30000);
  const limitKb = Math.round((parseQuantity(ct.resources?.limits?.memory ?? '512Mi') || 512 * 1024 ** 2) / 1024);
  return `Memory cgroup out of memory: Killed process ${pid} (${ct.name}) total-vm:${limitKb + 812340}kB, anon-rss:${limitKb}kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:${Math.round(limitKb / 400)}kB oom_score_adj:984`;
}

function stepContainer(c: Cluster, pod: Obj, node: Obj, ct: Obj, cr: ContainerRuntime, faultTypes: string[], now: number): void {
  const src = { component: 'kubelet', host: node.metadata.name };
  const fp = `spec.containers{${ct.name}}`;
  const ev = (type: 'Normal' | 'Warning', reason: string, msg: string): void => c.events.record(pod, type, reason, msg, src, fp);
  const image = String(ct.image);

  if (!imagePullable(image)) {
    cr.state = 'waiting';
    if (now < cr.nextActionAt) return;
    if (cr.waitingReason !== 'ErrImagePull') {
      const ref = fullRef(image);
      const err = `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
      ev('Normal', 'Pulling', `Pulling image "${image}"`);
      ev('Warning', 'Failed', `Failed to pull image "${image}": ${err}`);
      ev('Warning', 'Failed', 'Error: ErrImagePull');
      cr.waitingReason = 'ErrImagePull';
      cr.waitingMessage = `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
      cr.nextActionAt = now + 2500;
    } else {
      ev('Normal', 'BackOff', `Back-off pulling image "${image}"`);
      ev('Warning', 'Failed', 'Error: ImagePullBackOff');
      cr.waitingReason = 'ImagePullBackOff';
      cr.waitingMessage = `Back-off pulling image "${image}"`;
      cr.nextActionAt = now + 8000;
    }
    return;
  }
  if (!cr.imagePulled) {
    if (ct.imagePullPolicy === 'Always' || rand01(image + node.metadata.name) < 0.5) {
      ev('Normal', 'Pulling', `Pulling image "${image}"`);
      const secs = (0.4 + rand01(image) * 2).toFixed(3);
      ev(
        'Normal',
        'Pulled',
        `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${20000000 + Math.floor(rand01(image + 's') * 80000000)} bytes.`,
      );
    } else ev('Normal', 'Pulled', `Container image "${image}" already present on machine`);
    cr.imagePulled = true;
  }
  const missing = missingConfigMap(c, pod, ct);
  if (missing) {
    cr.state = 'waiting';
    cr.waitingReason = 'CreateContainerConfigError';
    cr.waitingMessage = `configmap "${missing}" not found`;
    if (now - cr.lastEventAt >= 10_000) {
      ev('Warning', 'Failed', `Error: configmap "${missing}" not found`);
      cr.lastEventAt = now;
    }
    return;
  }
  const crash = faultTypes.includes('crash-loop') ? 'Error' : faultTypes.includes('oom-killed') ? 'OOMKilled' : undefined;
  if (crash) {
    if (cr.state !== 'running' && now < cr.nextActionAt) return;
    const startedAt = cr.state === 'running' && cr.startedAt ? cr.startedAt : now - 1500;
    if (cr.state !== 'running') {
      ev('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      ev('Normal', 'Created', `Created container ${ct.name}`);
      ev('Normal', 'Started', `Started container ${ct.name}`);
    }
    cr.restartCount++;
    cr.everStarted = true;
    cr.lastTerminated = { reason: crash, exitCode: crash === 'OOMKilled' ? 137 : 1, startedAt, finishedAt: now };
    if (crash === 'OOMKilled') c.events.record(node, 'Warning', 'OOMKilling', oomMessage(pod, ct), { component: 'kernel-monitor', host: node.metadata.name });
    const backoff = Math.min(10 * 2 ** Math.min(cr.restartCount - 1, 5), 300);
    cr.state = 'waiting';
    cr.waitingReason = 'CrashLoopBackOff';
    cr.waitingMessage = `back-off ${backoff}s restarting failed container=${ct.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
    cr.startedAt = undefined;
    ev('Warning', 'BackOff', `Back-off restarting failed container ${ct.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`);
    // Simulated back-off is compressed (3s, 6s, 12s, 20s...) so restarts are visible quickly.
    cr.nextActionAt = now + Math.min(3000 * 2 ** Math.min(cr.restartCount - 1, 3), 20_000);
    return;
  }
  if (cr.state === 'running' && faultTypes.includes('memory-leak')) {
    const limit = parseQuantity(ct.resources?.limits?.memory ?? 0);
    const mem = c.metrics.containerMemoryBytes(pod, ct.name, now);
    if (limit > 0 && mem >= limit) {
      cr.restartCount++;
      cr.lastTerminated = { reason: 'OOMKilled', exitCode: 137, startedAt: cr.startedAt ?? now, finishedAt: now };
      c.events.record(node, 'Warning', 'OOMKilling', oomMessage(pod, ct), { component: 'kernel-monitor', host: node.metadata.name });
      ev('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      ev('Normal', 'Created', `Created container ${ct.name}`);
      ev('Normal', 'Started', `Started container ${ct.name}`);
      cr.startedAt = now;
    }
    return;
  }
  if (cr.state !== 'running') {
    if (cr.everStarted) ev('Normal', 'Pulled', `Container image "${image}" already present on machine`);
    ev('Normal', 'Created', `Created container ${ct.name}`);
    ev('Normal', 'Started', `Started container ${ct.name}`);
    cr.state = 'running';
    cr.startedAt = now;
    cr.everStarted = true;
    cr.waitingReason = undefined;
    cr.waitingMessage = undefined;
  }
}

function cond(old: Obj[], type: string, status: string, extra: Obj = {}): Obj {
  const prev = old.find((x) => x.type === type);
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : nowIso(),
    ...extra,
  };
}

function buildStatus(c: Cluster, pod: Obj, node: Obj, ip: string, nodeOk: boolean): Obj {
  const rt = runtimeFor(c, pod);
  const old: Obj[] = pod.status?.conditions ?? [];
  const statuses = (pod.spec.containers ?? []).map((ct: Obj) => {
    const cr = rt.containers.get(ct.name) ?? newContainerRuntime();
    const running = cr.state === 'running';
    const idSeed = `${pod.metadata.uid}/${ct.name}/${cr.restartCount}`;
    const repo = String(ct.image).replace(/:[^:/]+$/, '');
    return {
      name: ct.name,
      state: running
        ? { running: { startedAt: nowIso(cr.startedAt) } }
        : { waiting: { reason: cr.waitingReason ?? 'ContainerCreating', ...(cr.waitingMessage ? { message: cr.waitingMessage } : {}) } },
      lastState: cr.lastTerminated
        ? {
            terminated: {
              exitCode: cr.lastTerminated.exitCode,
              reason: cr.lastTerminated.reason,
              startedAt: nowIso(cr.lastTerminated.startedAt),
              finishedAt: nowIso(cr.lastTerminated.finishedAt),
              containerID: `containerd://${sha(idSeed + 'prev')}`,
            },
          }
        : {},
      ready: running,
      restartCount: cr.restartCount,
      image: ct.image,
      imageID: cr.imagePulled && imagePullable(String(ct.image)) ? `${repo}@sha256:${sha(String(ct.image))}` : '',
      ...(cr.everStarted ? { containerID: `containerd://${sha(idSeed)}` } : {}),
      started: running,
    };
  });
  const allReady = statuses.every((s: Obj) => s.ready);
  const unready = statuses.filter((s: Obj) => !s.ready).map((s: Obj) => s.name);
  const everStarted = [...rt.containers.values()].some((x) => x.everStarted);
  const notReadyExtra = unready.length ? { reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` } : {};
  const nodeIp = (node.status?.addresses ?? []).find((a: Obj) => a.type === 'InternalIP')?.address;
  return {
    ...pod.status,
    phase: everStarted ? 'Running' : 'Pending',
    conditions: [
      cond(old, 'PodReadyToStartContainers', 'True'),
      cond(old, 'Initialized', 'True'),
      cond(old, 'Ready', allReady && nodeOk ? 'True' : 'False', notReadyExtra),
      cond(old, 'ContainersReady', allReady ? 'True' : 'False', notReadyExtra),
      cond(old, 'PodScheduled', 'True'),
    ],
    hostIP: nodeIp,
    hostIPs: nodeIp ? [{ ip: nodeIp }] : undefined,
    podIP: ip,
    podIPs: [{ ip }],
    startTime: pod.status?.startTime ?? nowIso(),
    containerStatuses: statuses,
  };
}

export function runKubelet(c: Cluster): void {
  const now = Date.now();
  const nodes = new Map(c.store.list('nodes').map((n) => [n.metadata.name, n] as const));
  const nodeIndex = new Map([...nodes.keys()].map((n, i) => [n, i + 1] as const));
  for (const pod of c.store.list('pods')) {
    if (!pod.spec.nodeName) continue;
    const node = nodes.get(pod.spec.nodeName);
    if (!node) continue;
    const rt = runtimeFor(c, pod);
    const nodeOk = nodeReady(node);
    const dep = c.deploymentOfPod(pod);
    const faultTypes = c.faultsFor(pod.metadata.namespace, dep).map((f) => f.type as string);
    for (const ct of pod.spec.containers ?? []) {
      let cr = rt.containers.get(ct.name);
      if (!cr) {
        cr = newContainerRuntime();
        rt.containers.set(ct.name, cr);
      }
      if (nodeOk) stepContainer(c, pod, node, ct, cr, faultTypes, now);
    }
    if (!nodeOk && rt.notReadyEventFor !== node.metadata.resourceVersion) {
      rt.notReadyEventFor = node.metadata.resourceVersion;
      c.events.record(pod, 'Warning', 'NodeNotReady', 'Node is not ready', { component: 'node-controller' });
    }
    const ip = pod.status?.podIP ?? c.nextPodIp(nodeIndex.get(node.metadata.name) ?? 9);
    const status = buildStatus(c, pod, node, ip, nodeOk);
    if (status.hostIPs === undefined) delete status.hostIPs;
    c.saveIfChanged('pods', { ...pod, status });
  }
}
