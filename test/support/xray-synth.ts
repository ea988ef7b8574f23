/**
 * Seeded X-Ray-style incidents for the root-cause ranking: written to look like real cloud-service telemetry,
 * not like the ranker's assumptions, and kept apart from the ranker's tuning (test/unit/rca/synth.ts is the
 * older, friendlier generator).
 *
 * - Graph (~40 nodes): a client calls an API gateway, which fans out to layered services; leaves are databases
 *   (`DynamoDB::*`), queues (`SQS::*`) and external endpoints (`remote::*`), shared by several services.
 * - Traffic: a per-minute request count per node (`requests`), from an entry rate between 30 and 3000 per
 *   minute with a daily wave and random bursts, split over edges with uneven fractions, Poisson sampled. Some
 *   nodes see only a few requests a minute (admin paths, rare fallbacks): their percentiles are noise.
 * - Latency: `latency.p50`, `latency.p90`, `latency.p99` in ms, from a node's own time (lognormal, ms to seconds
 *   depending on the kind) plus what its callees take, with heavy-tailed multiplicative noise that shrinks with
 *   traffic, occasional tail spikes (GC, cold starts, retries) on random nodes in both windows.
 * - Availability: the fraction of successful requests in the minute (binomial errors, a rare error burst);
 *   callers inherit part of their callees' failures.
 * - Sparse: a minute without requests has no latency / availability rows, and ~3 % of rows are lost.
 * - Non-stationary: ~15 % of nodes shift level (x0.6–2.5) at a random minute in either window, half of the
 *   external endpoints are flaky, latency rises a little with load. Normal windows are 20–120 minutes.
 * - Faults (after the split, onset 0–3 minutes late): `latency` (the root's own time x 1.8–15) or
 *   `availability` (2–50 % of its requests fail), at a service, database or queue with real traffic; they propagate to callers.
 *   `none` gives a normal window (bursts and spikes, no fault).
 */
import { Rng } from '../../functions/core/anomaly/random.ts';
import type { Change, Edge, EdgeSample, Sample } from '../../functions/core/rca/rank.ts';

export type XrayFault = 'latency' | 'availability' | 'none';
export type XrayKind = 'client' | 'gateway' | 'service' | 'database' | 'queue' | 'external';

export interface XrayCase {
  edges: Edge[];
  samples: Sample[];
  split: number;
  target: string;
  /** The faulted node ('' for a normal window). */
  root: string;
  fault: XrayFault;
  kinds: Record<string, XrayKind>;
  /** With `edgeMetrics`: per caller -> callee and minute, `requests`, `errors` (ratio) and `latency.p99` as the caller sees them. */
  edgeSamples?: EdgeSample[];
  /** With `changes`: rollouts (the root's shortly before the onset, plus unrelated ones, some at the same time). */
  changes?: Change[];
}

export interface XrayOptions {
  fault?: XrayFault;
  /** Services besides the client and the gateway (default 18–26); leaves come on top. */
  services?: number;
  normalMinutes?: number;
  incidentMinutes?: number;
  /** Emit caller-side edge metrics (default false). Extra randomness comes from a separate stream: the node series stay the same. */
  edgeMetrics?: boolean;
  /** A silent root: its failures are counted only at its callers (its own availability stays flat). */
  silent?: boolean;
  /** Emit a change timeline: the root rolled out 0–5 minutes before the onset, 1–3 unrelated rollouts (default false). */
  changes?: boolean;
}

const T0 = 1_700_000_000;

function gauss(rng: Rng): number {
  const u = Math.max(rng.nextFloat(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

function poisson(rng: Rng, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss(rng)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng.nextFloat();
  } while (p > l);
  return k - 1;
}

function binomial(rng: Rng, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (n * p > 30) return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * gauss(rng))));
  return Math.min(n, poisson(rng, n * p));
}

/** Student-t-like heavy tail (df 3) from two gaussians. */
function heavy(rng: Rng): number {
  const g = gauss(rng);
  const chi = (gauss(rng) ** 2 + gauss(rng) ** 2 + gauss(rng) ** 2) / 3;
  return g / Math.sqrt(Math.max(chi, 0.05));
}

const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.nextFloat();
const pick = <T>(rng: Rng, a: T[]): T => a[rng.nextInt(a.length)];

const SERVICE_NAMES = [
  'orders',
  'users',
  'catalog',
  'cart',
  'checkout',
  'payments',
  'shipping',
  'inventory',
  'pricing',
  'search',
  'reviews',
  'recommendations',
  'auth',
  'sessions',
  'notifications',
  'email',
  'media',
  'ledger',
  'fraud',
  'loyalty',
  'coupons',
  'tax',
  'currency',
  'geo',
  'audit',
  'reports',
  'admin',
  'feature-flags',
  'quotes',
  'returns',
];

interface Node {
  name: string;
  kind: XrayKind;
  /** Own time per request, ms (median). */
  ownMs: number;
  /** Spread of one request's latency (lognormal sigma). */
  sigma: number;
  baseError: number;
  children: { to: number; fraction: number }[];
}

function buildGraph(rng: Rng, services: number): Node[] {
  const nodes: Node[] = [];
  const add = (name: string, kind: XrayKind): number => {
    const ownMs =
      kind === 'database'
        ? Math.exp(uniform(rng, Math.log(1.5), Math.log(25)))
        : kind === 'queue'
          ? Math.exp(uniform(rng, Math.log(3), Math.log(15)))
          : kind === 'external'
            ? Math.exp(uniform(rng, Math.log(40), Math.log(600)))
            : kind === 'client'
              ? 0.5
              : Math.exp(uniform(rng, Math.log(2), Math.log(60)));
    nodes.push({
      name,
      kind,
      ownMs,
      sigma: uniform(rng, 0.35, kind === 'external' ? 1.3 : 0.9),
      baseError: Math.exp(uniform(rng, Math.log(2e-4), Math.log(8e-3))),
      children: [],
    });
    return nodes.length - 1;
  };
  const client = add('client', 'client');
  const gateway = add('api-gateway', 'gateway');
  nodes[client].children.push({ to: gateway, fraction: 1 });
  const names = [...SERVICE_NAMES];
  for (let i = names.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [names[i], names[j]] = [names[j], names[i]];
  }
  const svc: number[] = [];
  for (let i = 0; i < services; i++) svc.push(add(`${names[i % names.length]}${i >= names.length ? `-${i}` : ''}-service`, 'service'));
  // layers: the first few services are called by the gateway, later ones by earlier ones (a DAG)
  const front = Math.max(3, Math.round(services / 4));
  for (let i = 0; i < svc.length; i++) {
    if (i < front) nodes[gateway].children.push({ to: svc[i], fraction: 0 });
    else {
      const parents = 1 + (rng.nextFloat() < 0.35 ? 1 : 0);
      for (let k = 0; k < parents; k++) {
        const p = svc[rng.nextInt(i)];
        if (!nodes[p].children.some((c) => c.to === svc[i])) nodes[p].children.push({ to: svc[i], fraction: 0 });
      }
    }
  }
  const leaves: number[] = [];
  const dbs = 4 + rng.nextInt(4);
  for (let i = 0; i < dbs; i++) leaves.push(add(`DynamoDB::${pick(rng, names)}-table-${i}`, 'database'));
  const queues = 2 + rng.nextInt(2);
  for (let i = 0; i < queues; i++) leaves.push(add(`SQS::${pick(rng, names)}-events-${i}`, 'queue'));
  const externals = 2 + rng.nextInt(3);
  const hosts = ['api.stripe.com', 'maps.googleapis.com', 'api.sendgrid.com', 'hooks.slack.com', 'sts.amazonaws.com', 'api.twilio.com'];
  for (let i = 0; i < externals; i++) leaves.push(add(`remote::${hosts[i % hosts.length]}`, 'external'));
  // every leaf is used by 1–4 services; every service with no callee gets a leaf
  for (const l of leaves) {
    const users = 1 + rng.nextInt(4);
    for (let k = 0; k < users; k++) {
      const s = pick(rng, svc);
      if (!nodes[s].children.some((c) => c.to === l)) nodes[s].children.push({ to: l, fraction: 0 });
    }
  }
  for (const s of svc) if (nodes[s].children.length === 0 && rng.nextFloat() < 0.7) nodes[s].children.push({ to: pick(rng, leaves), fraction: 0 });
  // uneven call fractions: most calls go to a few children, some paths are rare (a few requests a minute)
  for (const n of nodes) {
    if (n.kind === 'client') continue;
    for (const c of n.children) c.fraction = rng.nextFloat() < 0.2 ? uniform(rng, 0.002, 0.02) : Math.exp(uniform(rng, Math.log(0.05), Math.log(1.2)));
  }
  return nodes;
}

/** Topological order, callers first (the graph is a DAG by construction). */
function topoOrder(nodes: Node[]): number[] {
  const indeg = new Array<number>(nodes.length).fill(0);
  for (const n of nodes) for (const c of n.children) indeg[c.to]++;
  const order: number[] = [];
  const queue = nodes.map((_, i) => i).filter((i) => indeg[i] === 0);
  while (queue.length) {
    const v = queue.shift()!;
    order.push(v);
    for (const c of nodes[v].children) if (--indeg[c.to] === 0) queue.push(c.to);
  }
  return order;
}

export function makeXrayCase(seed: number, options: XrayOptions = {}): XrayCase {
  const rng = new Rng(seed);
  const fault: XrayFault = options.fault ?? (rng.nextFloat() < 0.5 ? 'latency' : 'availability');
  const services = options.services ?? 18 + rng.nextInt(9);
  const normalMinutes = options.normalMinutes ?? 20 + rng.nextInt(101);
  const incidentMinutes = options.incidentMinutes ?? 10 + rng.nextInt(11);
  const nodes = buildGraph(rng, services);
  const order = topoOrder(nodes);
  const minutes = normalMinutes + incidentMinutes;
  const split = T0 + normalMinutes * 60;

  // expected traffic per node per minute, from the entry rate and call fractions
  const entry = Math.exp(uniform(rng, Math.log(30), Math.log(3000)));
  const share = new Array<number>(nodes.length).fill(0);
  share[0] = 1;
  for (const v of order) for (const c of nodes[v].children) share[c.to] += share[v] * c.fraction;

  let root = -1;
  if (fault !== 'none') {
    const eligible = nodes.map((n, i) => i).filter((i) => ['service', 'database', 'queue'].includes(nodes[i].kind) && entry * share[i] >= 20);
    root = eligible.length ? pick(rng, eligible) : order[order.length - 1];
  }
  const onset = split + 60 * rng.nextInt(4);
  const factor = fault === 'latency' ? Math.exp(uniform(rng, Math.log(1.8), Math.log(15))) : 0;
  const extraError = fault === 'availability' ? Math.exp(uniform(rng, Math.log(0.02), Math.log(0.5))) : 0;
  // unrelated changes: some nodes shift level (a deploy, a cache warming, a traffic-mix change) at a random
  // minute, in either window; some external endpoints are just flaky
  const shiftAt = nodes.map(() => (rng.nextFloat() < 0.15 ? T0 + 60 * rng.nextInt(minutes) : Infinity));
  const shiftBy = nodes.map(() => Math.exp(uniform(rng, Math.log(0.6), Math.log(2.5))));
  const flaky = nodes.map((n) => n.kind === 'external' && rng.nextFloat() < 0.5);
  const phase = rng.nextFloat() * 2 * Math.PI;

  const samples: Sample[] = [];
  const extra = new Rng(seed * 7919 + 17);
  const edgeSamples: EdgeSample[] = [];
  const lost = (): boolean => rng.nextFloat() < 0.03;
  const meanMs = new Float64Array(nodes.length);
  const errRate = new Float64Array(nodes.length);
  /** What the node reports itself (a silent root does not count its own failures). */
  const ownErr = new Float64Array(nodes.length);
  for (let m = 0; m < minutes; m++) {
    const ts = T0 + m * 60;
    const burst = rng.nextFloat() < 0.04 ? uniform(rng, 1.5, 4) : 1;
    const rate = entry * (1 + 0.3 * Math.sin(phase + (2 * Math.PI * m) / 1440) + 0.1 * gauss(rng)) * burst;
    const faulted = root >= 0 && ts >= onset;
    // bottom-up: a node's time is its own plus its callees' (weighted by calls per request)
    for (let k = order.length - 1; k >= 0; k--) {
      const v = order[k];
      const n = nodes[v];
      // load-dependent latency: busier minutes are a little slower
      let own = n.ownMs * Math.exp(0.1 * gauss(rng)) * (1 + 0.15 * (burst - 1)) * (ts >= shiftAt[v] ? shiftBy[v] : 1);
      if (flaky[v] && rng.nextFloat() < 0.05) own *= uniform(rng, 2, 8);
      let err = n.baseError * (rng.nextFloat() < 0.01 ? uniform(rng, 5, 40) : 1);
      if (faulted && v === root) {
        own *= factor || 1;
        err += extraError;
      }
      let down = 0;
      let inherited = 0;
      for (const c of n.children) {
        const calls = c.fraction;
        down += calls * meanMs[c.to];
        // retries and fallbacks absorb part of a callee's failures
        inherited += Math.min(1, calls) * errRate[c.to] * 0.7;
      }
      meanMs[v] = own + down;
      errRate[v] = Math.min(1, err + inherited);
      ownErr[v] = options.silent && faulted && v === root ? Math.max(0, errRate[v] - extraError) : errRate[v];
    }
    for (const v of order) {
      const n = nodes[v];
      const requests = poisson(rng, rate * share[v]);
      if (!lost()) samples.push({ ts, node: n.name, metric: 'requests', value: requests });
      if (requests === 0) continue;
      // percentiles of `requests` draws: noisier with few requests, plus a rare tail spike
      const noise = (s: number): number => Math.exp((s * heavy(rng)) / Math.sqrt(Math.min(requests, 400)));
      const spike = rng.nextFloat() < 0.015 ? uniform(rng, 2, 12) : 1;
      const p50 = meanMs[v] * noise(n.sigma);
      const p90 = p50 * Math.exp(1.2816 * n.sigma) * noise(n.sigma * 1.5) * Math.sqrt(spike);
      const p99 = Math.max(p90, p50 * Math.exp(2.3263 * n.sigma) * noise(n.sigma * 2.5) * spike);
      if (!lost()) samples.push({ ts, node: n.name, metric: 'latency.p50', value: p50 });
      if (!lost()) samples.push({ ts, node: n.name, metric: 'latency.p90', value: Math.max(p50, p90) });
      if (!lost()) samples.push({ ts, node: n.name, metric: 'latency.p99', value: p99 });
      const errors = binomial(rng, requests, ownErr[v]);
      if (!lost()) samples.push({ ts, node: n.name, metric: 'availability', value: 1 - errors / requests });
      if (!options.edgeMetrics) continue;
      for (const c of n.children) {
        const calls = poisson(extra, requests * c.fraction);
        edgeSamples.push({ ts, from: n.name, to: nodes[c.to].name, metric: 'requests', value: calls });
        if (calls === 0) continue;
        const failed = binomial(extra, calls, errRate[c.to]);
        edgeSamples.push({ ts, from: n.name, to: nodes[c.to].name, metric: 'errors', value: failed / calls });
        const p99 = meanMs[c.to] * Math.exp(2.3263 * nodes[c.to].sigma) * Math.exp((nodes[c.to].sigma * heavy(extra)) / Math.sqrt(Math.min(calls, 400)));
        edgeSamples.push({ ts, from: n.name, to: nodes[c.to].name, metric: 'latency.p99', value: p99 });
      }
    }
  }
  const edges: Edge[] = [];
  for (const n of nodes) for (const c of n.children) edges.push({ from: n.name, to: nodes[c.to].name });
  const kinds: Record<string, XrayKind> = {};
  for (const n of nodes) kinds[n.name] = n.kind;
  let changes: Change[] | undefined;
  if (options.changes) {
    changes = [];
    const services = nodes.filter((n) => n.kind === 'service').map((n) => n.name);
    const rootAt = onset - 60 * extra.nextInt(6);
    if (root >= 0) changes.push({ node: nodes[root].name, at: rootAt, kind: 'rollout', detail: 'image tag changed' });
    const decoys = 1 + extra.nextInt(3);
    for (let i = 0; i < decoys; i++) {
      // half of the unrelated rollouts land with the root's (a release train), the rest anywhere in the last hour
      const at = extra.nextFloat() < 0.5 ? rootAt : split - 60 * extra.nextInt(60);
      changes.push({ node: pick(extra, services), at, kind: 'rollout', detail: 'image tag changed' });
    }
  }
  return {
    edges,
    samples,
    split,
    target: 'client',
    root: root >= 0 ? nodes[root].name : '',
    fault,
    kinds,
    ...(options.edgeMetrics ? { edgeSamples } : {}),
    ...(changes ? { changes } : {}),
  };
}
