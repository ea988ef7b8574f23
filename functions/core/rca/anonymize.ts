/**
 * k8sgpt-style anonymisation: workload, pod, node, namespace and cluster names become placeholders
 * before anything reaches the model, and the mapping is reversed in its answer.
 */
import type { Evidence } from './evidence.ts';

export interface Anonymizer {
  forward(text: string): string;
  reverse(text: string): string;
  value<T>(value: T): T;
  unvalue<T>(value: T): T;
}

const identity: Anonymizer = { forward: (t) => t, reverse: (t) => t, value: (v) => v, unvalue: (v) => v };

function mapStrings<T>(value: T, fn: (s: string) => string): T {
  if (typeof value === 'string') return fn(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)])) as T;
  return value;
}

function replaceAll(text: string, pairs: [string, string][]): string {
  let out = text;
  for (const [from, to] of pairs) if (out.includes(from)) out = out.split(from).join(to);
  return out;
}

export function createAnonymizer(evidence: Evidence, enabled: boolean): Anonymizer {
  if (!enabled) return identity;
  const names = new Map<string, string>();
  const add = (name: string | undefined, kind: string) => {
    if (!name || name.length < 3 || names.has(name)) return;
    names.set(name, `${kind}-${[...names.values()].filter((v) => v.startsWith(`${kind}-`)).length + 1}`);
  };
  add(evidence.target.cluster, 'cluster');
  add(evidence.target.namespace, 'namespace');
  for (const d of evidence.deployments) add(d.name, 'workload');
  add(evidence.target.service, 'workload');
  for (const s of evidence.services) add(s.name, 'workload');
  for (const p of evidence.pods) add(p.name, 'pod');
  for (const n of evidence.nodes) add(n.name, 'node');
  // Longest first, so a pod name is replaced whole before its deployment prefix.
  const forwardPairs = [...names.entries()].sort((a, b) => b[0].length - a[0].length);
  // Placeholders like workload-1 are prefixes of workload-10: reverse longest placeholder first.
  const reversePairs = forwardPairs.map(([a, b]) => [b, a] as [string, string]).sort((a, b) => b[0].length - a[0].length);
  const forward = (t: string) => replaceAll(t, forwardPairs);
  const reverse = (t: string) => replaceAll(t, reversePairs);
  return { forward, reverse, value: (v) => mapStrings(v, forward), unvalue: (v) => mapStrings(v, reverse) };
}
