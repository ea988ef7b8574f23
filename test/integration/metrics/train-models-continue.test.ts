// train-models through the local stack: an invocation out of time trains one batch, publishes TrainingContinue, and the
// local bus (rule training-continue) runs train-models again until the run is done, with the cursor in DynamoDB Local.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTrainingCursorStore } from '../../../functions/adapters/aws/dynamodb/training-cursor-store.ts';
import type { LocalCloud } from '../../../local/cloud.ts';
import { lambdaContext } from '../../../local/handlers.ts';
import { startSimulator, type RunningSimulator } from '../../../sim/index.ts';
import { apiClient } from '../../support/local-stack.ts';
import { waitFor } from '../sim/helpers.ts';

let cloud: LocalCloud;
let sim: RunningSimulator;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fleetops-train-continue-'));
  sim = await startSimulator({ clusters: ['train'] });
  const { startLocalCloud } = await import('../../../local/cloud.ts');
  cloud = await startLocalCloud({ port: 0, inMemory: true, schedules: false, dataDir });
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  await sim?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('train-models continues itself through the bus', () => {
  it('covers every series of every cluster in one run made of several invocations', async () => {
    const api = apiClient(cloud);
    const registered = await api('POST', '/v1/clusters', { name: 'train', environment: 'dev', kubeconfig: sim.clusters[0].kubeconfigYaml });
    expect(registered.status).toBe(201);
    const { metricsStore } = await import('../../../functions/wiring/metrics-store.ts');
    const { wiring } = await import('../../../functions/wiring.ts');
    const at = new Date(Date.now() - 60_000).toISOString();
    // 30 series seen in the last day, each with too few samples to train: fast, and still "processed".
    for (let i = 0; i < 30; i++) {
      await metricsStore().putAnomaly({
        cluster: 'train',
        clusterId: registered.body.id,
        namespace: 'shop',
        service: `svc-${String(i).padStart(2, '0')}`,
        status: 'normal',
        score: -0.5,
        severity: 'low',
        features: { cpu_usage: 0.1, memory_usage: 1e8, error_rate: 0, latency_p95: 0.05, request_rate: 10 },
        at,
        pullId: 'p1',
      });
    }
    const { handler } = await import('../../../functions/handlers/train-models.ts');
    // An invocation with 3 s left: one batch (a batch is first guessed at 20 s), then the continuation event.
    const first = (await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, { ...lambdaContext('train-models', 3000) })) as {
      status: string;
      processed: number;
      remaining: number;
    };
    expect(first).toMatchObject({ status: 'continue', processed: 8, remaining: 22 });
    const cursors = new DynamoTrainingCursorStore({ client: wiring().documentClient, tableName: wiring().config.TABLE_NAME });
    const done = await waitFor(
      async () => {
        const c = await cursors.get();
        return c?.done ? c : undefined;
      },
      'the run to finish through TrainingContinue',
      60_000,
      250,
    );
    expect(done).toMatchObject({ done: true, processed: 30, trained: 0, failed: 0 });
    expect(done.invocations).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
