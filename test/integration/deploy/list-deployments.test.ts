/**
 * GET /v1/deployments reads gsi1 `DEPLOYMENTS / <createdAt>#<id>` backwards: newest first, a status
 * filter applied on read (pages read until `limit` match), waves and clusters as GET /v1/deployments/{id}.
 * Against DynamoDB Local with the real store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws/dynamodb/document-client.ts';
import { DynamoDeploymentStore } from '../../../functions/adapters/aws/dynamodb/deployment-store.ts';
import { publicDeployment } from '../../../functions/core/deploy/public-view.ts';
import type { DeploymentRecord } from '../../../functions/core/deploy/types.ts';
import { startTestTable } from '../../support/dynamodb.ts';

let db: Awaited<ReturnType<typeof startTestTable>>;
let store: DynamoDeploymentStore;

const record = (n: number): DeploymentRecord =>
  ({
    id: `dep-${String(n).padStart(2, '0')}`,
    trigger: 'api',
    release: `web-${n}`,
    namespace: 'apps',
    chart: { path: '/charts/web' },
    valuesHash: 'never-listed',
    waves: [{ name: 'dev', selector: { environment: 'dev' } }],
    strategy: { rolloutTimeoutSeconds: 60, verifySeconds: 0, maxConcurrency: 1 },
    status: 'RUNNING',
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    updatedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  }) as unknown as DeploymentRecord;

beforeAll(async () => {
  db = await startTestTable();
  store = new DynamoDeploymentStore(createDocumentClient({ tableName: db.tableName, endpoint: db.endpoint }), db.tableName);
  // 30 deployments, created a minute apart, inserted out of order; every 3rd failed, every 5th succeeded.
  for (const n of [...Array(30).keys()].sort((a, b) => ((a * 7) % 30) - ((b * 7) % 30))) {
    expect(await store.create(record(n))).toBe(true);
    if (n % 3 === 0) await store.setStatus(record(n).id, 'FAILED', record(n).createdAt, 'rolled back');
    else if (n % 5 === 0) await store.setStatus(record(n).id, 'SUCCEEDED', record(n).createdAt);
  }
  await store.savePlan('dep-29', [{ index: 0, name: 'dev', status: 'RUNNING', clusters: [{ clusterId: 'c-1', cluster: 'dev-1' }] } as never]);
}, 120_000);
afterAll(async () => {
  await db?.stop();
});

describe('DynamoDeploymentStore.list', () => {
  it('returns the newest deployments first, at most limit', async () => {
    const views = await store.list({ limit: 5 });
    expect(views.map((v) => v.record.id)).toEqual(['dep-29', 'dep-28', 'dep-27', 'dep-26', 'dep-25']);
  });

  it('filters by status across pages until limit match', async () => {
    const failed = await store.list({ status: 'FAILED', limit: 4 });
    expect(failed.map((v) => v.record.id)).toEqual(['dep-27', 'dep-24', 'dep-21', 'dep-18']);
    const succeeded = await store.list({ status: 'SUCCEEDED', limit: 100 });
    expect(succeeded.map((v) => v.record.id)).toEqual(['dep-25', 'dep-20', 'dep-10', 'dep-05']);
    const running = await store.list({ status: 'RUNNING', limit: 100 });
    expect(running).toHaveLength(30 - 10 - 4);
    expect(running.every((v) => v.record.status === 'RUNNING')).toBe(true);
  });

  it('gives each deployment its waves and clusters, in the public view, without values', async () => {
    const [newest] = await store.list({ limit: 1 });
    const view = publicDeployment(newest!);
    expect(view).toMatchObject({
      id: 'dep-29',
      status: 'RUNNING',
      waves: [{ name: 'dev', status: 'RUNNING', clusters: [{ clusterId: 'c-1', cluster: 'dev-1', status: 'PENDING' }] }],
    });
    expect(view).toEqual(publicDeployment((await store.get('dep-29'))!));
    expect(JSON.stringify(view)).not.toContain('never-listed');
  });

  it('stops at the first match when limit is 1', async () => {
    expect((await store.list({ status: 'SUCCEEDED', limit: 1 })).map((v) => v.record.id)).toEqual(['dep-25']);
  });
});
