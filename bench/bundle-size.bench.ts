/** Size of each Lambda bundle, built with the same esbuild options CDK uses (lib/constructs/functions.ts). */
import { gzipSync } from 'node:zlib';
import { deployedHandlers } from '../lib/fleetops-stack.ts';
import { buildHandler, FORBIDDEN_INPUT } from './support/build-handler.ts';

for (const handler of deployedHandlers()) {
  const started = performance.now();
  const { code, inputs } = await buildHandler(handler);
  console.log(
    JSON.stringify({
      bench: 'bundle-size',
      handler,
      bytes: code.byteLength,
      gzipBytes: gzipSync(code).byteLength,
      buildMs: Math.round(performance.now() - started),
      // The rule: no CDK, test tools, simulator or local-only adapter code in a Lambda (test/infra/bundles.test.ts).
      forbiddenInputs: inputs.filter((i) => FORBIDDEN_INPUT.test(i)).length,
    }),
  );
}
