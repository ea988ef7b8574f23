/**
 * Issue 19: a deploy wave whose clusters are all unreachable has no clusters, and `every()` over
 * nothing passed the health gate: prod went next. Against DynamoDB Local with the real store.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoDeploymentStore } from '../../../functions/adapters/aws/dynamodb/deployment-store.ts';
import { EncryptedFileSecretStore } from '../../../functions/adapters/local/encrypted-file-secret-store.ts';
import { Deployer } from '../../../functions/core/deploy/deployer.ts';
import type { BusEvent } from '../../../functions/ports.ts';
import { startTestTable } from '../../support/dynamodb.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
beforeAll(async () => {
  db = await startTestTable();
}, 120_000);
afterAll(async () => {
  await db?.stop();
});

const cluster = (id: string, environment: string, status: string) => ({ id, name: id, environment, labels: {}, status }) as never;

describe('deploy wave health gate', () => {
  it('fails a wave whose clusters are all unreachable, and never starts the prod wave', async () => {
    const events: BusEvent[] = [];
    const started: string[] = [];
    const deployer = new Deployer({
      store: new DynamoDeploymentStore(createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), db.tableName),
      clusters: {
        list: async () => [cluster('staging-1', 'staging', 'unreachable'), cluster('staging-2', 'staging', 'unreachable'), cluster('prod-1', 'prod', 'active')],
        get: async () => {
          throw new Error('no cluster step may run');
        },
        credentials: async () => {
          throw new Error('no cluster step may run');
        },
        client: async () => {
          throw new Error('no cluster step may run');
        },
      },
      secrets: new EncryptedFileSecretStore(mkdtempSync(join(tmpdir(), 'fleetops-empty-wave-'))),
      workflows: {
        start: async (_w: string, _input: unknown, name?: string) => (started.push(name ?? ''), { executionId: name ?? 'x' }),
        describe: async () => undefined,
      } as never,
      events: { publish: async (e: BusEvent[]) => void events.push(...e) },
      clock: { now: () => new Date() },
      chartPolicy: { allowLocalCharts: true, allowLoopback: false },
    });
    const { id } = await deployer.create({
      id: 'dep-empty-wave',
      trigger: 'api',
      release: 'web',
      namespace: 'apps',
      chart: { path: '/charts/web' },
      waves: [
        { name: 'staging', selector: { environment: 'staging' } },
        { name: 'prod', selector: { environment: 'prod' } },
      ],
      strategy: { rolloutTimeoutSeconds: 60, verifySeconds: 0, maxConcurrency: 1 },
    });
    const plan = await deployer.plan(id);
    expect(plan.waveCount).toBe(2);
    const { clusters } = await deployer.startWave(id, 0);
    expect(clusters).toEqual([]);
    const gate = await deployer.finishWave(id, 0);
    expect(gate).toEqual({ next: 'rollback', waveIndex: 0, rollback: [] });
    const failed = await deployer.failDeployment(id, 0);
    expect(failed.message).toMatch(/no reachable cluster/);
    const view = await deployer.view(id);
    expect(view.record.status).toBe('FAILED');
    expect(view.waves.map((w) => w.status)).toEqual(['ROLLED_BACK', 'SKIPPED']);
    expect(view.clusters.filter((c) => c.waveIndex === 1).every((c) => c.status === 'PENDING')).toBe(true);
  });
});
