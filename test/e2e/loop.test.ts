/**
 * The whole loop with nobody calling the API: the local stack pulls on its own schedule, a fault in a
 * simulated cluster opens an incident, the incident gets an RCA, the RCA starts healing (automatically,
 * or after an approver presses the button in the Slack message it posted), healing verifies its
 * action, and detection resolves the incident. The test itself only reads (GET) and presses buttons.
 * A second part traces a payment-service fault, seen on frontend, back to payment-service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusAvailable } from '../../local/prometheus.ts';
import { kreq, waitFor } from '../integration/sim/helpers.ts';
import { startPullingStack, sleep, type PullingStack } from '../support/local-stack.ts';
import { pressSlackButton, startSlackReceiver, type SlackReceiver } from '../support/slack-fake.ts';

const withPrometheus = prometheusAvailable();
if (!withPrometheus)
  console.warn('loop e2e: the frontend → payment-service trace is skipped without a prometheus binary (error rates need it; .ci/run installs it)');

const SECRET = 'slack-signing-secret-loop-0123456789abcdef';
const APPROVER = 'UONCALL';
let stack: PullingStack;
let slack: SlackReceiver;

const get = async (path: string) => {
  const r = await stack.api('GET', path);
  expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
};
const openIncident = async (cluster: string, service: string) =>
  ((await get('/v1/incidents?status=open')).items as any[]).find((i) => i.cluster === cluster && i.service === service);
const healingOf = async (cluster: string, service: string) =>
  ((await get(`/v1/healing?service=${service}`)).items as any[]).filter((h) => h.cluster === cluster);

beforeAll(async () => {
  slack = await startSlackReceiver();
  stack = await startPullingStack({
    clusters: ['auto', 'ask', 'trace'],
    prometheus: withPrometheus,
    env: {
      FLEETOPS_SLACK_WEBHOOK_URL: slack.url,
      FLEETOPS_SLACK_SIGNING_SECRET: SECRET,
      FLEETOPS_SLACK_APPROVERS: APPROVER,
      FLEETOPS_HEALING_VERIFY_WAIT_SECONDS: '10',
      FLEETOPS_HEALING_POLICY: JSON.stringify({
        services: {
          'auto/shop/order-service': { autoCeiling: 'critical' },
          'ask/shop/payment-service': { autoCeiling: 'none', approvalTimeoutSeconds: 900 },
        },
      }),
    },
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await slack?.stop();
});

const template = async (cluster: string, deployment: string) =>
  (await kreq(stack.cluster(cluster), 'GET', `/apis/apps/v1/namespaces/shop/deployments/${deployment}`)).body.spec.template.spec.containers;

interface LoopCase {
  cluster: string;
  /** A fault that ships a broken template (a bad deploy): a missing image, a missing ConfigMap. */
  fault: string;
  service: string;
  incidentType: string;
  causes: string[];
  approve: boolean;
}

async function loop(c: LoopCase) {
  const good = await template(c.cluster, c.service);
  const injected = Date.now();
  const fault = await kreq(stack.cluster(c.cluster), 'POST', '/sim/v1/faults', { type: c.fault, namespace: 'shop', deployment: c.service });
  expect(fault.status).toBe(201);
  expect(await template(c.cluster, c.service)).not.toEqual(good);

  const incident = await waitFor(
    async () => {
      const i = await openIncident(c.cluster, c.service);
      return i?.types?.includes(c.incidentType) ? i : undefined;
    },
    `${c.cluster}: a ${c.incidentType} incident for ${c.service}`,
    90_000,
    2000,
  );
  const openedAfter = (Date.now() - injected) / 1000;
  // IncidentOpened starts the RCA, which writes its id on the incident as it starts.
  incident.rcaId ??= await waitFor(async () => (await get(`/v1/incidents/${incident.id}`)).rcaId, `${c.cluster}: the incident's rcaId`, 10_000, 250);
  const rca = await waitFor(
    async () => {
      const r = await get(`/v1/rca/${incident.rcaId}`);
      return r.status === 'SUCCEEDED' ? r : undefined;
    },
    `${c.cluster}: the RCA`,
    60_000,
    500,
  );
  const rcaSeconds = (Date.parse(rca.completedAt) - Date.parse(incident.firstSeen)) / 1000;
  expect(rcaSeconds, 'the report is SUCCEEDED within 10 s of the incident').toBeLessThanOrEqual(10);
  expect(c.causes).toContain(rca.report.rootCauses[0].category);
  expect(rca.report.rootCauses[0].resource).toBe(`deployment/${c.service}`);
  expect(JSON.stringify(rca.report.rootCauses[0])).toMatch(/rollout|revision/);

  // The report joins the incident's Slack conversation, once.
  const rcaPosted = (m: { text?: string }) => (m.text ?? '').includes(`RCA for ${c.service} (${c.cluster}/shop)`);
  await waitFor(async () => slack.messages.some(rcaPosted), `${c.cluster}: the RCA in Slack`, 30_000, 500);

  let run = await waitFor(
    async () => (await healingOf(c.cluster, c.service)).find((h) => h.incidentId === incident.id),
    `${c.cluster}: a healing run for the incident`,
    60_000,
    1000,
  );
  expect(run.issueType).toBe('bad_deploy');
  if (c.approve) {
    run = await waitFor(
      async () => {
        const r = await get(`/v1/healing/${run.id}`);
        return r.status === 'PENDING_APPROVAL' ? r : undefined;
      },
      `${c.cluster}: PENDING_APPROVAL`,
      60_000,
      1000,
    );
    // The request reached Slack with its buttons; nothing changed on the cluster meanwhile.
    await waitFor(async () => slack.buttons('healing_approve').includes(run.id), `${c.cluster}: the approval request in Slack`, 30_000, 500);
    await sleep(3000);
    expect(await template(c.cluster, c.service)).not.toEqual(good);
    const pressed = await pressSlackButton(stack.cloud.url, SECRET, 'healing_approve', run.id, APPROVER);
    expect(pressed.status).toBe(200);
  }
  const done = await waitFor(
    async () => {
      const r = await get(`/v1/healing/${run.id}`);
      return ['SUCCEEDED', 'FAILED', 'REJECTED', 'SKIPPED'].includes(r.status) ? r : undefined;
    },
    `${c.cluster}: healing to finish`,
    120_000,
    1000,
  );
  expect(done.status, JSON.stringify(done, null, 2)).toBe('SUCCEEDED');
  const healedAfter = (Date.now() - injected) / 1000;
  // Rolled back: the template is the good one again (kubectl rollout undo semantics).
  expect(await template(c.cluster, c.service)).toEqual(good);
  const steps = (done.audit as any[]).map((a) => a.step);
  for (const step of ['begin', 'safety', 'claim', 'snapshot', 'execute', 'verify']) expect(steps).toContain(step);
  if (c.approve) expect(JSON.stringify(done)).toContain(APPROVER);

  // Nobody removed the fault: the rollback fixed the cluster, and detection resolves the incident.
  const resolved = await waitFor(
    async () => {
      const i = await get(`/v1/incidents/${incident.id}`);
      return i.status === 'resolved' ? i : undefined;
    },
    `${c.cluster}: the incident to resolve after healing`,
    240_000,
    3000,
  );
  expect(resolved.healingIds).toContain(run.id);
  const resolvedAfter = (Date.now() - injected) / 1000;
  expect(slack.messages.filter(rcaPosted)).toHaveLength(1);
  console.log(
    JSON.stringify({
      measurement: 'unattended loop',
      cluster: c.cluster,
      fault: c.fault,
      approval: c.approve,
      incidentAfterSeconds: openedAfter,
      rcaSecondsAfterIncident: rcaSeconds,
      healedAfterSeconds: healedAfter,
      resolvedAfterSeconds: resolvedAfter,
    }),
  );
}

describe('fault → incident → RCA → healing → verification → resolved, with nobody calling the API', () => {
  it('a bad deploy: rolled back automatically on one cluster, after a Slack approval on the other', async () => {
    await sleep(30_000); // the demo's "started 30 s before the fault"
    expect((await get('/v1/incidents?status=open')).items).toEqual([]);
    await Promise.all([
      loop({
        cluster: 'auto',
        fault: 'image-pull-backoff',
        service: 'order-service',
        incidentType: 'KubePodImagePullBackOff',
        causes: ['ImagePullBackOff', 'BadDeploy'],
        approve: false,
      }),
      loop({
        cluster: 'ask',
        fault: 'missing-configmap',
        service: 'payment-service',
        incidentType: 'KubePodContainerConfigError',
        causes: ['CreateContainerConfigError', 'BadDeploy'],
        approve: true,
      }),
    ]);
  }, 600_000);
});

describe.skipIf(!withPrometheus)('RCA through the call graph', () => {
  it('a fault in payment-service, seen first on frontend, is traced to payment-service', async () => {
    const fault = await kreq(stack.cluster('trace'), 'POST', '/sim/v1/faults', { type: 'error-burst', namespace: 'shop', deployment: 'payment-service' });
    expect(fault.status).toBe(201);
    // The callers' error rates rise with the callee's (the simulator propagates); ask about frontend.
    await waitFor(
      async () => {
        const a = (await get('/v1/anomalies?cluster=trace&service=frontend&limit=3')).items as any[];
        return a.some((x) => x.status === 'anomaly');
      },
      'frontend to show the symptom',
      120_000,
      2000,
    );
    const clusterId = stack.clusterIds.trace;
    const started = await stack.api('POST', '/v1/rca', { clusterId, namespace: 'shop', service: 'frontend' });
    expect(started.status).toBe(202);
    const rca = await waitFor(
      async () => ((await get(`/v1/rca/${started.body.id}`)).status === 'SUCCEEDED' ? get(`/v1/rca/${started.body.id}`) : undefined),
      'the RCA of frontend',
      60_000,
      500,
    );
    const top = rca.report.rootCauses[0];
    console.log(
      JSON.stringify({
        measurement: 'trace frontend → payment-service',
        top: { category: top.category, resource: top.resource, confidence: top.confidence, evidence: top.evidence },
        symptoms: rca.report.symptoms.slice(0, 2),
      }),
    );
    expect(top.resource).toBe('deployment/payment-service');
    expect(top.description).toMatch(/frontend → order-service → payment-service/);
    expect(rca.report.symptoms.join('\n')).toMatch(/UpstreamFailure: frontend depends on payment-service/);
    // The incident detection opened on its own is payment-service's, and the callers joined it.
    const incidents = ((await get('/v1/incidents?status=open')).items as any[]).filter((i) => i.cluster === 'trace');
    expect(incidents.map((i) => i.service)).toEqual(['payment-service']);
    await kreq(stack.cluster('trace'), 'DELETE', `/sim/v1/faults/${fault.body.id}`);
  }, 300_000);
});
