import { ValidationError } from '../errors.ts';

export const MAX_VALUES_BYTES = 64 * 1024;
const MAX_DEPTH = 20;

function depth(value: unknown, level = 0): number {
  if (level > MAX_DEPTH) return level;
  if (Array.isArray(value)) return Math.max(level, ...value.map((v) => depth(v, level + 1)));
  if (value && typeof value === 'object') return Math.max(level, ...Object.values(value).map((v) => depth(v, level + 1)));
  return level;
}

/** Values go to helm as a JSON file (JSON is YAML without anchors or tags), bounded in size and depth. */
export function checkValues(values: Record<string, unknown> | undefined): Record<string, unknown> {
  const v = values ?? {};
  const text = JSON.stringify(v);
  if (Buffer.byteLength(text) > MAX_VALUES_BYTES) throw new ValidationError(`values: larger than ${MAX_VALUES_BYTES} bytes`, undefined, 'VALUES_TOO_LARGE');
  if (depth(v) > MAX_DEPTH) throw new ValidationError(`values: nested deeper than ${MAX_DEPTH} levels`, undefined, 'VALUES_TOO_DEEP');
  return v;
}

/** A copy of `values` with `image` set at a dotted path (the ECR trigger's pushed image). */
export function withImage(values: Record<string, unknown>, path: string, image: { repository: string; tag: string }): Record<string, unknown> {
  const out = structuredClone(values);
  const keys = path.split('.');
  let node: Record<string, unknown> = out;
  for (const key of keys) {
    if (['__proto__', 'constructor', 'prototype'].includes(key)) throw new ValidationError('imageValuesPath: reserved key', undefined, 'INVALID_TRIGGER');
    const next = node[key];
    node[key] = next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    node = node[key] as Record<string, unknown>;
  }
  Object.assign(node, image);
  return out;
}
