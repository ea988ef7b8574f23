/**
 * The fleet-scale bench's simulated clusters, in a worker thread so that their API handling does not share an event
 * loop with the handlers being measured. Each cluster is the simulator's own model (sim/cluster.ts) with 20
 * deployments in `shop`; one HTTPS server (one CA) routes `/c/<name>/...` to that cluster's ApiServer.
 * Messages: {op:'tick', times} advances every cluster; {op:'faults', count} makes `count` services crash-loop.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:https';
import { parentPort, workerData } from 'node:worker_threads';
import { ApiServer } from '../../sim/api-server.ts';
import { generateClusterPki } from '../../sim/certs.ts';
import { Cluster } from '../../sim/cluster.ts';
import { injectFault } from '../../sim/faults.ts';
import { seedRbac } from '../../sim/rbac.ts';
import { seedWorkloads } from '../../sim/seed-workloads.ts';
import { fnv, type Obj } from '../../sim/util.ts';

const { clusters, services } = workerData as { clusters: number; services: number };
const SHOP = ['frontend', 'user-service', 'order-service', 'payment-service'];
const serviceNames = [...SHOP, ...Array.from({ length: services - SHOP.length }, (_, i) => `svc-${String(i + 1).padStart(2, '0')}`)];

/** More deployments shaped like the seeded user-service (a Service each), so a cluster runs `services` of them. */
function addServices(c: Cluster): void {
  const template = c.store.get('deployments', 'shop', 'user-service') as Obj;
  const service = c.store.get('services', 'shop', 'user-service') as Obj;
  for (const app of serviceNames.slice(SHOP.length)) {
    const deployment = structuredClone(template);
    delete deployment.metadata.uid;
    delete deployment.metadata.resourceVersion;
    delete deployment.status;
    const labels = { ...deployment.metadata.labels, app, 'app.kubernetes.io/name': app };
    deployment.metadata = { ...deployment.metadata, name: app, labels };
    deployment.spec.selector = { matchLabels: { app } };
    deployment.spec.template.metadata.labels = labels;
    deployment.spec.template.spec.containers[0].name = app;
    deployment.spec.template.spec.containers[0].env = [{ name: 'SERVICE_NAME', value: app }];
    c.store.create('deployments', deployment);
    const svc = structuredClone(service);
    delete svc.metadata.uid;
    delete svc.metadata.resourceVersion;
    svc.metadata = { ...svc.metadata, name: app, labels: { app } };
    svc.spec = { ...svc.spec, selector: { app }, clusterIP: undefined };
    c.store.create('services', svc);
  }
}

const started = performance.now();
const pki = generateClusterPki('fleet-scale');
const token = randomBytes(32).toString('hex');
const fleet = new Map<string, { cluster: Cluster; api: ApiServer }>();
for (let i = 0; i < clusters; i++) {
  const name = `c${String(i).padStart(4, '0')}`;
  const cluster = new Cluster(name, fnv(name) >>> 0);
  seedWorkloads(cluster, pki.caCertPem);
  addServices(cluster);
  seedRbac(cluster);
  fleet.set(name, { cluster, api: new ApiServer({ cluster, pki, token }) });
}
const front = createServer({ key: pki.serverKeyPem, cert: pki.serverCertPem }, (req, res) => {
  const match = /^\/c\/([a-z0-9-]+)(\/.*)?$/.exec(req.url ?? '');
  const target = match && fleet.get(match[1]);
  if (!target) {
    res.writeHead(404).end();
    return;
  }
  req.url = match[2] ?? '/';
  target.api.server.emit('request', req, res);
});
front.keepAliveTimeout = 30_000;
await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));

/** Controller, kubelet and metrics model of every cluster, `times` ticks 200 ms apart. */
async function tick(times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    for (const { cluster } of fleet.values()) cluster.tick();
    await new Promise((r) => setTimeout(r, 200));
  }
}
await tick(2);

parentPort!.on('message', async (message: { op: 'tick'; times: number } | { op: 'faults'; count: number } | { op: 'stop' }) => {
  if (message.op === 'tick') await tick(message.times);
  if (message.op === 'faults') {
    const names = [...fleet.keys()];
    // Spread over the clusters (7919 is prime: distinct clusters while count ≤ clusters) and over the services.
    for (let k = 0; k < message.count; k++) {
      injectFault(fleet.get(names[(k * 7919) % names.length])!.cluster, {
        type: 'crash-loop',
        namespace: 'shop',
        deployment: serviceNames[k % serviceNames.length],
      });
    }
  }
  if (message.op === 'stop') {
    front.closeAllConnections();
    front.close();
  }
  parentPort!.postMessage({ done: message.op });
});
parentPort!.postMessage({
  ready: true,
  port: (front.address() as { port: number }).port,
  caPem: pki.caCertPem,
  token,
  names: [...fleet.keys()],
  seconds: Math.round((performance.now() - started) / 1000),
});
