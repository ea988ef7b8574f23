import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './dynamodb.ts';

export const PROMETHEUS_BINARY = process.env.FLEETOPS_PROMETHEUS_BINARY ?? 'prometheus';

export function prometheusAvailable(): boolean {
  return spawnSync(PROMETHEUS_BINARY, ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface LocalPrometheus {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real Prometheus (Debian package `prometheus`) scraping the simulator's metrics endpoints,
 * each target labelled with its cluster, for the demo and the integration tests.
 */
export async function startPrometheus(options: { targets: { cluster: string; metricsUrl: string }[]; scrapeSeconds?: number }): Promise<LocalPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetops-prometheus-'));
  const port = await freePort();
  const scrape = options.scrapeSeconds ?? 2;
  const jobs = options.targets.map((t) => {
    const url = new URL(t.metricsUrl);
    return [
      `  - job_name: ${JSON.stringify(`sim-${t.cluster}`)}`,
      `    metrics_path: ${JSON.stringify(url.pathname)}`,
      '    static_configs:',
      `      - targets: [${JSON.stringify(url.host)}]`,
      `        labels: { cluster: ${JSON.stringify(t.cluster)} }`,
    ].join('\n');
  });
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [`global:`, `  scrape_interval: ${scrape}s`, `  scrape_timeout: ${scrape}s`, 'scrape_configs:', ...jobs].join('\n') + '\n',
  );
  const child = spawn(
    PROMETHEUS_BINARY,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error('Prometheus did not become ready');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop };
}
