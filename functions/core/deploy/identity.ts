import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal requests hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The deploy id, deterministic from what identifies the request: the caller's Idempotency-Key (or,
 * without one, the request itself) for the API; the EventBridge event id and the trigger for events.
 * Retries and redeliveries therefore land on the same deployment and the same execution name.
 */
export function deploymentIdFor(source: 'api' | 'ecr' | 'slack' | 'golden-path' | 'rightsizing', key: string): string {
  return `d-${sha256(`${source}\n${key}`).slice(0, 24)}`;
}

/** What an Idempotency-Key was first used with: the canonical request, hashed. */
export function requestHash(body: unknown): string {
  return sha256(canonicalJson(body));
}

export function valuesHash(values: Record<string, unknown>): string {
  return sha256(canonicalJson(values)).slice(0, 16);
}
