// The real helm from the layer zip (helm 4.2.3, as in Lambda's /opt/helm/helm) against the simulator, through HelmCli.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelmCli, HelmError } from '../../../functions/adapters/helm/helm-cli.ts';
import { parseAndValidateKubeconfig, type SafeKubeconfig } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import { ensureHelmKubectl } from '../../../local/layers/helm-kubectl.ts';
import { startSimulator, type RunningSimulator } from '../../../sim/index.ts';
import { kreq } from '../sim/helpers.ts';

const CHART = resolve(import.meta.dirname, '../../fixtures/charts/hello');
let sim: RunningSimulator;
let creds: SafeKubeconfig;
let helm: HelmCli;
let dataDir: string;
let workDir: string;
const previousTmp = process.env.TMPDIR;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fleetops-helm-data-'));
  workDir = mkdtempSync(join(tmpdir(), 'fleetops-helm-tmp-'));
  sim = await startSimulator({ clusters: ['helm'], tickMs: 300 });
  creds = parseAndValidateKubeconfig(sim.clusters[0].kubeconfigYaml, { allowLoopback: true });
  const binary = ensureHelmKubectl(dataDir).helm;
  helm = new HelmCli({ binary, policy: { allowLoopback: true } });
  // helm's workspaces go here, so the test can see that they are removed.
  process.env.TMPDIR = workDir;
}, 180_000);

afterAll(async () => {
  process.env.TMPDIR = previousTmp;
  await sim?.stop();
  for (const dir of [dataDir, workDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const image = async () =>
  (await kreq(sim.clusters[0], 'GET', '/apis/apps/v1/namespaces/web/deployments/web')).body?.spec?.template?.spec?.containers?.[0]?.image;

describe('HelmCli with the layer’s helm', () => {
  it('installs, upgrades and rolls back a release, leaving no workspace behind', async () => {
    const base = { creds, release: 'web', namespace: 'web', chart: { path: CHART }, timeoutSeconds: 60 };
    expect(await helm.upgrade({ ...base, values: { image: { tag: '1.0.0' } } })).toEqual({ revision: 1, previousRevision: 0 });
    expect(await image()).toBe('registry.example.com/hello:1.0.0');
    expect(await helm.upgrade({ ...base, values: { image: { tag: '2.0.0' } } })).toEqual({ revision: 2, previousRevision: 1 });
    expect(await image()).toBe('registry.example.com/hello:2.0.0');
    await helm.rollback({ creds, release: 'web', namespace: 'web', revision: 1, timeoutSeconds: 60 });
    expect(await image()).toBe('registry.example.com/hello:1.0.0');
    expect(readdirSync(workDir)).toEqual([]);
  }, 120_000);

  it('uninstalls a release that had no earlier revision', async () => {
    await helm.upgrade({ creds, release: 'once', namespace: 'web', chart: { path: CHART }, values: {}, timeoutSeconds: 60 });
    await helm.rollback({ creds, release: 'once', namespace: 'web', revision: 0, timeoutSeconds: 60 });
    expect((await kreq(sim.clusters[0], 'GET', '/apis/apps/v1/namespaces/web/deployments/once')).status).toBe(404);
  }, 120_000);

  it('reports a failing chart as a HelmError and still removes the workspace', async () => {
    const missing = helm.upgrade({ creds, release: 'bad', namespace: 'web', chart: { path: join(workDir, 'no-such-chart') }, values: {}, timeoutSeconds: 30 });
    await expect(missing).rejects.toBeInstanceOf(HelmError);
    expect(readdirSync(workDir)).toEqual([]);
  }, 60_000);

  it('installs from a chart repository through fleetops’ own download: helm gets the .tgz and never connects itself', async () => {
    const packaged = join(dataDir, 'hello-0.1.0.tgz');
    execFileSync('tar', ['-czf', packaged, '-C', resolve(CHART, '..'), 'hello']);
    const tarball = readFileSync(packaged);
    const seen: string[] = [];
    const repo = createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url === '/charts/index.yaml') res.end('apiVersion: v1\nentries:\n  hello:\n    - version: 0.1.0\n      urls: [hello-0.1.0.tgz]\n');
      else if (req.url === '/charts/hello-0.1.0.tgz') res.end(tarball);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => repo.listen(0, '127.0.0.1', () => r()));
    try {
      const repoUrl = `http://127.0.0.1:${(repo.address() as { port: number }).port}/charts`;
      const result = await helm.upgrade({
        creds,
        release: 'repo',
        namespace: 'web',
        chart: { repoUrl, name: 'hello', version: '0.1.0' },
        values: { image: { tag: '3.0.0' } },
        timeoutSeconds: 60,
      });
      expect(result.revision).toBe(1);
      // Exactly our two requests: helm itself fetched nothing from the repository.
      expect(seen).toEqual(['/charts/index.yaml', '/charts/hello-0.1.0.tgz']);
      expect(readdirSync(workDir)).toEqual([]);
    } finally {
      repo.close();
    }
  }, 120_000);

  it('refuses a cluster address the policy refuses before helm runs', async () => {
    const strict = new HelmCli({ binary: '/nonexistent/helm', policy: { allowLoopback: false } });
    await expect(strict.upgrade({ creds, release: 'web', namespace: 'web', chart: { path: CHART }, values: {}, timeoutSeconds: 30 })).rejects.toThrow(
      /loopback|not allowed/,
    );
  });
});
