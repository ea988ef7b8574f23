/**
 * Alerts per second through the local stack (HTTP gateway → handler → DynamoDB Local), and
 * DynamoDB requests per alert for duplicates and for new incidents (budget: 1 and at most 3).
 * The bus has no rules here: the RCA and Slack consumers of IncidentOpened read the incident store through
 * the same meter and would be counted as ingest (BENCH_RULES=1 keeps them, as before issue 24).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud } from '../local/cloud.ts';
import { alertStore } from '../functions/wiring/alerts.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'fleetops-bench-alerts-'));
const withRules = process.env.BENCH_RULES === '1';
const cloud = await startLocalCloud({ port: 0, dataDir, inMemory: true, schedules: false, ...(withRules ? {} : { rules: [] }) });
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);

const post = (body: unknown) =>
  fetch(`${cloud.url}/v1/alerts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => {
    await r.arrayBuffer();
    if (r.status !== 202) throw new Error(`status ${r.status}`);
  });
const alert = (service: string) => ({
  source: 'bench',
  cluster: 'prod',
  namespace: 'shop',
  service,
  type: 'HighErrorRate',
  severity: 'medium',
  message: `${service} errors`,
});

async function run(label: string, bodies: unknown[]): Promise<void> {
  alertStore().meter.reset();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) await post(bodies[next++]);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const meter = alertStore().meter;
  console.log(
    JSON.stringify({
      bench: 'alerts',
      case: label,
      alerts: bodies.length,
      concurrency,
      alertsPerSecond: Math.round(bodies.length / seconds),
      dynamoRequestsPerAlert: Number((meter.requests / bodies.length).toFixed(2)),
      byCommand: meter.byCommand,
      eventRules: withRules,
    }),
  );
}

// Warm the handler modules and the silence cache first.
await post(alert('warmup'));
await run(
  'new-incidents',
  Array.from({ length: 200 }, (_, i) => alert(`svc-${i}`)),
);
await run(
  'duplicates',
  Array.from({ length: 1000 }, (_, i) => alert(`svc-${i % 200}`)),
);
await run(
  'mixed-10pct-new',
  Array.from({ length: 1000 }, (_, i) => alert(i % 10 === 0 ? `fresh-${i}` : `svc-${i % 200}`)),
);

await cloud.stop();
rmSync(dataDir, { recursive: true, force: true });
