/**
 * Runs every bench/*.bench.ts in its own process (one core, no interference between them).
 * Each benchmark prints JSON objects, one per line; this runner passes them through and adds
 * one line per benchmark that failed.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let failed = 0;
for (const file of files) {
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(here, file)], {
    stdio: ['ignore', 'inherit', 'inherit'],
    // Handler logs would interleave with the benchmarks' JSON lines.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', ...process.env },
  });
  if (result.status !== 0) {
    failed++;
    console.log(JSON.stringify({ bench: file, error: `exited with ${result.status ?? result.signal}` }));
  }
}
process.exitCode = failed ? 1 : 0;
