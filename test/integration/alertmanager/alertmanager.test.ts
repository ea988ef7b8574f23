import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud.ts';
import { freePort } from '../../../local/dynamodb.ts';
import { waitFor } from '../../support/wait.ts';

const BINARY = 'prometheus-alertmanager';
const available = spawnSync(BINARY, ['--version']).status === 0;
if (!available) console.warn(`skipping: ${BINARY} not installed (Debian package prometheus-alertmanager)`);

let cloud: LocalCloud;
let alertmanager: ChildProcess;
let amUrl: string;

describe.skipIf(!available)('a real Alertmanager posting webhooks to the local stack', () => {
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetops-am-'));
    cloud = await startLocalCloud({ port: 0, inMemory: true, schedules: false, dataDir: join(dir, 'data') });
    const config = `
route:
  receiver: fleetops
  group_by: [alertname, cluster, service]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: fleetops
    webhook_configs:
      - url: ${cloud.url}/v1/alerts/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${cloud.apiToken}
`;
    writeFileSync(join(dir, 'alertmanager.yml'), config);
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    alertmanager = spawn(
      BINARY,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'am')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(async () => ((await fetch(`${amUrl}/-/ready`)).ok ? true : undefined), 'alertmanager ready', 30_000, 250);
  });

  afterAll(async () => {
    alertmanager?.kill('SIGTERM');
    await cloud?.stop();
  });

  const amAlert = (service: string, pod: string, endsAt?: string) => ({
    labels: { alertname: 'HighErrorRate', cluster: 'prod', namespace: 'shop', service, pod, severity: 'warning' },
    annotations: { summary: `${service} 5xx above 5%` },
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    ...(endsAt ? { endsAt } : {}),
  });
  const postToAlertmanager = async (alerts: unknown[]) => {
    const response = await fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    expect(response.status).toBe(200);
  };
  const incidents = async () =>
    (await (await fetch(`${cloud.url}/v1/incidents`, { headers: { authorization: `Bearer ${cloud.apiToken}` } })).json()) as {
      items: { id: string; service: string; status: string; alertCount: number }[];
    };

  it('opens one incident per group and resolves it when Alertmanager resolves', async () => {
    await postToAlertmanager([amAlert('cart', 'cart-1'), amAlert('cart', 'cart-2'), amAlert('cart', 'cart-3'), amAlert('search', 'search-1')]);
    const opened = await waitFor(
      async () => {
        const { items } = await incidents();
        return items.filter((i) => i.status === 'open').length === 2 ? items : undefined;
      },
      'two incidents',
      30_000,
      250,
    );
    expect(opened.map((i) => i.service).sort()).toEqual(['cart', 'search']);

    // Alertmanager re-sends the group as it changes; still one incident per group.
    await postToAlertmanager([amAlert('cart', 'cart-4')]);
    await new Promise((r) => setTimeout(r, 4000));
    const { items } = await incidents();
    expect(items.filter((i) => i.service === 'cart')).toHaveLength(1);

    const past = new Date(Date.now() - 1000).toISOString();
    await postToAlertmanager(['cart-1', 'cart-2', 'cart-3', 'cart-4'].map((pod) => amAlert('cart', pod, past)));
    const resolved = await waitFor(
      async () => {
        const cart = (await incidents()).items.find((i) => i.service === 'cart');
        return cart?.status === 'resolved' ? cart : undefined;
      },
      'cart resolved',
      30_000,
      250,
    );
    expect(resolved.service).toBe('cart');
    expect((await incidents()).items.find((i) => i.service === 'search')?.status).toBe('open');
  });
});
