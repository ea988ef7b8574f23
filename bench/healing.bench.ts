/**
 * Healing in the local stack against the simulator:
 * - RCA → executed action: an `RcaCompleted` event put on the bus until the scale-out is audited;
 * - action → verification: the execute audit entry until the verify entry (includes the
 *   configured wait, FLEETOPS_HEALING_VERIFY_WAIT_SECONDS, reported alongside);
 * - DynamoDB requests per safety decision: the preflight read plus the atomic claim, alone and
 *   with 50 concurrent claims on one service.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDocumentClient } from '../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoHealingStore } from '../functions/adapters/aws/dynamodb/healing-store.ts';
import { healingIdForRca } from '../functions/core/healing/workflow.ts';
import { startLocalCloud } from '../local/cloud.ts';
import { startSimulator } from '../sim/index.ts';

const verifyWaitSeconds = 2;
const sim = await startSimulator({ clusters: ['bench'], tickMs: 300 });
const cloud = await startLocalCloud({
  port: 0,
  inMemory: true,
  schedules: false,
  dataDir: mkdtempSync(join(tmpdir(), 'fleetops-bench-heal-')),
  env: {
    FLEETOPS_HEALING_VERIFY_WAIT_SECONDS: String(verifyWaitSeconds),
    FLEETOPS_HEALING_POLICY: JSON.stringify({ defaults: { cooldownSeconds: 0, actionsPerHour: 100 } }),
  },
});
const api = async (method: string, path: string, body?: unknown) => {
  const r = await fetch(cloud.url + path, {
    method,
    headers: { authorization: `Bearer ${cloud.apiToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await r.json().catch(() => undefined)) as any;
};

try {
  const info = sim.clusters[0];
  const cluster = await api('POST', '/v1/clusters', { name: info.name, environment: 'dev', kubeconfig: info.kubeconfigYaml });
  const runs: { rcaToActionMs: number; actionToVerifyMs: number }[] = [];
  const services = ['frontend', 'user-service', 'order-service', 'payment-service'];
  for (const [i, service] of services.entries()) {
    const rcaId = `bench-${i}`;
    const started = Date.now();
    await cloud.bus.put([
      {
        source: 'fleetops.rca',
        detailType: 'RcaCompleted',
        detail: { rcaId, clusterId: cluster.id, cluster: info.name, namespace: 'shop', service, severity: 'low', engine: 'rules', issueType: 'high_cpu' },
      },
    ]);
    const id = healingIdForRca(rcaId, 'high_cpu');
    let done: any;
    for (let t = 0; t < 600 && !done; t++) {
      const got = await api('GET', `/v1/healing/${id}`);
      if (got?.audit?.some((a: any) => a.step === 'notify')) done = got;
      else await new Promise((r) => setTimeout(r, 100));
    }
    if (!done) throw new Error(`run ${id} did not finish`);
    const at = (step: string) => Date.parse(done.audit.find((a: any) => a.step === step).at);
    runs.push({ rcaToActionMs: at('execute') - started, actionToVerifyMs: at('verify') - at('execute') });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    JSON.stringify({
      bench: 'healing',
      case: 'RcaCompleted → executed action → verification (scale-out, local stack + simulator)',
      runs: runs.length,
      rcaToActionMsMedian: median(runs.map((r) => r.rcaToActionMs)),
      actionToVerificationMsMedian: median(runs.map((r) => r.actionToVerifyMs)),
      verifyWaitSeconds,
      actionToVerificationMinusWaitMsMedian: median(runs.map((r) => r.actionToVerifyMs - verifyWaitSeconds * 1000)),
    }),
  );

  // DynamoDB requests per safety decision, counted at the SDK.
  const client = createDocumentClient({ tableName: cloud.tableName, endpoint: cloud.dynamoEndpoint });
  let requests = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      requests++;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const store = new DynamoHealingStore({ client, tableName: cloud.tableName });
  const decide = (healingId: string, service: string) =>
    store
      .safetyState({ service, issue: `${service}#high_cpu` })
      .then(() => store.claimAction({ healingId, service, issue: `${service}#high_cpu`, now: new Date(), actionsPerHour: 3, cooldownSeconds: 900 }));
  requests = 0;
  await decide('solo', 'bench#shop#solo');
  const solo = requests;
  requests = 0;
  const contended = await Promise.all(Array.from({ length: 50 }, (_, i) => decide(`c${i}`, 'bench#shop#busy')));
  console.log(
    JSON.stringify({
      bench: 'healing',
      case: 'DynamoDB requests per safety decision (preflight BatchGet + TransactWrite claim)',
      uncontended: solo,
      concurrent50PerDecision: Number((requests / 50).toFixed(2)),
      concurrent50Granted: contended.filter((r) => r.granted).length,
    }),
  );
} finally {
  await cloud.stop();
  await sim.stop();
}
