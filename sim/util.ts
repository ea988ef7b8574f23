// Small shared helpers: quantities, hashing, names, deterministic noise, timestamps.
import { randomBytes, randomUUID } from 'node:crypto';

export type Obj = Record<string, any>;

/**
 * A deep copy, as structuredClone gives, but walking plain objects and arrays itself (the store's objects are JSON
 * shapes, and structuredClone's serialise-and-read-back was most of a simulated cluster's tick); anything else
 * (Date, Map, Buffer, ...) is left to structuredClone.
 */
export function clone<T>(v: T): T {
  if (typeof v === 'function' || typeof v === 'symbol') return structuredClone(v); // throws, as it always did
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Obj = {};
  for (const k of Object.keys(v)) out[k] = clone((v as Obj)[k]);
  return out as T;
}

export function nowIso(t: number = Date.now()): string {
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function uid(): string {
  return randomUUID();
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
export function randSuffix(n = 5): string {
  const b = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += SAFE[b[i] % SAFE.length];
  return s;
}

/** FNV-1a 32-bit hash. */
export function fnv(str: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeHash(str: string, len = 10): string {
  let h = fnv(str);
  let h2 = fnv(str + '#');
  let s = '';
  for (let i = 0; i < len; i++) {
    const src = i % 2 === 0 ? h : h2;
    s += SAFE[src % SAFE.length];
    if (i % 2 === 0) h = Math.floor(h / SAFE.length) || fnv(s);
    else h2 = Math.floor(h2 / SAFE.length) || fnv(s + 'x');
  }
  return s;
}

/** Canonical JSON (sorted keys, nulls/undefined dropped) for equality and hashing. */
export function canonical(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (typeof v === 'object') {
    const o = v as Obj;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== null && o[k] !== undefined)
      .sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonical(o[k])).join(',') + '}';
  }
  return JSON.stringify(v);
}

/** Deterministic pseudo-random in [0,1) from a key. */
export function rand01(key: string): number {
  return fnv(key) / 0x100000000;
}

/** Smooth value noise in [-1,1], interpolated over `period` seconds. */
export function smoothNoise(key: string, tSec: number, period = 30): number {
  const i = Math.floor(tSec / period);
  const f = tSec / period - i;
  const a = rand01(`${key}:${i}`) * 2 - 1;
  const b = rand01(`${key}:${i + 1}`) * 2 - 1;
  const s = f * f * (3 - 2 * f);
  return a + (b - a) * s;
}

const BIN: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6 };
const DEC: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** Parses a Kubernetes quantity ("500m", "16Gi", "2") into a number of base units. */
export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return 0;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  const suf = m[2];
  if (suf in BIN) return n * BIN[suf];
  if (suf in DEC) return n * DEC[suf];
  return NaN;
}

export function isValidQuantity(q: unknown): boolean {
  return typeof q === 'number' || (typeof q === 'string' && Number.isFinite(parseQuantity(q)));
}

export const cpuMilli = (cores: number): string => `${Math.max(0, Math.round(cores * 1000))}m`;
export const memMi = (bytes: number): string => `${Math.max(0, Math.round(bytes / 1024 ** 2))}Mi`;

/** kubectl-style human duration ("5s", "3m2s", "4h", "2d3h"). */
export function humanAge(fromIso: string | undefined, now = Date.now()): string {
  if (!fromIso) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

export function getPath(o: unknown, path: string): unknown {
  let cur: any = o;
  for (const p of path.split('.')) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[p];
  }
  return cur;
}

export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
