import { readFileSync } from 'node:fs';
import type { CliCommand } from '../command.ts';
import { parseFlags } from '../command.ts';
import { CsvError, parseCsv, parseNumber, readCsv } from '../csv.ts';
import type { TextColumn } from '../csv.ts';
import { analyzeSeries } from '../../functions/core/rca/rank.ts';
import { groupEdgeSamples } from '../../functions/core/rca/rank.ts';
import type { Change, Edge, EdgeSample, EdgeSeries, Series } from '../../functions/core/rca/rank.ts';

const USAGE_LINE =
  'fleetops rank --graph EDGES.json --metrics METRICS.csv --split TS --target NODE [--target-metric M] [--changes CHANGES.json] [--edge-metrics EDGE_METRICS.csv]';

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: file not found`, { cause: error });
    if (code === 'EISDIR') throw new Error(`${path}: is a directory, expected ${what}`, { cause: error });
    throw new Error(`${path}: cannot read (${(error as Error).message})`, { cause: error });
  }
}

/** Reads a JSON file that must hold an array; `items` says what the array holds in the error when it does not. */
function readJsonArray(path: string, items: string): unknown[] {
  const text = readFile(path, 'a JSON file')
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: invalid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!Array.isArray(parsed)) throw new Error(`${path}: expected a JSON array of ${items}`);
  return parsed;
}

/** Reads and validates EDGES.json: `[{"from":"caller","to":"callee"}]`. */
export function readEdges(path: string): Edge[] {
  return readJsonArray(path, '{"from":"caller","to":"callee"} edges').map((e, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new Error(`${path}: edge ${i}: expected an object {"from","to"}`);
    const { from, to } = e as Record<string, unknown>;
    for (const [k, v] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (typeof v !== 'string' || v === '') throw new Error(`${path}: edge ${i}: "${k}" must be a non-empty string`);
    }
    return { from: from as string, to: to as string };
  });
}

/** Reads and validates CHANGES.json: `[{"node","at","kind","detail"?}]`, `at` in epoch seconds. */
export function readChanges(path: string): Change[] {
  return readJsonArray(path, '{"node","at","kind","detail"} changes').map((c, i) => {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new Error(`${path}: change ${i}: expected an object {"node","at","kind","detail"}`);
    const { node, at, kind, detail } = c as Record<string, unknown>;
    if (typeof node !== 'string' || node === '') throw new Error(`${path}: change ${i}: "node" must be a non-empty string`);
    if (typeof at !== 'number' || !Number.isFinite(at)) throw new Error(`${path}: change ${i}: "at" must be a number (epoch seconds)`);
    if (typeof kind !== 'string' || kind === '') throw new Error(`${path}: change ${i}: "kind" must be a non-empty string (deploy, rollout, config, ...)`);
    if (detail !== undefined && typeof detail !== 'string') throw new Error(`${path}: change ${i}: "detail" must be a string`);
    return { node, at, kind, ...(detail !== undefined ? { detail } : {}) };
  });
}

/** Reads EDGE_METRICS.csv (`timestamp,from,to,metric,value`: each call as the caller sees it) into edge series. */
export function readEdgeMetrics(path: string): EdgeSeries[] {
  const required = ['timestamp', 'from', 'to', 'metric', 'value'];
  const table = readCsv(path, { requiredColumns: required, textColumns: ['from', 'to', 'metric', 'value'] });
  const tsCol = table.numericColumns.indexOf('timestamp');
  const stride = table.numericColumns.length;
  const rows: EdgeSample[] = [];
  for (let i = 0; i < table.rows; i++) {
    const from = table.text.from.get(i);
    const to = table.text.to.get(i);
    const metric = table.text.metric.get(i);
    for (const [k, v] of [
      ['from', from],
      ['to', to],
      ['metric', metric],
    ] as const)
      if (v === '') throw new CsvError(`${path}: line ${i + 2}: empty "${k}"`);
    const raw = table.text.value.get(i).trim();
    const value = Number(raw);
    if (raw !== '' && Number.isNaN(value) && !MISSING.test(raw))
      throw new CsvError(`${path}: line ${i + 2}, column "value": not a number: "${raw.slice(0, 40)}"`);
    rows.push({ ts: table.data[i * stride + tsCol], from, to, metric, value: raw === '' ? NaN : value });
  }
  return groupEdgeSamples(rows);
}

const MISSING = /^[+-]?(nan|inf|infinity)?$/i;

/** Interns byte ranges of one buffer as small integer ids (FNV-1a hash + byte compare; no per-row strings). */
class ByteInterner {
  readonly names: string[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly buckets = new Map<number, number[]>();
  private readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  id(s: number, e: number): number {
    const buf = this.buf;
    let h = 0x811c9dc5;
    for (let p = s; p < e; p++) h = Math.imul(h ^ buf[p], 0x01000193);
    let bucket = this.buckets.get(h);
    if (bucket) {
      for (const id of bucket) if (sameBytes(buf, this.starts[id], this.ends[id], s, e)) return id;
    } else this.buckets.set(h, (bucket = []));
    const id = this.names.length;
    this.names.push(buf.toString('utf8', s, e));
    this.starts.push(s);
    this.ends.push(e);
    bucket.push(id);
    return id;
  }
}

/** Byte equality of two short ranges (a JS loop beats a native call for a few bytes). */
function sameBytes(buf: Buffer, s1: number, e1: number, s2: number, e2: number): boolean {
  if (e1 - s1 !== e2 - s2) return false;
  for (let i = 0; i < e1 - s1; i++) if (buf[s1 + i] !== buf[s2 + i]) return false;
  return true;
}

function lineOf(buf: Buffer, offset: number): number {
  let line = 1;
  for (let p = buf.indexOf(10); p >= 0 && p < offset; p = buf.indexOf(10, p + 1)) line++;
  return line;
}

/**
 * Reads METRICS.csv (`timestamp,node,metric,value`; extra columns are ignored) into one series per
 * (node, metric). `value` may be empty / NaN / Inf (treated as missing); anything else non-numeric is an error.
 */
export function readMetrics(path: string): { series: Series[]; rows: number; minTs: number; maxTs: number } {
  const buf = readFile(path, 'a CSV file');
  const required = ['timestamp', 'node', 'metric', 'value'];
  let eol = buf.indexOf(10);
  if (eol < 0) eol = buf.length;
  const header = buf
    .toString('utf8', 0, eol)
    .replace(/^\uFEFF/, '')
    .replace(/\r$/, '')
    .split(',')
    .map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
  if (header.length === 1 && header[0] === '') throw new CsvError(`${path}: empty file, expected the header timestamp,node,metric,value`);
  for (const r of required) {
    if (!header.includes(r)) throw new CsvError(`${path}: missing column "${r}" (expected header timestamp,node,metric,value; found ${header.join(',')})`);
  }
  const table = parseCsv(buf, { label: path, requiredColumns: required, textColumns: header.filter((h) => h !== 'timestamp') });
  const rows = table.rows;
  const tsCol = table.numericColumns.indexOf('timestamp');
  const stride = table.numericColumns.length;
  const nodeCol: TextColumn = table.text.node;
  const metricCol: TextColumn = table.text.metric;
  const valueCol: TextColumn = table.text.value;

  const nodes = new ByteInterner(buf);
  const metrics = new ByteInterner(buf);
  const seriesOf = new Map<number, number>();
  const seriesKeys: [number, number][] = [];
  const sid = new Int32Array(rows);
  const values = new Float64Array(rows);
  let minTs = Infinity;
  let maxTs = -Infinity;
  let lastNodeStart = -1;
  let lastNodeEnd = -1;
  let lastNode = -1;
  for (let i = 0; i < rows; i++) {
    const ns = nodeCol.start[i];
    const ne = nodeCol.end[i];
    if (ns === ne) throw new CsvError(`${path}: line ${lineOf(buf, ns)}: empty "node"`);
    // consecutive rows usually share the node: skip the hash when the bytes are equal
    const node = lastNode >= 0 && sameBytes(buf, lastNodeStart, lastNodeEnd, ns, ne) ? lastNode : nodes.id(ns, ne);
    lastNode = node;
    lastNodeStart = ns;
    lastNodeEnd = ne;
    const ms = metricCol.start[i];
    const me = metricCol.end[i];
    if (ms === me) throw new CsvError(`${path}: line ${lineOf(buf, ms)}: empty "metric"`);
    const metric = metrics.id(ms, me);
    const key = node * 1048576 + metric;
    let s = seriesOf.get(key);
    if (s === undefined) {
      s = seriesKeys.length;
      seriesOf.set(key, s);
      seriesKeys.push([node, metric]);
    }
    sid[i] = s;
    const vs = valueCol.start[i];
    const ve = valueCol.end[i];
    let v = parseNumber(buf, vs, ve);
    if (Number.isNaN(v)) {
      const raw = buf.toString('utf8', vs, Math.min(ve, vs + 40));
      if (!MISSING.test(raw)) throw new CsvError(`${path}: line ${lineOf(buf, vs)}, column "value": not a number: "${raw}"`);
      v = NaN;
    }
    values[i] = v;
    const t = table.data[i * stride + tsCol];
    if (t < minTs) minTs = t;
    if (t > maxTs) maxTs = t;
  }

  // group rows by series (counting sort)
  const count = new Int32Array(seriesKeys.length + 1);
  for (let i = 0; i < rows; i++) count[sid[i] + 1]++;
  for (let s = 0; s < seriesKeys.length; s++) count[s + 1] += count[s];
  const gTs = new Float64Array(rows);
  const gVal = new Float64Array(rows);
  const fill = count.slice(0, seriesKeys.length);
  for (let i = 0; i < rows; i++) {
    const p = fill[sid[i]]++;
    gTs[p] = table.data[i * stride + tsCol];
    gVal[p] = values[i];
  }
  const series: Series[] = seriesKeys.map(([n, m], s) => ({
    node: nodes.names[n],
    metric: metrics.names[m],
    ts: gTs.subarray(count[s], count[s + 1]),
    value: gVal.subarray(count[s], count[s + 1]),
  }));
  return { series, rows, minTs, maxTs };
}

export const command: CliCommand = {
  name: 'rank',
  summary: 'Offline root-cause ranking over a call graph and metrics',
  usage:
    `${USAGE_LINE}\n\n` +
    'EDGES.json is [{"from":"caller","to":"callee"}]. METRICS.csv has the header timestamp,node,metric,value\n' +
    '(timestamp in epoch seconds; metric names are free, e.g. latency.p99, availability, cpu, requests).\n' +
    'Rows with timestamp < TS are normal operation, rows >= TS the incident window. Candidates are NODE and every\n' +
    'service it depends on (reachable along caller -> callee edges). Evidence is robust (median/MAD with floors,\n' +
    'relative effect sizes), request-derived metrics of low-traffic services are down-weighted, a dependency that\n' +
    "explains its callers' symptoms and deviated first ranks higher. --target-metric M (a metric of NODE) breaks\n" +
    'ties by correlation. --changes CHANGES.json ([{"node","at","kind","detail"?}], at in epoch seconds: deploys,\n' +
    'rollouts, config changes): a change on a candidate shortly before its symptoms raises it. --edge-metrics\n' +
    'EDGE_METRICS.csv (header timestamp,from,to,metric,value: latency, errors, requests of the calls as the caller\n' +
    'sees them): a callee whose calls fail or slow down at its callers is a suspect even when its own metrics are\n' +
    'flat. Prints [{"node":..,"score":..}] highest first: scores are probabilities (they sum to at most 1; the\n' +
    'rest is "none of these / uncertain"), or [] when nothing looks abnormal.',
  async run(argv) {
    const flags = parseFlags(argv, ['graph', 'metrics', 'split', 'target', 'target-metric', 'changes', 'edge-metrics']);
    for (const f of ['graph', 'metrics', 'split', 'target']) {
      if (flags[f] === undefined || flags[f] === '') throw new Error(`--${f} is required\nUsage: ${USAGE_LINE}`);
    }
    const rawSplit = flags.split.trim();
    const split = rawSplit === '' ? NaN : Number(rawSplit);
    if (!Number.isFinite(split)) throw new Error(`--split must be a timestamp in epoch seconds, got "${flags.split}"`);
    if (flags['target-metric'] === '') throw new Error('--target-metric must not be empty');

    const edges = readEdges(flags.graph);
    const { series, rows, minTs, maxTs } = readMetrics(flags.metrics);
    if (rows > 0 && minTs >= split) process.stderr.write(`fleetops rank: warning: no metrics rows before --split ${flags.split} (normal window empty)\n`);
    if (rows > 0 && maxTs < split) process.stderr.write(`fleetops rank: warning: no metrics rows at or after --split ${flags.split} (incident window empty)\n`);
    const targetMetric = flags['target-metric'];
    if (targetMetric !== undefined && !series.some((s) => s.node === flags.target && s.metric === targetMetric)) {
      process.stderr.write(`fleetops rank: warning: no metric "${targetMetric}" for target "${flags.target}" in ${flags.metrics}; --target-metric ignored\n`);
    }
    for (const f of ['changes', 'edge-metrics']) if (flags[f] === '') throw new Error(`--${f} must not be empty`);
    const changes = flags.changes === undefined ? undefined : readChanges(flags.changes);
    const edgeSeries = flags['edge-metrics'] === undefined ? undefined : readEdgeMetrics(flags['edge-metrics']);
    const { ranking } = analyzeSeries({ edges, series, split, target: flags.target, targetMetric, changes, edgeSeries });
    process.stdout.write(JSON.stringify(ranking) + '\n');
    return 0;
  },
};
