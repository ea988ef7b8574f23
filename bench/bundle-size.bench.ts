/**
 * Size of each Lambda bundle, built with the same esbuild options CDK uses (lib/constructs/functions.ts), and its
 * module-init time: a fresh Node process importing the bundle (the handler module's top level, as a cold start does;
 * the AWS SDK v3 is external there as in the Lambda runtime, and resolved from node_modules here). Median of 3.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { deployedHandlers } from '../lib/fleetops-stack.ts';
import { buildHandler, FORBIDDEN_INPUT } from './support/build-handler.ts';

const KIB = 1024;
const LIMIT_BYTES = 1024 * KIB;
const API_LIMIT_BYTES = 500 * KIB;
const INIT_RUNS = 3;
// Inside the repository, so that the bundle's external @aws-sdk/* imports resolve from node_modules.
const outDir = join(import.meta.dirname, '..', '.bench-out', 'bundles');

function initMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const runs = Array.from({ length: INIT_RUNS }, () =>
    Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, AWS_REGION: 'us-east-1' }, encoding: 'utf8' })),
  );
  return Math.round(runs.sort((a, b) => a - b)[1]);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const apiHandlers = await apiHandlerNames();
for (const handler of deployedHandlers()) {
  const started = performance.now();
  const { code, inputs } = await buildHandler(handler);
  const buildMs = Math.round(performance.now() - started);
  const file = join(outDir, `${handler}.mjs`);
  writeFileSync(file, code);
  const api = apiHandlers.has(handler);
  console.log(
    JSON.stringify({
      bench: 'bundle-size',
      handler,
      api,
      bytes: code.byteLength,
      gzipBytes: gzipSync(code).byteLength,
      withinTarget: code.byteLength <= (api ? API_LIMIT_BYTES : LIMIT_BYTES),
      initMs: initMs(file),
      buildMs,
      // The rule: no CDK, test tools, simulator or local-only adapter code in a Lambda (test/infra/bundles.test.ts).
      forbiddenInputs: inputs.filter((i) => FORBIDDEN_INPUT.test(i)).length,
    }),
  );
}
rmSync(outDir, { recursive: true, force: true });

async function apiHandlerNames(): Promise<Set<string>> {
  const { httpHandlerNames } = await import('../functions/definitions/routes.ts');
  return new Set(httpHandlerNames({ includeLocalOnly: false }));
}
