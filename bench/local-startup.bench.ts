/** Start-up time of the local stack (DynamoDB Local + tables + gateway), and the first /health answer. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud } from '../local/cloud.ts';

const runs = Number(process.env.BENCH_RUNS ?? 3);
for (let run = 1; run <= runs; run++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleetops-bench-'));
  const started = performance.now();
  const cloud = await startLocalCloud({ port: 0, dataDir, schedules: false });
  const ready = performance.now();
  const response = await fetch(`${cloud.url}/health`);
  const firstHealth = performance.now();
  await cloud.stop();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      bench: 'local-startup',
      run,
      startupMs: Math.round(ready - started),
      firstHealthMs: Math.round(firstHealth - ready),
      healthStatus: response.status,
      stopMs: Math.round(performance.now() - firstHealth),
    }),
  );
}
