/**
 * An edge that never failed has no 5xx series at all (Istio creates a response_code series on its first such
 * response): the pull's edge evidence through a real Prometheus (Debian's `prometheus` binary) must still read its
 * healthy windows as 0 % errors, so that once it starts failing, its baseline and its sustained reading (the lowest
 * window over the sustained span) are the healthy past, not the failure itself (not "settled" at its onset).
 * The simulator always serves some 5xx, so a tiny metrics endpoint here exposes one edge a → b: only
 * response_code="200" at first, then a growing response_code="503" too. The product's old error ratio,
 * `errors / requests`, is evaluated alongside at the same instants, for contrast: it has no healthy windows.
 * Skipped, with a message, when the binary is not installed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusClient } from '../../../functions/adapters/prometheus/prometheus-client.ts';
import {
  abnormalSignals,
  edgeEvidenceQueries,
  edgesFromRows,
  refreshMeshEvidence,
  settledSignals,
  type EdgeHealth,
  type EdgeQueryOptions,
  type EdgeRows,
  type MeshEvidence,
} from '../../../functions/core/mesh/evidence.ts';
import { prometheusAvailable, startPrometheus, type LocalPrometheus } from '../../../local/prometheus.ts';
import { waitFor } from '../../support/wait.ts';

const available = prometheusAvailable();
if (!available) console.warn('[edge-missing-5xx integration] skipped: no prometheus binary (apt-get install -y prometheus)');

const CLUSTER = 'e5xx';
/** Attempts per second on the edge, the share of them answered 503 once it fails, the mean duration of one. */
const RPS = 10;
const FAILING_SHARE = 0.4;
const MEAN_MS = 20;
const BUCKETS = [5, 10, 25, 50, 100, 250];
/** Short windows, as mesh-graph.test.ts uses (the pull's defaults are 1m / 30m / 15s / 3m). */
const WINDOW_S = 4;
// Long enough that a loaded machine still reads the onset well inside it.
const SUSTAINED_S = 20;
const OPTIONS: EdgeQueryOptions = {
  namespaces: ['shop'],
  window: `${WINDOW_S}s`,
  baselineWindow: '60s',
  baselineStep: '1s',
  sustained: `${SUSTAINED_S}s`,
  matchers: { cluster: CLUSTER },
};

/**
 * The caller's proxy's metrics for a → b, counters computed from the time of the scrape: RPS attempts a second,
 * all 200 until `fail()`, then FAILING_SHARE of them 503 (a series that did not exist before).
 */
class EdgeMetrics {
  readonly #start = Date.now();
  #failedAt: number | undefined;
  firstScrapeAt: number | undefined;

  fail(): void {
    this.#failedAt = Date.now();
  }

  get failingForSeconds(): number {
    return this.#failedAt === undefined ? 0 : (Date.now() - this.#failedAt) / 1000;
  }

  render(now = Date.now()): string {
    this.firstScrapeAt ??= now;
    const seconds = (from: number) => Math.max(0, now - from) / 1000;
    const total = RPS * seconds(this.#start);
    const failed = this.#failedAt === undefined ? undefined : RPS * FAILING_SHARE * seconds(this.#failedAt);
    const labels = (code: string) =>
      [
        'reporter="source"',
        'source_workload="a"',
        'source_workload_namespace="shop"',
        'destination_workload="b"',
        'destination_workload_namespace="shop"',
        'destination_service="b.shop.svc.cluster.local"',
        `response_code="${code}"`,
      ].join(',');
    const byCode: [string, number][] = [['200', total - (failed ?? 0)]];
    if (failed !== undefined) byCode.push(['503', failed]);
    const lines = [
      '# HELP istio_requests_total Total requests.',
      '# TYPE istio_requests_total counter',
      ...byCode.map(([code, n]) => `istio_requests_total{${labels(code)}} ${n}`),
      '# HELP istio_request_duration_milliseconds Request duration.',
      '# TYPE istio_request_duration_milliseconds histogram',
    ];
    for (const [code, n] of byCode) {
      // every attempt takes MEAN_MS: in the buckets from the first bound at or above it
      for (const le of BUCKETS) lines.push(`istio_request_duration_milliseconds_bucket{${labels(code)},le="${le}"} ${le >= MEAN_MS ? n : 0}`);
      lines.push(`istio_request_duration_milliseconds_bucket{${labels(code)},le="+Inf"} ${n}`);
      lines.push(`istio_request_duration_milliseconds_sum{${labels(code)}} ${n * MEAN_MS}`);
      lines.push(`istio_request_duration_milliseconds_count{${labels(code)}} ${n}`);
    }
    return lines.join('\n') + '\n';
  }
}

describe.skipIf(!available)('edge evidence on an edge without any 5xx series (real Prometheus)', () => {
  const metrics = new EdgeMetrics();
  let server: Server;
  let prom: LocalPrometheus;
  let client: PrometheusClient;

  /** Instant queries at one pinned time, so the product's queries and the old form see the same data. */
  const vectorAt =
    (time: Date) =>
    async (q: string): Promise<EdgeRows> => {
      const r = await client.query(q, { time });
      return r.data.resultType === 'vector' ? r.data.result.map((s) => ({ metric: s.metric, value: s.value })) : [];
    };

  // The product's queries, and the same with the error ratio of before the fix: `errors / requests`.
  const queries = edgeEvidenceQueries(OPTIONS);
  const ratio = `(${queries.errors} or ${queries.requests} * 0) / ${queries.requests}`;
  const oldRatio = `${queries.errors} / ${queries.requests}`;
  const oldQueries = {
    ...queries,
    baseErrorRatio: queries.baseErrorRatio.replaceAll(ratio, oldRatio),
    sustainedErrorRatio: queries.sustainedErrorRatio.replaceAll(ratio, oldRatio),
  };

  /** The edge as the pull reads it (refreshMeshEvidence → PromQL → stored evidence) and as the old form would have, at the same instant. */
  const readEdge = async (): Promise<{ edge: EdgeHealth | undefined; old: EdgeHealth | undefined }> => {
    const time = new Date();
    const stored: MeshEvidence[] = [];
    const evidence = await refreshMeshEvidence({
      cluster: CLUSTER,
      ...OPTIONS,
      query: vectorAt(time),
      store: { put: async (_c, e) => void stored.push(e), get: async () => stored.at(-1) },
      now: time,
    });
    const names = Object.keys(oldQueries) as (keyof typeof oldQueries)[];
    const answers = await Promise.all(names.map((n) => vectorAt(time)(oldQueries[n])));
    const oldEdges = edgesFromRows(Object.fromEntries(names.map((n, i) => [n, answers[i]])) as Record<keyof typeof oldQueries, EdgeRows>, OPTIONS.namespaces);
    const ab = (e: EdgeHealth) => e.from === 'a' && e.to === 'b';
    return { edge: evidence.edges.find(ab), old: oldEdges.find(ab) };
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    prom = await startPrometheus({ targets: [{ cluster: CLUSTER, metricsUrl: `http://127.0.0.1:${port}/metrics` }], scrapeSeconds: 1 });
    client = new PrometheusClient({ baseUrl: prom.url, timeoutMs: 15_000 });
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it('reads a never-failing edge as 0 % errors, and its failure’s onset as not settled, against a 0 % baseline', async () => {
    // The precondition the fix is about: the product's error ratio is the missing-series form, and no 5xx series exists.
    expect(queries.sustainedErrorRatio).toContain(ratio);
    expect(queries.baseErrorRatio).toContain(ratio);

    // Healthy for the whole sustained span and a window more: every window of the sustained reading is a healthy one.
    const healthy = await waitFor(
      async () => {
        const historySeconds = metrics.firstScrapeAt === undefined ? 0 : (Date.now() - metrics.firstScrapeAt) / 1000;
        if (historySeconds < SUSTAINED_S + WINDOW_S + 3) return false;
        const read = await readEdge();
        return read.edge?.sustainedErrorRatio !== undefined && read.edge.baselineErrorRatio !== undefined && read;
      },
      'a healthy history of a → b in Prometheus',
      60_000,
      1000,
    );
    expect((await vectorAt(new Date())(`count(istio_requests_total{cluster="${CLUSTER}",response_code=~"5.."})`)).length).toBe(0);
    console.log(`[edge-missing-5xx integration] healthy: product ${JSON.stringify(healthy.edge)}; old form ${JSON.stringify(healthy.old)}`);
    expect(healthy.edge).toMatchObject({ rps: expect.closeTo(RPS, 0), errorRatio: 0, baselineErrorRatio: 0, sustainedErrorRatio: 0 });
    expect(healthy.edge?.latencyMs).toBeCloseTo(MEAN_MS, 1);
    expect(healthy.edge?.sustainedLatencyMs).toBeCloseTo(MEAN_MS, 1);
    expect(abnormalSignals(healthy.edge!)).toEqual(new Set());
    // The old form had no sample at all there: no baseline, no sustained reading.
    expect(healthy.old?.baselineErrorRatio).toBeUndefined();
    expect(healthy.old?.sustainedErrorRatio).toBeUndefined();

    // Failing: FAILING_SHARE of the attempts now 503, a series that appears only now.
    metrics.fail();
    const onset = await waitFor(
      async () => {
        const read = await readEdge();
        return read.edge && read.edge.errorRatio > 0.3 && read;
      },
      'a → b failing',
      20_000,
      500,
    );
    const failingFor = metrics.failingForSeconds;
    console.log(
      `[edge-missing-5xx integration] ${failingFor.toFixed(1)} s into the failure: product ${JSON.stringify(onset.edge)}; old form ${JSON.stringify(onset.old)}`,
    );
    // Well within the sustained span: some of its windows are still the healthy ones before the failure.
    expect(failingFor).toBeLessThan(SUSTAINED_S - WINDOW_S);
    const edge = onset.edge!;
    expect(edge.errorRatio).toBeLessThanOrEqual(FAILING_SHARE + 0.05);
    expect(edge.sustainedErrorRatio).toBeLessThan(0.02);
    expect(edge.baselineErrorRatio).toBeLessThan(0.02);
    expect(abnormalSignals(edge)).toEqual(new Set(['errors']));
    expect(settledSignals(edge)).toEqual(new Set());
    // The old form, at the same instant: its lowest window, and its baseline, are the failure's own (any window with two
    // samples of the 503 series holds at least RPS * FAILING_SHARE * 1 s of errors: a ratio of about 0.1 or more).
    expect(onset.old?.sustainedErrorRatio).toBeGreaterThan(0.05);
    expect(onset.old?.baselineErrorRatio).toBeGreaterThan(0.05);

    // Failing for the whole sustained span: now it is settled (the fix does not keep a lasting failure from settling).
    const later = await waitFor(
      async () => {
        const read = await readEdge();
        return read.edge && (read.edge.sustainedErrorRatio ?? 0) > 0.3 && read;
      },
      'the sustained reading of a → b inside the failure',
      SUSTAINED_S * 1000 + 15_000,
      1000,
    );
    console.log(`[edge-missing-5xx integration] ${metrics.failingForSeconds.toFixed(1)} s into the failure: product ${JSON.stringify(later.edge)}`);
    expect(metrics.failingForSeconds).toBeGreaterThan(SUSTAINED_S);
    expect(later.edge?.baselineErrorRatio).toBeLessThan(0.02);
    expect(settledSignals(later.edge!)).toEqual(new Set(['errors']));
  }, 150_000);
});
