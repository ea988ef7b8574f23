import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { preflight } from './preflight.ts';
import { stopOnSignals } from './shutdown.ts';

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
const { demoTokenLines } = await import('./oidc/issuer.ts');
// As a user would: the served RBAC manifest applied with the cluster's admin, fleetops registered with its own token.
const { leastPrivilegeKubeconfig } = await import('../test/support/least-privilege.ts');
const log = (line: string) => console.error(`[fleetops] ${line}`);
// FLEETOPS_DEMO_BACKSTAGE=true: the Backstage dev app too (local/demo-backstage.ts); off by default, it is slow to bundle.
const backstage = process.env.FLEETOPS_DEMO_BACKSTAGE?.trim().toLowerCase() === 'true' ? await import('./demo-backstage.ts') : undefined;
const backstageStack = backstage?.backstageStackOptions();

const { prometheusAvailable, startPrometheus } = await import('./prometheus.ts');
// The demo pulls every 10 s unless told otherwise, so a fault shows as an incident within a minute.
const pullSeconds = process.env.FLEETOPS_PULL_INTERVAL_SECONDS ?? '10';
const cloud = await startLocalCloud({
  log,
  env: { FLEETOPS_PULL_NAMESPACES: process.env.FLEETOPS_PULL_NAMESPACES ?? 'shop', FLEETOPS_PULL_INTERVAL_SECONDS: pullSeconds, ...backstageStack?.env },
  ...(backstageStack ? { localOidc: backstageStack.localOidc } : {}),
});
const simulator = await startSimulator({ clusters: ['dev', 'prod'], outDir: join(cloud.dataDir, 'sim') });
// A real Prometheus scraping both simulated clusters when the machine has one (Debian: prometheus);
// otherwise the pull falls back to metrics.k8s.io (cpu and memory only).
const prometheus = prometheusAvailable()
  ? await startPrometheus({ targets: simulator.clusters.map((c) => ({ cluster: c.name, metricsUrl: c.metricsUrl })), scrapeSeconds: 5 })
  : undefined;
log(prometheus ? `Prometheus on ${prometheus.url}` : 'no prometheus binary: metric pulls use metrics.k8s.io (cpu/memory only)');

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(cloud.url + path, {
    method,
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * Registers a simulated cluster with the least-privilege account of GET /v1/rbac-manifest (access=deploy for the
 * namespaces the demo deploys into); the simulator's admin token only injects faults. On a re-run with the same data dir the simulator and Prometheus
 * have new ports and credentials, so the old registration is replaced.
 */
async function registerSimulated(info: { name: string; server: string; caData: string; kubeconfigYaml: string }): Promise<string> {
  const body = {
    name: info.name,
    environment: info.name === 'prod' ? 'prod' : 'dev',
    labels: { simulated: 'true' },
    kubeconfig: await leastPrivilegeKubeconfig(info),
    namespaces: ['shop'],
    ...(prometheus ? { prometheus: { url: prometheus.url, rateWindow: '30s', matchers: { cluster: info.name } } } : {}),
  };
  let created = await api('POST', '/v1/clusters', body);
  let note = '';
  if (created.status === 409) {
    const existing = (await api('GET', '/v1/clusters')).body.items.find((c: { name: string }) => c.name === info.name);
    await api('DELETE', `/v1/clusters/${existing.id}`);
    created = await api('POST', '/v1/clusters', body);
    note = ' (replaced the registration from the previous run)';
  }
  if (created.status !== 201) throw new Error(`registering ${info.name}: ${created.status} ${JSON.stringify(created.body)}`);
  const features = Object.entries(created.body.permissions?.features ?? {})
    .map(([feature, allowed]) => `${feature} ${Array.isArray(allowed) ? allowed.join('/') : allowed}`)
    .join(', ');
  return `${created.body.name} registered (${created.body.version}, id ${created.body.id}; as fleetops:fleetops: ${features})${note}`;
}

/** The shop's catalog (owners, dependsOn, APIs, SLOs), so grouping, RCA and routing use it from the first pull. */
async function loadCatalog(): Promise<string> {
  const response = await fetch(cloud.url + '/v1/catalog/entities', {
    method: 'POST',
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/yaml' },
    body: readFileSync(join(import.meta.dirname, 'catalog', 'shop.yaml'), 'utf8'),
  });
  const result = (await response.json()) as { accepted?: number; rejected?: unknown[] };
  if (response.status !== 200 || result.rejected?.length) throw new Error(`loading the shop catalog: ${response.status} ${JSON.stringify(result)}`);
  return `catalog loaded: ${result.accepted} entities for shop`;
}

let backstageApp: Awaited<ReturnType<NonNullable<typeof backstage>['startDemoBackstage']>> | undefined;
try {
  log(await loadCatalog());
  for (const info of simulator.clusters) log(await registerSimulated(info));
  if (backstage) backstageApp = await backstage.startDemoBackstage(cloud);
} catch (error) {
  console.error(`fleetops demo: ${error instanceof Error ? error.message : String(error)}`);
  await simulator.stop();
  await prometheus?.stop();
  await cloud.stop();
  process.exit(1);
}

const dev = simulator.clusters.find((c) => c.name === 'dev')!;
// One pull to see the fault (Prometheus' 30 s rate window already shows most of it), plus the pull itself.
const detectionSeconds = Math.max(20, Math.ceil(2 * Number(pullSeconds)));
const devCa = join(cloud.dataDir, 'sim', 'dev-ca.pem');
writeFileSync(devCa, Buffer.from(dev.caData, 'base64'));
// One ready-made sign-in token per role, from the local OIDC issuer the stack trusts (unset when an external issuer is configured).
const roleTokens = cloud.oidc
  ? `
Sign in as a role (the bootstrap token above is admin; these are OIDC users, as in AWS):
${(await demoTokenLines(cloud.oidc)).replace(/^/gm, '  ')}
  curl -s -H "Authorization: Bearer $FLEETOPS_VIEWER_TOKEN" ${cloud.url}/v1/whoami
  # a viewer may read, not act: 403
  curl -s -H "Authorization: Bearer $FLEETOPS_VIEWER_TOKEN" -H 'content-type: application/json' -X PUT ${cloud.url}/v1/healing/kill-switch -d '{"disabled":true}'
  # an ingest credential for an Alertmanager (admin only; the secret is shown once):
  curl -s -H "Authorization: Bearer $FLEETOPS_ADMIN_TOKEN" -H 'content-type: application/json' -X POST ${cloud.url}/v1/credentials/ingest -d '{"source":"alertmanager"}'
`
  : '';
console.log(`
fleetops demo ready in ${(cloud.startupMs / 1000).toFixed(1)} s
  API:    ${cloud.url}
  Token:  ${cloud.apiToken}
  Clusters (simulated): ${simulator.clusters.map((c) => `${c.name} ${c.server}`).join(', ')}
  Prometheus: ${prometheus?.url ?? 'not installed (metrics.k8s.io fallback)'}
  Metric pulls: every ${pullSeconds} s (FLEETOPS_PULL_INTERVAL_SECONDS)
  Kubeconfigs: ${join(cloud.dataDir, 'sim')}

Try:
  export FLEETOPS_TOKEN=${cloud.apiToken}
  curl -s -H "Authorization: Bearer $FLEETOPS_TOKEN" ${cloud.url}/v1/clusters
  curl -s -H "Authorization: Bearer $FLEETOPS_TOKEN" ${cloud.url}/v1/incidents?status=open
  curl -s -H "Authorization: Bearer $FLEETOPS_TOKEN" ${cloud.url}/v1/anomalies?cluster=dev
  curl -s -H "Authorization: Bearer $FLEETOPS_TOKEN" -X POST ${cloud.url}/v1/metrics/pull
  curl -s -H "Authorization: Bearer $FLEETOPS_TOKEN" "${cloud.url}/v1/forecast?cluster=dev&service=frontend&hours=6"
  curl -s -H "Authorization: Bearer $FLEETOPS_TOKEN" ${cloud.url}/v1/fleet/overview
  curl -s -H "Authorization: Bearer $FLEETOPS_TOKEN" "${cloud.url}/v1/catalog/graph?entity=component:default/user-service"
  curl -s -H "Authorization: Bearer $FLEETOPS_TOKEN" ${cloud.url}/v1/scorecards/component%3Adefault%2Fuser-service
  # break something in dev (ten fault types: see the README); an incident for payment-service opens
  # within about ${detectionSeconds} s (two pulls), with nobody calling the API (give it a minute first:
  # grouping compares each call edge with its history before the fault):
  curl -s -H "Authorization: Bearer ${dev.token}" --cacert ${devCa} -H 'content-type: application/json' \\
       -X POST ${dev.server}/sim/v1/faults -d '{"type":"error-burst","namespace":"shop","deployment":"payment-service"}'
  # mend it with the "id" it answered; the incident resolves after two quiet pulls:
  curl -s -H "Authorization: Bearer ${dev.token}" --cacert ${devCa} -X DELETE ${dev.server}/sim/v1/faults/ID
  curl -s ${cloud.url}/openapi.json | head -c 300
${roleTokens}${backstageApp ? `\nBackstage dev app (sign in as Alice viewer, Olga operator or Bob approver): ${backstageApp.url}/fleetops, ${backstageApp.url}/fleetops/entity/payment-service\n` : ''}Ctrl-C stops everything.`);
if (backstageApp) console.log(JSON.stringify({ backstage: backstageApp.url }));

stopOnSignals(() => Promise.allSettled([backstageApp?.close(), simulator.stop(), prometheus?.stop(), cloud.stop()]), log);
