// Shared helpers for the simulator integration tests: raw HTTPS calls with the cluster CA, polling, Prometheus parsing.
import { request } from 'node:https';
import type { SimulatedClusterInfo } from '../../../sim/index.ts';

export interface Resp {
  status: number;
  body: any;
  text: string;
}

export function kreq(
  info: SimulatedClusterInfo,
  method: string,
  path: string,
  body?: unknown,
  opts: { contentType?: string; token?: string | null; accept?: string } = {},
): Promise<Resp> {
  const url = new URL(path, info.server);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
  if (opts.token !== null) headers.Authorization = `Bearer ${opts.token ?? info.token}`;
  if (payload !== undefined) {
    headers['Content-Type'] = opts.contentType ?? 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, ca: Buffer.from(info.caData, 'base64').toString() },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: any;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Re-exported: the polling helper lives in test/support/wait.ts. */
export { waitFor } from '../../support/wait.ts';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Minimal Prometheus text-format parser; throws on malformed lines. */
export function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name, type);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`malformed metrics line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
      let lm: RegExpExecArray | null;
      let consumed = 0;
      while ((lm = re.exec(m[3])) !== null) {
        labels[lm[1]] = lm[2].replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
        consumed = re.lastIndex;
        if (consumed >= m[3].length) break;
      }
      if (consumed !== m[3].length) throw new Error(`malformed labels: ${line}`);
    }
    const value = Number(m[4]);
    if (Number.isNaN(value)) throw new Error(`bad value: ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  return { samples, types };
}

export async function scrape(info: SimulatedClusterInfo): Promise<Sample[]> {
  const res = await fetch(info.metricsUrl);
  if (!res.ok) throw new Error(`scrape failed: ${res.status}`);
  return parsePrometheus(await res.text()).samples;
}

export const pick = (s: Sample[], name: string, labels: Record<string, string> = {}): Sample[] =>
  s.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));

export const sum = (s: Sample[]): number => s.reduce((a, x) => a + x.value, 0);

export function parseCpu(q: string): number {
  if (q.endsWith('n')) return Number(q.slice(0, -1)) / 1e9;
  if (q.endsWith('m')) return Number(q.slice(0, -1)) / 1000;
  return Number(q);
}

export function parseMem(q: string): number {
  const units: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`bad memory quantity ${q}`);
  return Number(m[1]) * (m[2] ? units[m[2]] : 1);
}

/** p-quantile from the delta of two histogram scrapes (linear interpolation inside the bucket). */
export function quantileFromDelta(before: Sample[], after: Sample[], service: string, q: number): number {
  const buckets = (s: Sample[]) => new Map(pick(s, 'http_request_duration_seconds_bucket', { service }).map((x) => [x.labels.le, x.value] as const));
  const b0 = buckets(before);
  const b1 = buckets(after);
  const les = [...b1.keys()]
    .filter((l) => l !== '+Inf')
    .map(Number)
    .sort((a, b) => a - b);
  const total = (b1.get('+Inf') ?? 0) - (b0.get('+Inf') ?? 0);
  if (total <= 0) throw new Error('no requests observed in window');
  let prevLe = 0;
  let prevCount = 0;
  for (const le of les) {
    const c = (b1.get(String(le)) ?? 0) - (b0.get(String(le)) ?? 0);
    if (c >= q * total) return prevLe + ((le - prevLe) * (q * total - prevCount)) / Math.max(1e-9, c - prevCount);
    prevLe = le;
    prevCount = c;
  }
  return les[les.length - 1];
}
