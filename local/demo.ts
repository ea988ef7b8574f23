import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { preflight } from './preflight.ts';

/**
 * `npm run demo`: the local stack plus two simulated clusters, `dev` and `prod`, registered through
 * the public API (as a user would), with the scheduled metric pulls running.
 */
const problems = preflight();
if (problems.length) {
  for (const problem of problems) console.error(`fleetops: ${problem}`);
  process.exit(1);
}

const { startLocalCloud } = await import('./cloud.ts');
const { startSimulator } = await import('../sim/index.ts');
const log = (line: string) => console.error(`[fleetops] ${line}`);

const cloud = await startLocalCloud({ log });
const simulator = await startSimulator({ clusters: ['dev', 'prod'], outDir: join(cloud.dataDir, 'sim') });

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(cloud.url + path, {
    method,
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Registers a simulated cluster; on a re-run with the same data dir, rotates to the simulator's fresh credentials. */
async function registerSimulated(info: { name: string; kubeconfigYaml: string }): Promise<string> {
  const environment = info.name === 'prod' ? 'prod' : 'dev';
  const created = await api('POST', '/v1/clusters', { name: info.name, environment, labels: { simulated: 'true' }, kubeconfig: info.kubeconfigYaml });
  if (created.status === 201) return `${created.body.name} registered (${created.body.version}, id ${created.body.id})`;
  if (created.status !== 409) throw new Error(`registering ${info.name}: ${created.status} ${JSON.stringify(created.body)}`);
  const existing = (await api('GET', '/v1/clusters')).body.items.find((c: { name: string }) => c.name === info.name);
  const rotated = await api('PUT', `/v1/clusters/${existing.id}/kubeconfig`, { kubeconfig: info.kubeconfigYaml });
  if (rotated.status !== 200) throw new Error(`rotating ${info.name}: ${rotated.status} ${JSON.stringify(rotated.body)}`);
  return `${info.name} already registered: credentials rotated to the new simulator (id ${existing.id})`;
}

try {
  for (const info of simulator.clusters) log(await registerSimulated(info));
} catch (error) {
  console.error(`fleetops demo: ${error instanceof Error ? error.message : String(error)}`);
  await simulator.stop();
  await cloud.stop();
  process.exit(1);
}

const dev = simulator.clusters.find((c) => c.name === 'dev')!;
const devCa = join(cloud.dataDir, 'sim', 'dev-ca.pem');
writeFileSync(devCa, Buffer.from(dev.caData, 'base64'));
console.log(`
fleetops demo ready in ${(cloud.startupMs / 1000).toFixed(1)} s
  API:    ${cloud.url}
  Token:  ${cloud.apiToken}
  Clusters (simulated): ${simulator.clusters.map((c) => `${c.name} ${c.server}`).join(', ')}
  Kubeconfigs: ${join(cloud.dataDir, 'sim')}

Try:
  export FLEETOPS_TOKEN=${cloud.apiToken}
  curl -s -H "Authorization: Bearer $FLEETOPS_TOKEN" ${cloud.url}/v1/clusters
  curl -s -H "Authorization: Bearer $FLEETOPS_TOKEN" ${cloud.url}/v1/incidents?status=open
  curl -s -H "Authorization: Bearer $FLEETOPS_TOKEN" ${cloud.url}/v1/anomalies
  # break something in dev (ten fault types: see the README), then watch anomalies and incidents:
  curl -s -H "Authorization: Bearer ${dev.token}" --cacert ${devCa} \\
       -X POST ${dev.server}/sim/v1/faults -d '{"type":"error-burst","namespace":"shop","deployment":"payment-service"}'
  curl -s ${cloud.url}/openapi.json | head -c 300
Ctrl-C stops everything.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    Promise.allSettled([simulator.stop(), cloud.stop()]).then(() => process.exit(0));
  });
}
