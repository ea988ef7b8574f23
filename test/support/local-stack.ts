/**
 * The e2e setup most end-to-end tests share: simulated clusters, optionally a real Prometheus scraping
 * them, and the local stack pulling on its own schedule, with every simulated cluster registered with
 * the least-privilege account of the served RBAC manifest (test/support/least-privilege.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEDULES } from '../../functions/definitions/events.ts';
import { startLocalCloud, type LocalCloud } from '../../local/cloud.ts';
import { startPrometheus, type LocalPrometheus } from '../../local/prometheus.ts';
import { startSimulator, type RunningSimulator, type SimulatedClusterInfo } from '../../sim/index.ts';
import { leastPrivilegeKubeconfig } from './least-privilege.ts';

export interface ApiResponse {
  status: number;
  body: any;
}

export type Api = (method: string, path: string, body?: unknown) => Promise<ApiResponse>;

/** A bearer-authenticated JSON client of one local stack. */
export function apiClient(cloud: Pick<LocalCloud, 'url' | 'apiToken'>): Api {
  return async (method, path, body) => {
    const response = await fetch(cloud.url + path, {
      method,
      headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
  };
}

export interface PullingStack {
  cloud: LocalCloud;
  sim: RunningSimulator;
  prometheus?: LocalPrometheus;
  api: Api;
  /** Registered cluster ids by simulated cluster name. */
  clusterIds: Record<string, string>;
  cluster(name: string): SimulatedClusterInfo;
  stop(): Promise<void>;
}

export interface PullingStackOptions {
  clusters: string[];
  pullSeconds?: number;
  /** Scrape the simulators with a real Prometheus (error rate, latency and the mesh graph need it). */
  prometheus?: boolean;
  env?: Record<string, string>;
  /** The cluster registration's environment; defaults to the cluster's name. */
  environment?: (name: string) => string;
}

/** Simulators, (Prometheus,) and the local stack with only the metric-pull schedule running, every cluster registered. */
export async function startPullingStack(options: PullingStackOptions): Promise<PullingStack> {
  const sim = await startSimulator({ clusters: options.clusters, tickMs: 500 });
  const prometheus = options.prometheus
    ? await startPrometheus({ targets: sim.clusters.map((c) => ({ cluster: c.name, metricsUrl: c.metricsUrl })), scrapeSeconds: 5 })
    : undefined;
  const cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    schedules: true,
    scheduleDefinitions: SCHEDULES.filter((s) => s.id === 'metric-pull'),
    env: { FLEETOPS_PULL_INTERVAL_SECONDS: String(options.pullSeconds ?? 10), FLEETOPS_PULL_NAMESPACES: 'shop', ...options.env },
    dataDir: mkdtempSync(join(tmpdir(), 'fleetops-e2e-')),
  });
  const api = apiClient(cloud);
  const clusterIds: Record<string, string> = {};
  for (const info of sim.clusters) {
    const body = {
      name: info.name,
      environment: options.environment?.(info.name) ?? info.name,
      kubeconfig: await leastPrivilegeKubeconfig(info),
      namespaces: ['shop'],
      ...(prometheus ? { prometheus: { url: prometheus.url, rateWindow: '30s', matchers: { cluster: info.name } } } : {}),
    };
    const response = await api('POST', '/v1/clusters', body);
    if (response.status !== 201) throw new Error(`registering ${info.name}: ${response.status} ${JSON.stringify(response.body)}`);
    clusterIds[info.name] = response.body.id;
  }
  return {
    cloud,
    sim,
    prometheus,
    api,
    clusterIds,
    cluster: (name) => sim.clusters.find((c) => c.name === name)!,
    async stop() {
      await cloud.stop();
      await prometheus?.stop();
      await sim.stop();
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface HandPulledStack {
  cloud: LocalCloud;
  sim: RunningSimulator;
  api: Api;
  /** The first simulated cluster. */
  info(): SimulatedClusterInfo;
  /** Registered cluster ids by simulated cluster name. */
  clusterIds: Record<string, string>;
  /** Runs one metric pull to the end and lets the bus deliver what it published. */
  pullNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Simulated clusters (one, `dev`, unless named) registered on a local stack with no schedules, each
 * with its name as its environment: the test pulls when it wants.
 */
export async function startHandPulledStack(options: {
  env?: Record<string, string>;
  tickMs?: number;
  name: string;
  clusters?: string[];
}): Promise<HandPulledStack> {
  const sim = await startSimulator({ clusters: options.clusters ?? ['dev'], tickMs: options.tickMs ?? 300 });
  const cloud = await startLocalCloud({
    port: 0,
    inMemory: true,
    schedules: false,
    env: { FLEETOPS_PULL_INTERVAL_SECONDS: '60', ...options.env },
    dataDir: mkdtempSync(join(tmpdir(), `fleetops-${options.name}-`)),
  });
  const api = apiClient(cloud);
  const info = () => sim.clusters[0]!;
  const clusterIds: Record<string, string> = {};
  for (const cluster of sim.clusters) {
    const body = { name: cluster.name, environment: cluster.name, kubeconfig: await leastPrivilegeKubeconfig(cluster), namespaces: ['shop'] };
    const response = await api('POST', '/v1/clusters', body);
    if (response.status !== 201) throw new Error(`registering ${cluster.name}: ${response.status} ${JSON.stringify(response.body)}`);
    clusterIds[cluster.name] = response.body.id;
  }
  return {
    cloud,
    sim,
    api,
    info,
    clusterIds,
    async pullNow() {
      const started = await api('POST', '/v1/metrics/pull');
      if (started.status !== 202) throw new Error(`metric pull: ${started.status} ${JSON.stringify(started.body)}`);
      const done = await cloud.workflows.wait(started.body.executionId);
      if (done?.status !== 'SUCCEEDED') throw new Error(`metric pull ${done?.status}: ${done?.error}`);
      await cloud.bus.drain();
    },
    async stop() {
      await cloud.stop();
      await sim.stop();
    },
  };
}
