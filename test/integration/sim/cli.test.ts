// `node sim/main.ts --clusters a,b --out DIR`: one JSON line, kubeconfigs on disk, clean exit on SIGTERM.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { kreq } from './helpers.ts';

const root = resolve(import.meta.dirname, '../../..');

describe('sim CLI', () => {
  it('prints the ready line, writes kubeconfigs, serves, and exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-cli-'));
    const child = spawn(process.execPath, ['sim/main.ts', '--clusters', 'a,b', '--out', dir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    try {
      const line = await new Promise<string>((res, rej) => {
        let buf = '';
        const t = setTimeout(() => rej(new Error(`no ready line; stderr: ${stderr}`)), 30_000);
        child.stdout.on('data', (d) => {
          buf += d;
          const i = buf.indexOf('\n');
          if (i >= 0) {
            clearTimeout(t);
            res(buf.slice(0, i));
          }
        });
        child.on('exit', (code) => rej(new Error(`exited early ${code}: ${stderr}`)));
      });
      const ready = JSON.parse(line);
      expect(ready.clusters.map((c: any) => c.name)).toEqual(['a', 'b']);
      for (const c of ready.clusters) {
        expect(Object.keys(c).sort()).toEqual(['kubeconfig', 'metricsUrl', 'name', 'server']);
        expect(c.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        expect(c.kubeconfig).toBe(join(dir, `${c.name}.kubeconfig`));
        const kc = parse(await readFile(c.kubeconfig, 'utf8'));
        expect(kc.clusters).toHaveLength(1);
        expect(kc.clusters[0].cluster.server).toBe(c.server);
        expect(kc.clusters[0].cluster['certificate-authority-data']).toBeTruthy();
        expect(kc.users[0].user.token).toMatch(/^[0-9a-f]{64}$/);
        expect(kc['current-context']).toBe(kc.contexts[0].name);
        const info = {
          name: c.name,
          server: c.server,
          token: kc.users[0].user.token,
          caData: kc.clusters[0].cluster['certificate-authority-data'],
          kubeconfigYaml: '',
          metricsUrl: c.metricsUrl,
        };
        const v = await kreq(info, 'GET', '/version');
        expect(v.status).toBe(200);
        expect(v.body.gitVersion).toMatch(/-sim$/);
        const m = await fetch(c.metricsUrl);
        expect(m.status).toBe(200);
        expect(await m.text()).toContain('http_requests_total');
      }
      const a = parse(await readFile(ready.clusters[0].kubeconfig, 'utf8'));
      const b = parse(await readFile(ready.clusters[1].kubeconfig, 'utf8'));
      expect(a.users[0].user.token).not.toBe(b.users[0].user.token);
      expect(a.clusters[0].cluster['certificate-authority-data']).not.toBe(b.clusters[0].cluster['certificate-authority-data']);
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
