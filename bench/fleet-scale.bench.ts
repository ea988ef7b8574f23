/**
 * Fleet scale (issue 24): 1,000 simulated clusters × 20 services (BENCH_CLUSTERS to scale down) through the real
 * pull code, and what it would cost per cluster per month in AWS.
 *
 * The clusters are the simulator's own model (sim/cluster.ts: nodes, deployments, pods, metrics.k8s.io usage, RBAC,
 * real error shapes) without one HTTPS API server each: one HTTPS server (one CA) routes `/c/<name>/...` to each
 * cluster's ApiServer request handler, so the Kubernetes client, kubeconfig secret, TLS and address policy are the
 * production ones. Clusters are written straight into the cluster store (registration's connection test would be
 * 1,000 extra round trips and is not what is measured). The pull is the metric-pull workflow (plan-metric-pull +
 * pull-metrics handlers, the ASL run by the local runner) against DynamoDB Local; its events go through the alert
 * rules to the ingest handlers (RCA, notifications and healing are left out: they are per incident, not per cluster).
 *
 * Measured: wall time, Lambda invocations and their durations per handler, DynamoDB requests and the capacity units
 * DynamoDB Local reports for them (ReturnConsumedCapacity, added to every request by a counting wrapper), events
 * published, Step Functions state transitions (from the workflow's shape: Plan, Map, one task per batch, Summarise).
 * Pull 1 is all healthy; before pull 2, 1 % of the services start crash-looping: the alert path is what that adds.
 * Training: the per-series time and DynamoDB use of ModelTrainer.trainSeries are measured on a few sample series
 * (3 days of 5-minute samples each, stored in DynamoDB Local) and extrapolated to every series; nothing else is.
 *
 * Extrapolated to a month: the stack's schedules (functions/definitions/events.ts: pull every 5 min, training every
 * 6 h) × the measured per-round numbers × the list prices below. Local handler durations are measured on this
 * machine with every handler sharing two cores and DynamoDB Local: an upper bound of Lambda's billed duration.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { registerLocalRuntime } from '../functions/adapters/local/runtime-registry.ts';
import { loadConfig } from '../functions/config.ts';
import type { ClusterRecord } from '../functions/core/clusters/cluster-record.ts';
import { kubeconfigSecretName } from '../functions/core/clusters/registry.ts';
import type { SampleRecord } from '../functions/core/pull/records.ts';
import { ModelTrainer } from '../functions/core/pull/training.ts';
import { RULES, SCHEDULES } from '../functions/definitions/events.ts';
import { FUNCTION_SETTINGS } from '../functions/definitions/functions.ts';
import { MAIN_TABLE } from '../functions/definitions/table.ts';
import { WORKFLOWS } from '../functions/definitions/workflows.ts';
import { setWiring, wiring } from '../functions/wiring.ts';
import { clusterStore } from '../functions/wiring/cluster-store.ts';
import { metricsStore } from '../functions/wiring/metrics-store.ts';
import { LocalEventBus, type EventEnvelope } from '../local/bus/local-bus.ts';
import { PROJECT_ROOT } from '../local/cloud.ts';
import { ensureTables, startDynamoDbLocal } from '../local/dynamodb.ts';
import { invokeHandler } from '../local/handlers.ts';
import { LocalWorkflowRunner } from '../local/workflows/runner.ts';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 1000);
const SERVICES = 20;
const ALERTING_SHARE = 0.01;
const TRAIN_SAMPLES = Number(process.env.BENCH_TRAIN_SAMPLES ?? 3);

/**
 * us-east-1 list prices, read on 2026-12-07 from aws.amazon.com/{lambda,dynamodb,step-functions,eventbridge}/pricing
 * (not fetched by the bench). Lambda arm64 (every function here but the helm one), DynamoDB on-demand standard table
 * class, Step Functions Standard workflows, EventBridge custom events. Free tiers are ignored.
 */
const PRICES = {
  lambdaGbSecondArm: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
  stepFunctionsPerThousandTransitions: 0.025,
  eventBridgePerMillionEvents: 1.0,
} as const;
const DAYS_PER_MONTH = 30;
const schedule = (id: string) => SCHEDULES.find((s) => s.id === id)!.rateMinutes;
const PULLS_PER_MONTH = (DAYS_PER_MONTH * 24 * 60) / schedule('metric-pull');
const TRAINING_RUNS_PER_MONTH = (DAYS_PER_MONTH * 24 * 60) / schedule('train-models');

// ---- Counting: invocations per handler, DynamoDB requests and capacity per handler, events per detail type ----
const current = new AsyncLocalStorage<{ handler: string }>();
interface Usage {
  invocations: number;
  ms: number;
  dynamoRequests: number;
  readUnits: number;
  writeUnits: number;
  byOperation: Record<string, number>;
}
const usage = new Map<string, Usage>();
const events = new Map<string, number>();
const usageOf = (handler: string): Usage => {
  let u = usage.get(handler);
  if (!u) usage.set(handler, (u = { invocations: 0, ms: 0, dynamoRequests: 0, readUnits: 0, writeUnits: 0, byOperation: {} }));
  return u;
};
const resetCounters = () => {
  usage.clear();
  events.clear();
};

/** Operations that report consumed capacity, by their command names in the client (GetItem) and the document client (Get). */
const CAPACITY_OPERATIONS = /^((Get|Put|Update|Delete)(Item)?|Query|Scan|Batch(Get|Write)(Item)?|Transact(Get|Write)(Items)?)$/;
type Consumed = { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number };
type Send = (this: unknown, command: { input: Record<string, unknown>; constructor: { name: string } }, ...rest: unknown[]) => Promise<unknown>;
function countDynamo(send: Send): Send {
  return async function (this: unknown, command, ...rest) {
    const operation = command.constructor.name.replace(/Command$/, '');
    if (CAPACITY_OPERATIONS.test(operation)) command.input.ReturnConsumedCapacity ??= 'TOTAL';
    const out = (await send.call(this, command, ...rest)) as { ConsumedCapacity?: Consumed | Consumed[] };
    const u = usageOf(current.getStore()?.handler ?? 'bench');
    u.dynamoRequests += 1;
    u.byOperation[operation] = (u.byOperation[operation] ?? 0) + 1;
    for (const c of [out?.ConsumedCapacity ?? []].flat()) {
      // DynamoDB Local reports CapacityUnits only; reads and writes are told apart by the operation.
      const units = c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0);
      if (/Put|Update|Delete|BatchWrite|TransactWrite/.test(operation)) u.writeUnits += units;
      else u.readUnits += units;
    }
    return out;
  };
}
for (const cls of [DynamoDBClient, DynamoDBDocumentClient]) {
  const proto = cls.prototype as unknown as { send: Send };
  proto.send = countDynamo(Object.getPrototypeOf(cls.prototype).send as Send);
}

async function countedInvoke(handler: string, event: unknown): Promise<unknown> {
  const started = performance.now();
  try {
    return await current.run({ handler }, () => invokeHandler(handler, event));
  } finally {
    const u = usageOf(handler);
    u.invocations += 1;
    u.ms += performance.now() - started;
  }
}

// ---- The simulated fleet, in a worker thread (bench/support/sim-fleet-worker.ts) ----
const sim = new Worker(new URL('./support/sim-fleet-worker.ts', import.meta.url), { workerData: { clusters: CLUSTERS, services: SERVICES } });
const simulator = await new Promise<{ port: number; caPem: string; token: string; names: string[]; seconds: number }>((resolve, reject) => {
  sim.once('message', resolve);
  sim.once('error', reject);
});
const ask = (message: object) =>
  new Promise<void>((resolve) => {
    sim.once('message', () => resolve());
    sim.postMessage(message);
  });
const { port, token } = simulator;
/** Progress on stderr (a 1,000-cluster run takes most of an hour here); the results stay the JSON lines on stdout. */
const progress = (what: string) => process.stderr.write(`fleet-scale ${new Date().toISOString()} ${what}\n`);
progress(`${CLUSTERS} simulated clusters ready in ${simulator.seconds} s`);

// ---- The cloud side: DynamoDB Local, the workflow runner and the bus, with counting invokes ----
const dataDir = mkdtempSync(join(tmpdir(), 'fleetops-bench-fleet-'));
const dynamo = await startDynamoDbLocal({});
await ensureTables(dynamo.endpoint, [{ name: 'fleetops', definition: MAIN_TABLE }]);
Object.assign(process.env, {
  FLEETOPS_RUNTIME: 'local',
  TABLE_NAME: 'fleetops',
  DYNAMODB_ENDPOINT: dynamo.endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  FLEETOPS_DATA_DIR: dataDir,
  FLEETOPS_API_TOKEN: randomBytes(24).toString('hex'),
  FLEETOPS_ALLOW_LOOPBACK_CLUSTERS: 'true',
  FLEETOPS_PULL_NAMESPACES: 'shop',
  FLEETOPS_PULL_INTERVAL_SECONDS: String(schedule('metric-pull') * 60),
  POWERTOOLS_SERVICE_NAME: 'fleetops',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
});
setWiring(undefined);
loadConfig();
const INGEST = new Set(['ingest-event', 'ingest-kube-state', 'ingest-predicted-breach']);
/**
 * The metric-pull ASL as deployed, except the Map's MaxConcurrency (BENCH_MAP_CONCURRENCY, default 2): here every
 * batch shares one process and two cores, in Lambda each has its own. Billing does not depend on it (same
 * invocations); a lower value keeps each invocation's measured duration closer to what it would be alone. Two at a
 * time, 1,000 clusters outlast the execution's 900 s timeout here, so the local run's is BENCH_WORKFLOW_TIMEOUT_SECONDS
 * (default 4 h); the output estimates the deployed wall time (its MaxConcurrency, the measured batch durations).
 */
const workflowDir = mkdtempSync(join(tmpdir(), 'fleetops-bench-asl-'));
const pullWorkflow = WORKFLOWS.find((w) => w.name === 'metric-pull')!;
const asl = JSON.parse(readFileSync(join(PROJECT_ROOT, pullWorkflow.file), 'utf8'));
const deployed = { mapConcurrency: asl.States.PullBatches.MaxConcurrency as number, timeoutSeconds: asl.TimeoutSeconds as number };
asl.States.PullBatches.MaxConcurrency = Number(process.env.BENCH_MAP_CONCURRENCY ?? 2);
asl.TimeoutSeconds = Number(process.env.BENCH_WORKFLOW_TIMEOUT_SECONDS ?? 4 * 3600);
mkdirSync(join(workflowDir, 'state-machines'));
writeFileSync(join(workflowDir, pullWorkflow.file), JSON.stringify(asl));
const runner = new LocalWorkflowRunner([pullWorkflow], countedInvoke, { rootDir: workflowDir });
const bus = new LocalEventBus(
  RULES.filter((r) => r.target.kind === 'function' && INGEST.has(r.target.handler)),
  async (target, event: EventEnvelope) => (target.kind === 'function' ? countedInvoke(target.handler, event) : undefined),
);
registerLocalRuntime({
  putEvents: async (published) => {
    for (const e of published) events.set(e.detailType, (events.get(e.detailType) ?? 0) + 1);
    await bus.put(published);
  },
  startWorkflow: (workflow, input, name) => runner.start(workflow, input, name),
  describeExecution: (id) => runner.describe(id),
  sendTaskSuccess: (t, o) => runner.sendTaskSuccess(t, o),
  sendTaskFailure: (t, e, c) => runner.sendTaskFailure(t, e, c),
});

const caData = Buffer.from(simulator.caPem).toString('base64');
const registerStarted = performance.now();
const now = new Date().toISOString();
/** Eight clusters written at a time: setup, not measured (the secret store is a local file, written whole per put). */
const registerQueue = [...simulator.names];
async function registerNext(): Promise<void> {
  for (let name = registerQueue.shift(); name !== undefined; name = registerQueue.shift()) await registerCluster(name);
}
async function registerCluster(name: string): Promise<void> {
  const id = `c-${name}`;
  const creds = {
    server: `https://127.0.0.1:${port}/c/${name}`,
    caData,
    contextName: name,
    clusterName: name,
    user: { token },
  };
  await wiring().secrets.put(kubeconfigSecretName(id), JSON.stringify(creds));
  const record: ClusterRecord = {
    id,
    name,
    environment: Number(name.slice(1)) % 4 === 0 ? 'prod' : 'dev',
    labels: {},
    server: creds.server,
    version: 'v1.30.2',
    status: 'active',
    createdAt: now,
    updatedAt: now,
    lastCheckedAt: now,
    source: 'kubeconfig',
    credentialsVersion: 'bench',
    namespaces: ['shop'],
  };
  await clusterStore().create(record);
}
await Promise.all(Array.from({ length: 8 }, registerNext));
const registerMs = performance.now() - registerStarted;
progress(`registered in ${Math.round(registerMs / 1000)} s`);

// ---- Rounds ----
interface Round {
  wallMs: number;
  usage: Record<string, Usage>;
  events: Record<string, number>;
  batches: number;
  failedBatches: number;
  services: number;
  clusterErrors: number;
  firstErrors: string[];
}
async function pullRound(pullId: string): Promise<Round> {
  resetCounters();
  await ask({ op: 'tick', times: 1 });
  const started = performance.now();
  const { executionId } = await runner.start('metric-pull', { pullId }, pullId);
  const done = await runner.wait(executionId);
  await bus.drain();
  const wallMs = performance.now() - started;
  if (done?.status !== 'SUCCEEDED') throw new Error(`metric pull ${done?.status}: ${done?.error}`);
  const batches = (done.output as { batches: { failed?: boolean; error?: string; results?: { services: number; error?: string }[] }[] }).batches;
  const results = batches.flatMap((b) => b.results ?? []);
  return {
    wallMs,
    usage: Object.fromEntries(usage),
    events: Object.fromEntries(events),
    batches: batches.length,
    failedBatches: batches.filter((b) => b.failed).length,
    services: results.reduce((n, r) => n + r.services, 0),
    clusterErrors: results.filter((r) => r.error).length,
    firstErrors: [...new Set([...batches.flatMap((b) => (b.error ? [`batch: ${b.error}`] : [])), ...results.flatMap((r) => (r.error ? [r.error] : []))])].slice(
      0,
      3,
    ),
  };
}

const sum = (round: Round, handlers: string[], pick: (u: Usage) => number) => handlers.reduce((t, h) => t + (round.usage[h] ? pick(round.usage[h]) : 0), 0);
const PULL_HANDLERS = ['plan-metric-pull', 'pull-metrics'];
const ALERT_HANDLERS = [...INGEST];
const memoryGb = (handler: string) => (FUNCTION_SETTINGS[handler]?.memoryMb ?? 128) / 1024;

/** Monthly USD per cluster for a path that runs `perMonth` times, from one round's measured use. */
function monthlyCost(round: Round, handlers: string[], perMonth: number, extra: { transitions?: number; events?: number } = {}) {
  const invocations = sum(round, handlers, (u) => u.invocations);
  const gbSeconds = handlers.reduce((t, h) => t + ((round.usage[h]?.ms ?? 0) / 1000) * memoryGb(h), 0);
  const readUnits = sum(round, handlers, (u) => u.readUnits);
  const writeUnits = sum(round, handlers, (u) => u.writeUnits);
  const lambda = gbSeconds * PRICES.lambdaGbSecondArm + (invocations / 1e6) * PRICES.lambdaPerMillionRequests;
  const dynamo = (readUnits / 1e6) * PRICES.dynamoPerMillionReadUnits + (writeUnits / 1e6) * PRICES.dynamoPerMillionWriteUnits;
  const sfn = ((extra.transitions ?? 0) / 1000) * PRICES.stepFunctionsPerThousandTransitions;
  const eventBridge = ((extra.events ?? 0) / 1e6) * PRICES.eventBridgePerMillionEvents;
  const perCluster = (usd: number) => Number(((usd * perMonth) / CLUSTERS).toFixed(4));
  return {
    perRound: {
      invocations,
      gbSeconds: Number(gbSeconds.toFixed(1)),
      dynamoRequests: sum(round, handlers, (u) => u.dynamoRequests),
      readUnits: Math.round(readUnits),
      writeUnits: Math.round(writeUnits),
      ...(extra.transitions ? { stateTransitions: extra.transitions } : {}),
      ...(extra.events ? { events: extra.events } : {}),
    },
    monthlyUsdPerCluster: {
      lambda: perCluster(lambda),
      dynamodb: perCluster(dynamo),
      stepFunctions: perCluster(sfn),
      eventBridge: perCluster(eventBridge),
      total: perCluster(lambda + dynamo + sfn + eventBridge),
    },
  };
}

const healthy = await pullRound('bench-pull-1');
progress(`pull 1: ${Math.round(healthy.wallMs / 1000)} s, ${healthy.services} services, ${healthy.clusterErrors} cluster errors`);

/**
 * Two reads of the pull grow past what one round from an empty table shows: each series' history (the last
 * `historyHours` of samples: 288 at a 5-minute pull) and its fleet peers (the LATEST#<namespace>#<service> partition
 * holds one item per cluster, so each series reads every cluster's). Their steady-state cost at 1,000 clusters is
 * computed from the measured item sizes (DynamoDB on-demand: 0.5 read unit per started 4 KB, eventually consistent).
 */
async function itemBytes(pk: string): Promise<{ items: number; avgBytes: number }> {
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const doc = wiring().documentClient;
  const out = await doc.send(new QueryCommand({ TableName: 'fleetops', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }));
  const items = out.Items ?? [];
  return { items: items.length, avgBytes: items.length ? items.reduce((t, i) => t + JSON.stringify(i).length, 0) / items.length : 0 };
}
const latestItem = await itemBytes('LATEST#shop#frontend');
const sampleItem = await itemBytes(`SAMPLE#c-${simulator.names[0]}#shop#frontend`);
function steadyReadUnitsPerPull(clusters: number) {
  const series = clusters * SERVICES;
  const historyRows = 24 * (60 / schedule('metric-pull'));
  const history = series * Math.ceil((historyRows * sampleItem.avgBytes) / 4096) * 0.5;
  const peers = series * Math.ceil((clusters * latestItem.avgBytes) / 4096) * 0.5;
  return { history, peers };
}
// Step Functions Standard: Plan, the Map state, one PullBatch task per batch, Summarise.
const transitions = (r: Round) => 3 + r.batches;
const pull = monthlyCost(healthy, PULL_HANDLERS, PULLS_PER_MONTH, { transitions: transitions(healthy) });
/** Deployed, the batches run `deployed.mapConcurrency` at a time, each in its own Lambda: rounds × the mean batch. */
const batchSeconds = (healthy.usage['pull-metrics']?.ms ?? 0) / Math.max(1, healthy.usage['pull-metrics']?.invocations ?? 0) / 1000;
const awsWall = {
  mapConcurrency: deployed.mapConcurrency,
  meanBatchSeconds: Number(batchSeconds.toFixed(1)),
  estimatedSeconds: Math.round(Math.ceil(healthy.batches / deployed.mapConcurrency) * batchSeconds),
  workflowTimeoutSeconds: deployed.timeoutSeconds,
};
console.log(
  JSON.stringify({
    bench: 'fleet-scale',
    path: 'pull',
    clusters: CLUSTERS,
    servicesPerCluster: SERVICES,
    servicesScored: healthy.services,
    clusterErrors: healthy.clusterErrors,
    ...(healthy.firstErrors.length ? { firstErrors: healthy.firstErrors } : {}),
    failedBatches: healthy.failedBatches,
    wallSeconds: Number((healthy.wallMs / 1000).toFixed(1)),
    localMapConcurrency: asl.States.PullBatches.MaxConcurrency,
    awsWall,
    batches: healthy.batches,
    pullsPerMonth: PULLS_PER_MONTH,
    ...pull,
    dynamoByOperation: Object.fromEntries(
      Object.entries(healthy.usage)
        .filter(([h]) => PULL_HANDLERS.includes(h))
        .map(([h, u]) => [h, u.byOperation]),
    ),
    setup: { simSeconds: simulator.seconds, registerSeconds: Math.round(registerMs / 1000) },
  }),
);
const steady = steadyReadUnitsPerPull(1000);
const steadyUsd = ((steady.history + steady.peers) / 1e6) * PRICES.dynamoPerMillionReadUnits * PULLS_PER_MONTH;
console.log(
  JSON.stringify({
    bench: 'fleet-scale',
    path: 'pull',
    extrapolated: 'steady-state reads at 1,000 clusters (24 h of history per series, 1,000 peers per series), from measured item sizes',
    sampleItemBytes: Math.round(sampleItem.avgBytes),
    latestItemBytes: Math.round(latestItem.avgBytes),
    readUnitsPerPull: { history: Math.round(steady.history), peers: Math.round(steady.peers) },
    monthlyUsdPerCluster: {
      history: Number((((steady.history / 1e6) * PRICES.dynamoPerMillionReadUnits * PULLS_PER_MONTH) / 1000).toFixed(4)),
      peers: Number((((steady.peers / 1e6) * PRICES.dynamoPerMillionReadUnits * PULLS_PER_MONTH) / 1000).toFixed(4)),
      total: Number((steadyUsd / 1000).toFixed(4)),
    },
  }),
);
// 1 % of the services start crash-looping (the simulator's own fault: pod states, restarts, BackOff events).
const faulted = Math.round(CLUSTERS * SERVICES * ALERTING_SHARE);
await ask({ op: 'faults', count: faulted });
await ask({ op: 'tick', times: 2 });
const alerting = await pullRound('bench-pull-2');
progress(`pull 2: ${Math.round(alerting.wallMs / 1000)} s`);

const pullEvents = (r: Round) => Object.values(r.events).reduce((a, b) => a + b, 0);
const alerts = monthlyCost(alerting, ALERT_HANDLERS, PULLS_PER_MONTH, { events: pullEvents(alerting) });

console.log(
  JSON.stringify({
    bench: 'fleet-scale',
    path: 'alerts',
    servicesFaulted: faulted,
    wallSecondsPullWithAlerts: Number((alerting.wallMs / 1000).toFixed(1)),
    eventsPublished: alerting.events,
    assumption: 'every pull has 1 % of services changing state (fired or resolved): a pessimistic steady state',
    ...alerts,
  }),
);

// ---- Training: measured per series on samples, extrapolated to every series ----
const trainer = new ModelTrainer({ store: metricsStore(), clock: wiring().clock });
const rows = 3 * 24 * 12;
const trainTimes: number[] = [];
resetCounters();
for (let s = 0; s < TRAIN_SAMPLES; s++) {
  const ref = { clusterId: `c-train-${s}`, namespace: 'shop', service: 'frontend' };
  const start = Date.now() - rows * 300_000;
  const samples: SampleRecord[] = Array.from({ length: rows }, (_, i) => {
    const day = Math.sin((i / 288) * 2 * Math.PI);
    return {
      ...ref,
      cluster: ref.clusterId,
      at: new Date(start + i * 300_000).toISOString(),
      features: { cpu_usage: 0.2 + 0.1 * day, memory_usage: 2e8 + 1e7 * Math.random(), error_rate: null, latency_p95: null, request_rate: null },
    };
  });
  await current.run({ handler: 'bench' }, () => metricsStore().putSamples(samples));
  const started = performance.now();
  await current.run({ handler: 'train-models' }, () => trainer.trainSeries(ref));
  trainTimes.push(performance.now() - started);
}
const perSeriesMs = trainTimes.reduce((a, b) => a + b, 0) / trainTimes.length;
const train = usageOf('train-models');
const series = CLUSTERS * SERVICES;
const budgetMs = 900_000 - 60_000; // train-models: 900 s timeout, 60 s margin (handlers/train-models.ts)
const runMs = series * perSeriesMs;
const trainingRound: Round = {
  wallMs: runMs,
  batches: 0,
  failedBatches: 0,
  services: series,
  clusterErrors: 0,
  firstErrors: [],
  events: {},
  usage: {
    'train-models': {
      invocations: Math.ceil(runMs / budgetMs),
      ms: runMs,
      dynamoRequests: (train.dynamoRequests / TRAIN_SAMPLES) * series,
      readUnits: (train.readUnits / TRAIN_SAMPLES) * series,
      writeUnits: (train.writeUnits / TRAIN_SAMPLES) * series,
      byOperation: {},
    },
  },
};
const scheduledEveryHours = schedule('train-models') / 60;
const runHours = runMs / 3_600_000;
// A run that outlasts the schedule's interval is followed by the next one when it ends (one run at a time).
const runsPerMonth = Math.min(TRAINING_RUNS_PER_MONTH, (DAYS_PER_MONTH * 24) / runHours);
const training = monthlyCost(trainingRound, ['train-models'], runsPerMonth, { events: Math.ceil(runMs / budgetMs) });
console.log(
  JSON.stringify({
    bench: 'fleet-scale',
    path: 'training',
    measured: {
      sampleSeries: TRAIN_SAMPLES,
      rowsPerSeries: rows,
      perSeriesMs: Math.round(perSeriesMs),
      dynamoRequestsPerSeries: train.dynamoRequests / TRAIN_SAMPLES,
    },
    extrapolatedTo: series,
    runHours: Number(runHours.toFixed(1)),
    scheduledEveryHours,
    runsPerMonth: Number(runsPerMonth.toFixed(1)),
    ...training,
  }),
);
const total = pull.monthlyUsdPerCluster.total + alerts.monthlyUsdPerCluster.total + training.monthlyUsdPerCluster.total + steadyUsd / 1000;
console.log(
  JSON.stringify({
    bench: 'fleet-scale',
    summary: true,
    clusters: CLUSTERS,
    servicesPerCluster: SERVICES,
    monthlyUsdPerCluster: {
      pull: pull.monthlyUsdPerCluster.total,
      pullSteadyStateReads: Number((steadyUsd / 1000).toFixed(4)),
      alerts: alerts.monthlyUsdPerCluster.total,
      training: training.monthlyUsdPerCluster.total,
      total: Number(total.toFixed(4)),
    },
    prices: 'us-east-1 list, 2026-12-07, arm64 Lambda, DynamoDB on-demand, SFN Standard, EventBridge custom events; free tiers ignored',
  }),
);

registerLocalRuntime(undefined);
await ask({ op: 'stop' });
await sim.terminate();
await dynamo.stop();
rmSync(dataDir, { recursive: true, force: true });
rmSync(workflowDir, { recursive: true, force: true });
