// X-Ray as a source of edge evidence: the real @aws-sdk/client-xray against a local endpoint that speaks
// GetServiceGraph's REST-JSON (POST /ServiceGraph, epoch-second timestamps, NextToken pages, modelled errors),
// then the pull's wiring with DynamoDB Local, read back the way alert grouping reads it.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XRayServiceGraphReader } from '../../../functions/adapters/aws/xray/service-graph-reader.ts';
import { explains, symptomOf } from '../../../functions/core/alerts/explain.ts';
import type { ClusterRecord } from '../../../functions/core/clusters/cluster-record.ts';
import type { MeshEvidence, MeshEvidenceStore } from '../../../functions/core/mesh/evidence.ts';
import { refreshXRayEvidence } from '../../../functions/core/mesh/xray-edges.ts';
import { setWiring } from '../../../functions/wiring.ts';
import { clusterStore } from '../../../functions/wiring/cluster-store.ts';
import { pullClusterSide } from '../../../functions/wiring/cluster-side-pull.ts';
import { dependencyGraphStore, meshEvidenceStore } from '../../../functions/wiring/dependency-graphs.ts';
import { startTestTable } from '../../support/dynamodb.ts';

const REGION = 'us-west-2';
const CREDENTIALS = { accessKeyId: 'AKIDXRAYTEST', secretAccessKey: 'xray-test-secret' };

interface GraphRequest {
  group?: string;
  start: number;
  end: number;
  nextToken?: string;
  authorization: string;
}

/** An edge's SummaryStatistics as X-Ray reports it (TotalResponseTime in seconds). */
const stats = (ok: number, faults: number, meanSeconds: number, errors = 0) => ({
  OkCount: ok,
  ErrorStatistics: { ThrottleCount: 0, OtherCount: errors, TotalCount: errors },
  FaultStatistics: { OtherCount: faults, TotalCount: faults },
  TotalCount: ok + errors + faults,
  TotalResponseTime: Number(((ok + errors + faults) * meanSeconds).toFixed(6)),
});

/** The shop as X-Ray draws it: payment-service fails a third of its calls in the short (2-minute) window only. */
function shopGraph(start: number, end: number) {
  const failing = end - start <= 120;
  const edge = (ref: number, s: ReturnType<typeof stats>) => ({
    ReferenceId: ref,
    StartTime: start,
    EndTime: end,
    SummaryStatistics: s,
    ResponseTimeHistogram: [{ Value: s.TotalResponseTime / Math.max(1, s.TotalCount), Count: s.TotalCount }],
    Aliases: [],
  });
  const service = (ref: number, name: string, type: string, edges: ReturnType<typeof edge>[] = []) => ({
    ReferenceId: ref,
    Name: name,
    Names: [name],
    Root: ref === 0,
    Type: type,
    State: type === 'client' ? 'unknown' : 'active',
    StartTime: start,
    EndTime: end,
    Edges: edges,
    SummaryStatistics: { OkCount: 0, ErrorStatistics: { TotalCount: 0 }, FaultStatistics: { TotalCount: 0 }, TotalCount: 0, TotalResponseTime: 0 },
    DurationHistogram: [],
    ResponseTimeHistogram: [],
  });
  const scale = (end - start) / 120;
  const n = (x: number) => Math.round(x * scale);
  return [
    service(0, 'shop.example.com', 'client', [edge(1, stats(n(600), 0, 0.09, n(9)))]),
    service(1, 'frontend', 'AWS::EKS::Container', [edge(2, stats(n(300), 0, 0.012)), edge(3, failing ? stats(160, 80, 0.06) : stats(n(240), 0, 0.05))]),
    service(2, 'user-service', 'AWS::EKS::Container'),
    service(3, 'order-service', 'AWS::EKS::Container', [
      edge(4, failing ? stats(160, 80, 0.035, 2) : stats(n(240), 0, 0.03, n(2))),
      edge(5, stats(n(480), 0, 0.004)),
    ]),
    service(4, 'PaymentService', 'AWS::EKS::Container'),
    service(5, 'orders', 'AWS::DynamoDB::Table'),
    service(6, 'api.stripe.com', 'remote'),
  ];
}

const PAGE_SIZE = 2;

/** POST /ServiceGraph as X-Ray answers it: pages of services (edges may point at services on other pages). */
async function startFakeXRay(): Promise<{ endpoint: string; requests: GraphRequest[]; throttleNext: number; stop(): Promise<void> }> {
  const state = { requests: [] as GraphRequest[], throttleNext: 0 };
  const reply = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': 'req-1', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/ServiceGraph')
        return reply(res, 404, { message: `no route ${req.method} ${req.url}` }, 'UnknownOperationException');
      const body = JSON.parse(raw || '{}') as { StartTime?: unknown; EndTime?: unknown; GroupName?: string; NextToken?: string };
      const authorization = String(req.headers.authorization ?? '');
      if (!new RegExp(`^AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/\\d{8}/${REGION}/xray/aws4_request, SignedHeaders=`).test(authorization)) {
        return reply(res, 403, { message: 'The security token included in the request is invalid.' }, 'UnrecognizedClientException');
      }
      if (typeof body.StartTime !== 'number' || typeof body.EndTime !== 'number' || body.StartTime >= body.EndTime) {
        return reply(res, 400, { Message: 'StartTime must be before EndTime' }, 'InvalidRequestException');
      }
      state.requests.push({ group: body.GroupName, start: body.StartTime, end: body.EndTime, nextToken: body.NextToken, authorization });
      if (state.throttleNext > 0) {
        state.throttleNext--;
        return reply(res, 429, { Message: 'Rate exceeded' }, 'ThrottledException');
      }
      if (body.GroupName === 'missing') return reply(res, 400, { Message: 'Group not found' }, 'InvalidRequestException');
      const offset = body.NextToken ? Number(Buffer.from(body.NextToken, 'base64').toString().split('|')[1]) : 0;
      if (body.NextToken && Buffer.from(body.NextToken, 'base64').toString().split('|')[0] !== `${body.StartTime}-${body.EndTime}`) {
        return reply(res, 400, { Message: 'Invalid NextToken' }, 'InvalidRequestException');
      }
      const services = shopGraph(body.StartTime, body.EndTime);
      const next = offset + PAGE_SIZE < services.length ? Buffer.from(`${body.StartTime}-${body.EndTime}|${offset + PAGE_SIZE}`).toString('base64') : undefined;
      reply(res, 200, {
        StartTime: body.StartTime,
        EndTime: body.EndTime,
        Services: services.slice(offset, offset + PAGE_SIZE),
        ContainsOldGroupVersions: false,
        ...(next ? { NextToken: next } : {}),
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get throttleNext() {
      return state.throttleNext;
    },
    set throttleNext(n: number) {
      state.throttleNext = n;
    },
    stop: () => new Promise((r) => server.close(() => r())),
  };
}

let xray: Awaited<ReturnType<typeof startFakeXRay>>;
beforeAll(async () => {
  xray = await startFakeXRay();
});
afterAll(async () => xray?.stop());

const NAMES = { PaymentService: 'payment-service' };
const errorSymptom = symptomOf({ type: 'AnomalyDetected', signals: ['error_rate'], message: '' });
const latencySymptom = symptomOf({ type: 'AnomalyDetected', signals: ['latency_p95'], message: '' });

function memoryStore(): MeshEvidenceStore & { items: Map<string, MeshEvidence> } {
  const items = new Map<string, MeshEvidence>();
  return { items, put: async (c, e) => void items.set(c, e), get: async (c) => items.get(c) };
}

describe('X-Ray service graph over the REST-JSON wire protocol', () => {
  const reader = (groupName?: string) =>
    new XRayServiceGraphReader({ region: REGION, endpoint: xray.endpoint, credentials: CREDENTIALS, ...(groupName ? { groupName } : {}) });

  it('reads every page of each window and its evidence explains a caller’s errors by the failing callee', async () => {
    xray.requests.length = 0;
    const store = memoryStore();
    const now = new Date();
    const g = reader('shop-prod');
    const evidence = await refreshXRayEvidence({ cluster: 'prod', read: (w) => g.read(w), store, names: NAMES, now });

    // One short window and three baseline slices, four pages each (7 services, 2 a page), all for the group.
    expect(xray.requests).toHaveLength(16);
    expect(new Set(xray.requests.map((r) => r.group))).toEqual(new Set(['shop-prod']));
    expect(xray.requests.filter((r) => !r.nextToken).map((r) => Math.round(r.end - r.start))).toEqual([120, 600, 600, 600]);
    expect(xray.requests[0].end).toBeCloseTo(now.getTime() / 1000 - 30, 3);

    expect(evidence.at).toBe(new Date(now.getTime() - 30_000).toISOString());
    expect(evidence.edges).toEqual([
      { from: 'frontend', to: 'order-service', rps: 2, errorRatio: 0.3333, baselineErrorRatio: 0, latencyMs: 60, baselineLatencyMs: 50 },
      { from: 'frontend', to: 'user-service', rps: 2.5, errorRatio: 0, baselineErrorRatio: 0, latencyMs: 12, baselineLatencyMs: 12 },
      { from: 'order-service', to: 'payment-service', rps: 2.0167, errorRatio: 0.3306, baselineErrorRatio: 0, latencyMs: 35, baselineLatencyMs: 30 },
    ]);
    expect(store.items.get('prod')).toEqual(evidence);

    const pay = new Set(['payment-service']);
    expect(explains('frontend', errorSymptom, pay, evidence.edges)).toBe('explained');
    expect(explains('order-service', errorSymptom, pay, evidence.edges)).toBe('explained');
    // Latency rose by 10 ms and 5 ms only: a latency symptom of frontend's is its own.
    expect(explains('frontend', latencySymptom, pay, evidence.edges)).toBe('unexplained');
  });

  it('retries a throttled call, and refuses a graph it cannot read whole', async () => {
    xray.requests.length = 0;
    xray.throttleNext = 1;
    const graph = await reader().read({ start: new Date(Date.now() - 150_000), end: new Date(Date.now() - 30_000) });
    expect(xray.requests[0].group).toBeUndefined();
    expect(xray.requests.filter((r) => !r.nextToken)).toHaveLength(2);
    expect(graph.Services?.map((s) => s.Name).sort()).toEqual([
      'PaymentService',
      'api.stripe.com',
      'frontend',
      'order-service',
      'orders',
      'shop.example.com',
      'user-service',
    ]);

    const store = memoryStore();
    const g = reader('missing');
    await expect(refreshXRayEvidence({ cluster: 'prod', read: (w) => g.read(w), store, now: new Date() })).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: 'Group not found',
    });
    expect(store.items.size).toBe(0);

    const short = new XRayServiceGraphReader({ region: REGION, endpoint: xray.endpoint, credentials: CREDENTIALS, maxPages: 3 });
    await expect(short.read({ start: new Date(Date.now() - 150_000), end: new Date(Date.now() - 30_000) })).rejects.toMatchObject({
      code: 'XRAY_GRAPH_TOO_LARGE',
    });
  });
});

describe('the pull’s X-Ray evidence (wiring, DynamoDB Local)', () => {
  let db: Awaited<ReturnType<typeof startTestTable>>;
  const saved = { ...process.env };

  beforeAll(async () => {
    db = await startTestTable();
    Object.assign(process.env, {
      TABLE_NAME: db.tableName,
      DYNAMODB_ENDPOINT: db.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      FLEETOPS_XRAY_ENDPOINT: xray.endpoint,
      FLEETOPS_KUBE_STATE: 'false',
      FLEETOPS_ALLOW_LOOPBACK_CLUSTERS: 'true',
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    setWiring(undefined);
  }, 120_000);
  afterAll(async () => {
    process.env = saved;
    setWiring(undefined);
    await db?.stop();
  });

  const record = (id: string, name: string, more: Partial<ClusterRecord>): ClusterRecord => ({
    id,
    name,
    environment: 'prod',
    labels: {},
    server: 'https://k8s.example.com',
    version: 'v1.31.0',
    status: 'active',
    createdAt: '2025-06-01T00:00:00.000Z',
    updatedAt: '2025-06-01T00:00:00.000Z',
    source: 'kubeconfig',
    credentialsVersion: 'abc',
    ...more,
  });

  it('reads X-Ray for clusters that opted in and whose Prometheus has no mesh edges, and stores evidence grouping can use', async () => {
    await clusterStore().create(record('c-xray', 'traced', { xray: { groupName: 'shop-prod', names: NAMES } }));
    // Prometheus is configured but answers nothing (refused): X-Ray is the evidence.
    await clusterStore().create(
      record('c-both', 'traced-too', { prometheus: { url: 'http://127.0.0.1:9', auth: 'none' }, xray: { groupName: 'shop-dev', names: NAMES } }),
    );
    await clusterStore().create(record('c-none', 'plain', {}));
    xray.requests.length = 0;

    const out = await pullClusterSide({ pullId: 'p-1', clusterIds: ['c-xray', 'c-both', 'c-none', 'c-gone'] });
    expect(out.meshGraphs).toBe(2);
    expect(new Set(xray.requests.map((r) => r.group))).toEqual(new Set(['shop-prod', 'shop-dev']));

    for (const cluster of ['traced', 'traced-too']) {
      const evidence = await meshEvidenceStore().get(cluster);
      expect(evidence, cluster).toBeDefined();
      expect(Date.now() - Date.parse(evidence!.at)).toBeLessThan(60_000);
      expect(explains('frontend', errorSymptom, new Set(['payment-service']), evidence!.edges)).toBe('explained');
      expect(explains('frontend', errorSymptom, new Set(['user-service']), evidence!.edges)).toBe('unexplained');
      // No mesh graph from Prometheus: X-Ray's call graph is the topology.
      expect(await dependencyGraphStore().get(cluster)).toMatchObject({ frontend: ['order-service', 'user-service'], 'order-service': ['payment-service'] });
    }
    expect(await meshEvidenceStore().get('plain')).toBeUndefined();
  });

  it('keeps the pull going when X-Ray refuses a cluster’s group', async () => {
    await clusterStore().create(record('c-missing', 'lost', { xray: { groupName: 'missing' } }));
    xray.requests.length = 0;
    const out = await pullClusterSide({ pullId: 'p-2', clusterIds: ['c-missing'] });
    expect(out.meshGraphs).toBe(0);
    expect(xray.requests.map((r) => r.group)).toEqual(['missing']);
    expect(await meshEvidenceStore().get('lost')).toBeUndefined();
  });
});
