/**
 * Registration path against the project's cluster simulator (sim/index.ts), when it exists:
 * its kubeconfig must pass the policy and answer /version through the gateway.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAndValidateKubeconfig } from '../../../functions/core/clusters/kubeconfig-policy.ts';
import { KubernetesGateway } from '../../../functions/adapters/kube/kube-gateway.ts';
import { UpstreamError } from '../../../functions/core/errors.ts';

const simEntry = fileURLToPath(new URL('../../../sim/index.ts', import.meta.url));

interface SimCluster {
  name: string;
  server: string;
  kubeconfigYaml: string;
  token: string;
}
interface Sim {
  clusters: SimCluster[];
  stop(): Promise<void> | void;
}

describe.skipIf(!existsSync(simEntry))('simulator registration', () => {
  let sim: Sim;
  beforeAll(async () => {
    const mod = (await import(pathToFileURL(simEntry).href)) as { startSimulator(o: { clusters: string[] }): Promise<Sim> };
    sim = await mod.startSimulator({ clusters: ['t1'] });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('accepts the simulator kubeconfig and reads the version', async () => {
    const c = sim.clusters[0];
    const safe = parseAndValidateKubeconfig(c.kubeconfigYaml, { allowLoopback: true });
    expect(safe.server).toBe(c.server.replace(/\/$/, ''));
    expect(safe.user).toEqual({ token: c.token });
    const version = await new KubernetesGateway({ allowLoopback: true }).version(safe);
    expect(version.gitVersion).toMatch(/^v1\./);
    const pods = await (
      await new KubernetesGateway({ allowLoopback: true }).client({ clusterId: 't1', credentialsVersion: '1', creds: safe })
    ).listPods('shop');
    expect(pods.length).toBeGreaterThan(0);
  });

  it('a wrong token fails without leaking it', async () => {
    const c = sim.clusters[0];
    const safe = parseAndValidateKubeconfig(c.kubeconfigYaml, { allowLoopback: true });
    const bad = { ...safe, user: { token: 'not-the-right-token-123' } };
    const err = await new KubernetesGateway({ allowLoopback: true }).version(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).message).not.toContain('not-the-right-token-123');
  });
});
