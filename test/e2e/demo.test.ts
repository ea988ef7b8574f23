import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb.ts';

const root = join(import.meta.dirname, '..', '..');
let demo: ChildProcess | undefined;

afterAll(() => {
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
});

describe('npm run demo (the README main job)', () => {
  it('starts the stack with dev and prod registered, pulls metrics on schedule, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    demo = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'local/demo.ts'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        FLEETOPS_DATA_DIR: mkdtempSync(join(tmpdir(), 'fleetops-demo-')),
        FLEETOPS_PULL_INTERVAL_SECONDS: '3',
        POWERTOOLS_LOG_LEVEL: 'WARN',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout!.on('data', (c) => (output += c));
    demo.stderr!.on('data', (c) => (output += c));
    const exited = new Promise<number | null>((resolve) => demo!.once('exit', (code) => resolve(code)));

    const deadline = Date.now() + 90_000;
    while (!output.includes('fleetops demo ready')) {
      if (Date.now() > deadline || demo.exitCode !== null) throw new Error(`demo did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const token = /Token:\s+(\S+)/.exec(output)![1];
    const get = async (path: string) =>
      (await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<any>;
    const clusters = await get('/v1/clusters');
    expect(clusters.items.map((c: { name: string }) => c.name).sort()).toEqual(['dev', 'prod']);
    expect(clusters.items.every((c: { status: string }) => c.status === 'active')).toBe(true);
    // The shop's catalog is loaded before the clusters: grouping, RCA and routing use it from the first pull.
    const components = await get('/v1/catalog/entities?kind=Component');
    expect(components.items.map((c: { ref: string }) => c.ref)).toEqual([
      'component:default/frontend',
      'component:default/order-service',
      'component:default/payment-service',
      'component:default/user-service',
    ]);

    let anomalies: { cluster: string }[] = [];
    while (Date.now() < deadline && new Set(anomalies.map((a) => a.cluster)).size < 2) {
      await new Promise((r) => setTimeout(r, 1000));
      anomalies = (await get('/v1/anomalies?limit=50')).items;
    }
    expect(new Set(anomalies.map((a) => a.cluster))).toEqual(new Set(['dev', 'prod']));

    demo.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: stopping');
  }, 120_000);
});
