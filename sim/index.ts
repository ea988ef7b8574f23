// Programmatic entry point: start N simulated clusters (HTTPS API + Prometheus endpoint each), stop them all.
import { createServer as createHttpServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApiServer } from './api-server.ts';
import { generateClusterPki } from './certs.ts';
import { Cluster } from './cluster.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import { seedWorkloads } from './seed-workloads.ts';
import { seedRbac } from './rbac.ts';
import { fnv } from './util.ts';

export interface SimulatedClusterInfo {
  name: string;
  server: string;
  kubeconfigPath?: string;
  kubeconfigYaml: string;
  token: string;
  /** base64 of the CA certificate PEM */
  caData: string;
  metricsUrl: string;
}

export interface StartSimulatorOptions {
  clusters: string[];
  outDir?: string;
  seed?: number;
  /** Controller tick in ms (default 1000). */
  tickMs?: number;
  /**
   * Pins the daily load rhythm to this UTC hour (0-23; load peaks at 14, is lowest at 2). Default: the
   * environment's FLEETOPS_SIM_HOUR_UTC, else the real clock. Tests are run at both ends to show they hold all day.
   */
  diurnalHourUtc?: number;
}

function pinnedHour(opts: StartSimulatorOptions): number | undefined {
  const raw = opts.diurnalHourUtc ?? (process.env.FLEETOPS_SIM_HOUR_UTC ? Number(process.env.FLEETOPS_SIM_HOUR_UTC) : undefined);
  if (raw === undefined) return undefined;
  if (!Number.isFinite(raw) || raw < 0 || raw >= 24) throw new Error(`diurnal hour must be 0-23.99, got ${raw}`);
  return raw;
}

export interface RunningSimulator {
  clusters: SimulatedClusterInfo[];
  stop(): Promise<void>;
}

export { Cluster } from './cluster.ts';
export { FAULT_TYPES, type FaultType } from './faults.ts';

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

async function startMetricsServer(cluster: Cluster): Promise<{ server: Server; url: string }> {
  const server = createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/metrics' || path === '/')) {
      const text = cluster.metrics.prometheusText();
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(text);
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((r, j) => {
    server.once('error', j);
    server.listen(0, '127.0.0.1', () => r());
  });
  const port = (server.address() as { port: number }).port;
  return { server, url: `http://127.0.0.1:${port}/metrics` };
}

export async function startSimulator(opts: StartSimulatorOptions): Promise<RunningSimulator> {
  const names = opts.clusters.map((n) => n.trim()).filter(Boolean);
  if (!names.length) throw new Error('at least one cluster name is required');
  for (const n of names) if (!NAME_RE.test(n)) throw new Error(`invalid cluster name "${n}": use lowercase letters, digits and '-'`);
  if (new Set(names).size !== names.length) throw new Error('cluster names must be unique');
  const seed = opts.seed ?? 42;
  const hour = pinnedHour(opts);
  const outDir = opts.outDir ? resolve(opts.outDir) : undefined;
  if (outDir) await mkdir(outDir, { recursive: true });

  const stoppers: (() => Promise<void>)[] = [];
  const infos: SimulatedClusterInfo[] = [];
  try {
    for (const name of names) {
      const pki = generateClusterPki(name);
      const token = randomBytes(32).toString('hex');
      const cluster = new Cluster(name, (seed ^ fnv(name)) >>> 0);
      cluster.metrics.diurnalHourUtc = hour;
      seedWorkloads(cluster, pki.caCertPem);
      seedRbac(cluster);
      const api = new ApiServer({ cluster, pki, token });
      const port = await api.listen();
      stoppers.push(() => api.close());
      const metrics = await startMetricsServer(cluster);
      stoppers.push(
        () =>
          new Promise<void>((r) => {
            metrics.server.close(() => r());
            metrics.server.closeAllConnections();
          }),
      );
      cluster.start(opts.tickMs ?? 1000);
      stoppers.push(async () => cluster.stop());
      const server = `https://127.0.0.1:${port}`;
      const kubeconfigYaml = renderKubeconfig({ name, server, caPem: pki.caCertPem, token });
      let kubeconfigPath: string | undefined;
      if (outDir) {
        kubeconfigPath = join(outDir, `${name}.kubeconfig`);
        await writeFile(kubeconfigPath, kubeconfigYaml, { mode: 0o600 });
      }
      infos.push({ name, server, kubeconfigPath, kubeconfigYaml, token, caData: Buffer.from(pki.caCertPem).toString('base64'), metricsUrl: metrics.url });
    }
  } catch (e) {
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
    throw e;
  }
  let stopped = false;
  return {
    clusters: infos,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const s of [...stoppers].reverse()) await s().catch(() => undefined);
    },
  };
}
