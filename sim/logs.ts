// pods/log: deterministic, plausible application log lines per container (and crash output for `--previous`).
import type { Cluster } from './cluster.ts';
import { rand01, type Obj } from './util.ts';

export class LogError extends Error {}

const PATHS: Record<string, string[]> = {
  frontend: ['/', '/products', '/cart', '/checkout', '/static/app.js'],
  'user-service': ['/api/users/me', '/api/users/login', '/api/users/session'],
  'order-service': ['/api/orders', '/api/orders/recent', '/api/orders/status'],
  'payment-service': ['/api/payments/authorize', '/api/payments/capture', '/api/payments/refund'],
};

export function podLogs(c: Cluster, pod: Obj, q: URLSearchParams): string {
  const containers: Obj[] = pod.spec?.containers ?? [];
  const name = q.get('container') ?? containers[0]?.name;
  if (!q.get('container') && containers.length > 1) {
    throw new LogError(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.map((x) => x.name).join(' ')}]`);
  }
  const ct = containers.find((x) => x.name === name);
  if (!ct) throw new LogError(`container ${name} is not valid for pod ${pod.metadata.name}`);
  const cs = (pod.status?.containerStatuses ?? []).find((x: Obj) => x.name === name);
  const previous = q.get('previous') === 'true';
  const app = pod.metadata.labels?.app ?? name;
  const ts = q.get('timestamps') === 'true';
  const tail = q.get('tailLines') ? Number(q.get('tailLines')) : undefined;
  const line = (t: number, msg: string): string => (ts ? `${new Date(t).toISOString()} ${msg}` : msg);
  const lines: string[] = [];
  if (previous) {
    const term = cs?.lastState?.terminated;
    if (!term) throw new LogError(`previous terminated container "${name}" in pod "${pod.metadata.name}" not found`);
    const end = Date.parse(term.finishedAt);
    lines.push(line(end - 1400, `{"level":"info","msg":"starting ${app}","port":8080}`));
    if (term.reason === 'OOMKilled') {
      lines.push(line(end - 600, `{"level":"warn","msg":"heap usage high","heapUsedMiB":498}`));
    } else {
      lines.push(line(end - 900, `{"level":"info","msg":"loading configuration"}`));
      lines.push(line(end - 200, `{"level":"error","msg":"failed to connect to database: dial tcp 10.96.0.42:5432: connect: connection refused"}`));
      lines.push(line(end - 100, `Error: fatal: startup checks failed, exiting with code 1`));
    }
  } else {
    if (!cs?.state?.running) {
      const reason = cs?.state?.waiting?.reason ?? 'ContainerCreating';
      throw new LogError(
        `container "${name}" in pod "${pod.metadata.name}" is waiting to start: ${reason === 'ContainerCreating' ? 'ContainerCreating' : reason === 'CrashLoopBackOff' ? 'back-off restarting failed container' : reason}`,
      );
    }
    const start = Date.parse(cs.state.running.startedAt);
    const now = Date.now();
    lines.push(line(start, `{"level":"info","msg":"starting ${app}","port":8080}`));
    // Opt-in (pod annotation): the app dumps its resolved environment at startup, Secret values
    // included, the way careless apps do. Tests use it to check that secrets never leave fleetops.
    if (pod.metadata.annotations?.['sim.fleetops.io/log-env'] === 'true')
      lines.push(line(start + 100, `{"level":"debug","msg":"environment","env":${JSON.stringify(resolvedEnv(c, pod, ct))}}`));
    lines.push(line(start + 300, `{"level":"info","msg":"ready to serve requests"}`));
    const paths = PATHS[app] ?? ['/healthz', '/api'];
    const faults = c.faultsFor(pod.metadata.namespace, c.deploymentOfPod(pod)).map((f) => f.type as string);
    // an error burst with scope "caller" fails between the caller and this service: nothing in its own logs
    const callerOnly = c.faultsFor(pod.metadata.namespace, c.deploymentOfPod(pod)).some((f) => f.type === 'error-burst' && f.params.scope === 'caller');
    const step = 2000;
    for (let t = Math.max(start + 1000, now - 200 * step); t < now; t += step) {
      const r = rand01(`${pod.metadata.uid}:${t}`);
      const path = paths[Math.floor(r * paths.length)];
      let status = r < 0.01 ? 500 : 200;
      if (faults.includes('error-burst') && r < 0.4 && !callerOnly) status = 500;
      let ms = Math.round(8 + r * 60);
      if (faults.includes('latency-spike')) ms *= 20;
      if (status === 500)
        lines.push(line(t, `{"level":"error","msg":"request failed","method":"GET","path":"${path}","status":500,"error":"upstream timeout"}`));
      else lines.push(line(t, `{"level":"info","msg":"request","method":"GET","path":"${path}","status":${status},"duration_ms":${ms}}`));
      if (faults.includes('memory-leak') && r > 0.9)
        lines.push(line(t, `{"level":"warn","msg":"cache size growing","entries":${Math.round((now - start) / 10)}}`));
    }
  }
  const out = tail !== undefined ? lines.slice(Math.max(0, lines.length - tail)) : lines;
  return out.map((l) => l + '\n').join('');
}

/** The container's env with secretKeyRef / configMapKeyRef values resolved, as the kubelet would. */
function resolvedEnv(c: Cluster, pod: Obj, ct: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of (ct.env ?? []) as Obj[]) {
    const secretRef = e.valueFrom?.secretKeyRef;
    const configRef = e.valueFrom?.configMapKeyRef;
    if (typeof e.value === 'string') out[e.name] = e.value;
    else if (secretRef) {
      const data = c.store.get('secrets', pod.metadata.namespace, secretRef.name)?.data?.[secretRef.key];
      if (typeof data === 'string') out[e.name] = Buffer.from(data, 'base64').toString();
    } else if (configRef) {
      const value = c.store.get('configmaps', pod.metadata.namespace, configRef.name)?.data?.[configRef.key];
      if (typeof value === 'string') out[e.name] = value;
    }
  }
  return out;
}
