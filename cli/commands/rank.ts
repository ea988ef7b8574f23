import { readFileSync } from 'node:fs';
import type { CliCommand } from '../command.ts';
import { parseFlags } from '../command.ts';
import { CsvError, parseCsv, parseNumber } from '../csv.ts';
import type { TextColumn } from '../csv.ts';
import { analyzeSeries } from '../../functions/core/rca/rank.ts';
import type { Edge, Series } from '../../functions/core/rca/rank.ts';

const USAGE_LINE = 'fleetops rank --graph EDGES.json --metrics METRICS.csv --split TS --target NODE [--target-metric M]';

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

/** Reads and validates EDGES.json: `[{"from":"caller","to":"callee"}]`. */
export function readEdges(path: string): Edge[] {
  const text = readFile(path, 'a JSON file').toString('utf8').replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: invalid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!Array.isArray(parsed)) throw new Error(`${path}: expected a JSON array of {"from":"caller","to":"callee"} edges`);
  return parsed.map((e: unknown, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new Error(`${path}: edge ${i}: expected an object {"from","to"}`);
    const { from, to } = e as Record<string, unknown>;
    for (const [k, v] of [['from', from], ['to', to]] as const) {
      if (typeof v !== 'string' || v === '') throw new Error(`${path}: edge ${i}: "${k}" must be a non-empty string`);
    }
    return { from: from as string, to: to as string };
  });
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
    'explains its callers\' symptoms and deviated first ranks higher. --target-metric M (a metric of NODE) breaks\n' +
    'ties by correlation. Prints [{"node":..,"score":..}] highest first (score in (0,1]; the top reaches 1 only\n' +
    'with confident evidence), or [] when nothing looks abnormal.',
  async run(argv) {
    const flags = parseFlags(argv, ['graph', 'metrics', 'split', 'target', 'target-metric']);
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
    const { ranking } = analyzeSeries({ edges, series, split, target: flags.target, targetMetric });
    process.stdout.write(JSON.stringify(ranking) + '\n');
    return 0;
  },
};
