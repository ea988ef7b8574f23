/**
 * The Backstage dev app in a real browser (Debian's chromium through playwright-core) against the local
 * stack: a fault injected through the simulator shows up on the service's fleetops tab as an incident,
 * the RCA tree names the right root cause, a viewer is not offered (and not allowed) the approval, and
 * an approver approves the heal run from the tab; fleetops records the approver's Backstage identity.
 * Screenshots go to $FLEETOPS_BACKSTAGE_SCREENSHOTS (plugins/fleetops/docs for the README) when set.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDevServer } from '../../plugins/fleetops/dev/server.ts';
import { kreq, waitFor } from '../integration/sim/helpers.ts';
import { startPullingStack, type PullingStack } from '../support/local-stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`backstage browser e2e skipped: no chromium at ${CHROMIUM} (.ci/run installs Debian's chromium)`);
const shots = process.env.FLEETOPS_BACKSTAGE_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'fleetops-backstage-shots-'));
mkdirSync(shots, { recursive: true });

const SERVICE = 'payment-service';
let stack: PullingStack;
let dev: Awaited<ReturnType<typeof startDevServer>>;
let browser: Browser;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function signIn(user: 'alice' | 'bob', path: string, height = 1000): Promise<Page> {
  // Backstage pages scroll inside their own container: a tall viewport is how a screenshot shows the whole tab.
  const context = await browser.newContext({ viewport: { width: 1400, height } });
  const page = await context.newPage();
  await page.goto(`${dev.url}${path}`);
  await page.waitForURL(/\/signin/);
  await page.check(`input[value="${user}"]`);
  await page.click('#signin');
  await page.waitForURL((url) => url.pathname === path);
  return page;
}

beforeAll(async () => {
  if (!haveChromium) return;
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const { devIssuer } = await import('../../plugins/fleetops/dev/server.ts');
  stack = await startPullingStack({
    clusters: ['dev'],
    env: {
      FLEETOPS_OIDC_ISSUERS: JSON.stringify([devIssuer(origin)]),
      FLEETOPS_HEALING_VERIFY_WAIT_SECONDS: '5',
      FLEETOPS_HEALING_POLICY: JSON.stringify({ services: { [`dev/shop/${SERVICE}`]: { autoCeiling: 'none', approvalTimeoutSeconds: 900 } } }),
    },
  });
  dev = await startDevServer({ fleetopsUrl: stack.cloud.url, serviceToken: stack.cloud.apiToken, port });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await dev?.close();
  await stack?.stop();
});

describe.skipIf(!haveChromium)('fleetops in Backstage, in chromium', () => {
  it('fleet page, then a fault: incident, RCA tree, heal run approved by an approver and not by a viewer', async () => {
    const fleet = await signIn('alice', '/fleetops');
    await fleet.getByTestId('fleetops-clusters').waitFor({ timeout: 60_000 });
    expect(await fleet.getByTestId('fleetops-clusters').textContent()).toContain('dev');
    await fleet.screenshot({ path: join(shots, 'fleet-page.png') });

    const fault = await kreq(stack.cluster('dev'), 'POST', '/sim/v1/faults', { type: 'image-pull-backoff', namespace: 'shop', deployment: SERVICE });
    expect(fault.status).toBe(201);
    const incident = await waitFor(
      async () => {
        const r = await stack.api('GET', '/v1/incidents?status=open');
        return (r.body.items as any[]).find((i) => i.service === SERVICE && i.rcaId);
      },
      'an incident with an RCA for payment-service',
      120_000,
      2000,
    );
    const run = await waitFor(
      async () => {
        const r = await stack.api('GET', `/v1/healing?service=${SERVICE}`);
        return (r.body.items as any[]).find((h) => h.incidentId === incident.id && h.status === 'PENDING_APPROVAL');
      },
      'a heal run waiting for approval',
      120_000,
      2000,
    );

    await fleet.reload();
    await fleet.getByTestId('fleetops-pending').waitFor({ timeout: 60_000 });
    expect(await fleet.getByTestId('fleetops-incident-matrix').textContent()).toMatch(/high|critical/);
    await fleet.screenshot({ path: join(shots, 'fleet-page-incident.png') });

    // The viewer sees the incident, the RCA tree and the run, but is not offered Approve.
    const viewer = await signIn('alice', `/fleetops/entity/${SERVICE}`, 2600);
    await viewer
      .getByTestId('fleetops-incidents')
      .getByText(incident.title ?? incident.id)
      .first()
      .waitFor({ timeout: 30_000 });
    const category = viewer.getByTestId('fleetops-root-cause-category').first();
    await category.waitFor({ timeout: 60_000 });
    expect(['ImagePullBackOff', 'BadDeploy']).toContain((await category.textContent())?.trim());
    await viewer.getByTestId('fleetops-approve-not-allowed').waitFor();
    expect(await viewer.getByTestId(`fleetops-approve-${run.id}`).count()).toBe(0);
    // Nor can the viewer approve by calling the Backstage route: fleetops itself refuses the viewer's token.
    const direct = await viewer.evaluate(async (id) => {
      const r = await fetch(`/api/proxy/fleetops/v1/healing/${id}/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return { status: r.status, body: await r.json() };
    }, run.id);
    expect(direct.status, JSON.stringify(direct.body)).toBe(403);
    await viewer.getByTestId('fleetops-healing').screenshot({ path: join(shots, 'heal-runs-viewer.png') });
    expect((await stack.api('GET', `/v1/healing/${run.id}`)).body.status).toBe('PENDING_APPROVAL');

    // The approver approves from the tab; fleetops records Backstage's user.
    const approver = await signIn('bob', `/fleetops/entity/${SERVICE}`, 2600);
    await approver.getByTestId('fleetops-rca-tree').waitFor({ timeout: 60_000 });
    await approver.screenshot({ path: join(shots, 'entity-tab.png') });
    await approver.getByTestId('fleetops-rca').screenshot({ path: join(shots, 'rca-tree.png') });
    await approver.getByTestId(`fleetops-approve-${run.id}`).click();
    const approved = await waitFor(
      async () => {
        const r = await stack.api('GET', `/v1/healing/${run.id}`);
        return r.body.status !== 'PENDING_APPROVAL' ? r.body : undefined;
      },
      'the approval to take effect',
      30_000,
      500,
    );
    expect(['EXECUTING', 'SUCCEEDED']).toContain(approved.status);
    expect(JSON.stringify(approved)).toContain('user:default/bob');
    await approver
      .getByTestId('fleetops-healing')
      .getByText(/EXECUTING|SUCCEEDED/)
      .first()
      .waitFor({ timeout: 30_000 });
    await approver.getByTestId('fleetops-healing').screenshot({ path: join(shots, 'heal-runs-approved.png') });
  }, 420_000);
});
