import { createServer, type Server } from 'node:http';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerStore } from '../../../functions/adapters/aws/secrets-manager-store.ts';
import { SlackWebhookNotifier } from '../../../functions/adapters/notify/slack-webhook.ts';
import { SecretBackedNotifier } from '../../../functions/wiring/alerts.ts';
import { startFakeSecretsManager } from '../../support/fake-secrets-manager.ts';

let fake: Awaited<ReturnType<typeof startFakeSecretsManager>>;
let slack: Server;
let slackBodies: string[] = [];
let slackUrl: string;

beforeAll(async () => {
  fake = await startFakeSecretsManager();
  slack = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      slackBodies.push(body);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => slack.listen(0, '127.0.0.1', () => r()));
  slackUrl = `http://127.0.0.1:${(slack.address() as { port: number }).port}/services/T000/B000/XXXX`;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
});
afterAll(async () => {
  await fake?.stop();
  slack?.close();
});

const client = () => new SecretsManagerClient({ endpoint: fake.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

describe('SecretsManagerStore against the Secrets Manager wire protocol', () => {
  it('creates on first put, updates afterwards, reads, and deletes idempotently', async () => {
    const store = new SecretsManagerStore({ prefix: 'fleetops/', client: client() });
    expect(await store.get('clusters/c-1/kubeconfig')).toBeUndefined();
    await store.put('clusters/c-1/kubeconfig', '{"token":"one"}');
    await store.put('clusters/c-1/kubeconfig', '{"token":"two"}');
    expect(fake.secrets.get('fleetops/clusters/c-1/kubeconfig')).toBe('{"token":"two"}');
    expect(await store.get('clusters/c-1/kubeconfig')).toBe('{"token":"two"}');
    await store.delete('clusters/c-1/kubeconfig');
    await store.delete('clusters/c-1/kubeconfig');
    expect(await store.get('clusters/c-1/kubeconfig')).toBeUndefined();
    expect(fake.operations()).toEqual(expect.arrayContaining(['GetSecretValue', 'PutSecretValue', 'CreateSecret', 'DeleteSecret']));
  });
});

describe('SecretBackedNotifier', () => {
  it('reads the Slack webhook URL from Secrets Manager (Powertools) on first send', async () => {
    fake.secrets.set('fleetops/slack-webhook', slackUrl);
    slackBodies = [];
    const notifier = new SecretBackedNotifier('slack', 'fleetops/slack-webhook', (url) => new SlackWebhookNotifier({ webhookUrl: url }));
    await notifier.send({ incidentId: 'i-1', title: 'checkout 5xx', text: 'error rate 31%', severity: 'high', status: 'open' });
    expect(slackBodies).toHaveLength(1);
    expect(JSON.parse(slackBodies[0])).toMatchObject({ text: expect.stringContaining('checkout') });
    expect(fake.operations().filter((r) => r === 'GetSecretValue').length).toBeGreaterThanOrEqual(1);
  });

  it('fails loudly (so the caller retries) when the secret is missing', async () => {
    const notifier = new SecretBackedNotifier('slack', 'fleetops/missing', (url) => new SlackWebhookNotifier({ webhookUrl: url }));
    await expect(notifier.send({ incidentId: 'i-2', title: 't', text: 't', severity: 'low', status: 'open' })).rejects.toThrow();
  });
});
