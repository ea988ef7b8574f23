/**
 * Runs the real helm binary (the Lambda layer's /opt/helm/helm, or the same binary extracted
 * locally) through execFile: no shell, a minimal environment (no AWS credentials), a private temp
 * dir (0700) holding a kubeconfig regenerated from the validated credentials and the values file
 * (both 0600) and helm's cache/config/data homes, removed afterwards whatever happens.
 */
import { execFile } from 'node:child_process';
import dns from 'node:dns';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkResolvedAddress, type AddressPolicyOptions } from '../../core/clusters/address-policy.ts';
import type { SafeKubeconfig } from '../../core/clusters/kubeconfig-policy.ts';
import { historyArgs, rollbackArgs, upgradeArgs } from '../../core/deploy/helm-args.ts';
import type { HelmClient } from '../../core/deploy/ports.ts';
import { UpstreamError } from '../../core/errors.ts';
import { guardedFetch } from '../prometheus/guarded-fetch.ts';
import { downloadChart } from './chart-download.ts';

export interface HelmCliOptions {
  /** Path of the helm binary, or a function resolving it (the local stack extracts it on first use). */
  binary: string | (() => Promise<string>);
  policy: AddressPolicyOptions;
  /** Upper bound for one helm process. */
  processTimeoutMs?: number;
  /** Fetch for chart repositories (tests); default guardedFetch(policy). */
  fetch?: typeof fetch;
}

/** A kubeconfig holding only what the policy validated: server, inline CA, token or client cert. */
export function kubeconfigFor(creds: SafeKubeconfig): string {
  const user = 'token' in creds.user ? { token: creds.user.token } : { 'client-certificate-data': creds.user.certData, 'client-key-data': creds.user.keyData };
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'target', cluster: { server: creds.server, 'certificate-authority-data': creds.caData } }],
    users: [{ name: 'fleetops', user }],
    contexts: [{ name: 'target', context: { cluster: 'target', user: 'fleetops' } }],
    'current-context': 'target',
  });
}

/** helm connects by itself: check what each host resolves to now (best effort; helm resolves again). */
async function checkHost(host: string, policy: AddressPolicyOptions, field: string): Promise<void> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses = isIP(bare) ? [{ address: bare }] : await dns.promises.lookup(bare, { all: true, verbatim: true }).catch(() => []);
  if (!addresses.length) throw new UpstreamError(`${field}: ${bare} does not resolve`, 'UNREACHABLE');
  for (const a of addresses) checkResolvedAddress(a.address, { ...policy, host: bare, field });
}

export class HelmCli implements HelmClient {
  private readonly options: HelmCliOptions;

  constructor(options: HelmCliOptions) {
    this.options = options;
  }

  async upgrade(input: Parameters<HelmClient['upgrade']>[0]): Promise<{ revision: number; previousRevision: number }> {
    await checkHost(new URL(input.creds.server).hostname, this.options.policy, 'server');
    const oci = 'repoUrl' in input.chart && input.chart.repoUrl.startsWith('oci://');
    // OCI registries are still pulled by helm (host checked here); https repositories are downloaded by us.
    if (oci && 'repoUrl' in input.chart) await checkHost(new URL(input.chart.repoUrl).hostname, this.options.policy, 'chart.repoUrl');
    return this.withWorkspace(input.creds, async (ws) => {
      let chart = input.chart;
      if ('repoUrl' in chart && !oci) {
        const fetcher =
          this.options.fetch ??
          guardedFetch({
            allowLoopback: this.options.policy.allowLoopback,
            ...(this.options.policy.allowlist ? { allowlist: this.options.policy.allowlist } : {}),
          });
        chart = { path: await downloadChart(chart, ws.dir, { policy: this.options.policy, fetch: fetcher }) };
      }
      const previousRevision = await this.currentRevision(ws, input.release, input.namespace);
      const values = join(ws.dir, 'values.json');
      await writeFile(values, JSON.stringify(input.values), { mode: 0o600 });
      const out = await this.run(
        ws,
        upgradeArgs({
          release: input.release,
          namespace: input.namespace,
          chart,
          files: { kubeconfig: ws.kubeconfig, values },
          timeoutSeconds: input.timeoutSeconds,
        }),
      );
      const revision = Number((JSON.parse(out) as { version?: number }).version);
      if (!Number.isInteger(revision)) throw new UpstreamError('helm upgrade: no revision in its output', 'HELM_FAILED');
      return { revision, previousRevision };
    });
  }

  async rollback(input: Parameters<HelmClient['rollback']>[0]): Promise<void> {
    await checkHost(new URL(input.creds.server).hostname, this.options.policy, 'server');
    await this.withWorkspace(input.creds, async (ws) => {
      await this.run(
        ws,
        rollbackArgs({
          release: input.release,
          namespace: input.namespace,
          revision: input.revision,
          kubeconfig: ws.kubeconfig,
          timeoutSeconds: input.timeoutSeconds,
        }),
      );
    });
  }

  private async currentRevision(ws: Workspace, release: string, namespace: string): Promise<number> {
    try {
      const history = JSON.parse(await this.run(ws, historyArgs({ release, namespace, kubeconfig: ws.kubeconfig }))) as { revision?: number }[];
      return Math.max(0, ...history.map((h) => Number(h.revision) || 0));
    } catch (error) {
      if (error instanceof HelmError && /release: not found/i.test(error.stderr)) return 0;
      throw error;
    }
  }

  private async withWorkspace<T>(creds: SafeKubeconfig, fn: (ws: Workspace) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'fleetops-helm-'));
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      await writeFile(kubeconfig, kubeconfigFor(creds), { mode: 0o600 });
      const homes = { cache: join(dir, 'cache'), config: join(dir, 'config'), data: join(dir, 'data') };
      for (const home of Object.values(homes)) await mkdir(home, { mode: 0o700 });
      return await fn({ dir, kubeconfig, homes });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async run(ws: Workspace, args: string[]): Promise<string> {
    const binary = typeof this.options.binary === 'string' ? this.options.binary : await this.options.binary();
    const env = {
      HOME: ws.dir,
      PATH: '/usr/bin:/bin',
      HELM_CACHE_HOME: ws.homes.cache,
      HELM_CONFIG_HOME: ws.homes.config,
      HELM_DATA_HOME: ws.homes.data,
      HELM_DRIVER: 'secret',
      KUBECONFIG: ws.kubeconfig,
    };
    return new Promise((resolve, reject) => {
      execFile(
        binary,
        args,
        { env, cwd: ws.dir, timeout: this.options.processTimeoutMs ?? 240_000, maxBuffer: 16 * 1024 * 1024, windowsHide: true },
        (error, stdout, stderr) => {
          if (error) reject(new HelmError(args[0], error, String(stderr)));
          else resolve(String(stdout));
        },
      );
    });
  }
}

interface Workspace {
  dir: string;
  kubeconfig: string;
  homes: { cache: string; config: string; data: string };
}

/** A failed helm command; the message keeps helm's last stderr line, which names no credentials. */
export class HelmError extends UpstreamError {
  readonly stderr: string;
  constructor(command: string, error: Error, stderr: string) {
    const line = stderr.trim().split('\n').pop()?.slice(0, 500) ?? '';
    super(`helm ${command} failed: ${line || error.message}`, 'HELM_FAILED');
    this.stderr = stderr;
  }
}
