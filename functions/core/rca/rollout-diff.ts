/**
 * What changed between two pod templates, in words an operator reads. Env values are compared but
 * never printed (they may be secrets): only the variable's name and whether it was added, removed
 * or changed.
 */

export interface TemplateContainer {
  name: string;
  image?: string;
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  envFrom?: Array<{ configMapRef?: { name?: string }; secretRef?: { name?: string } }>;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  command?: string[];
  args?: string[];
}

export interface PodTemplate {
  containers: TemplateContainer[];
}

const envSignature = (e: { value?: string; valueFrom?: unknown }): string => JSON.stringify([e.value ?? null, e.valueFrom ?? null]);
const refName = (r: { configMapRef?: { name?: string }; secretRef?: { name?: string } }): string =>
  r.configMapRef ? `configmap ${r.configMapRef.name}` : r.secretRef ? `secret ${r.secretRef.name}` : 'unknown';

export function templateChanges(previous: PodTemplate, current: PodTemplate): string[] {
  const changes: string[] = [];
  const before = new Map(previous.containers.map((c) => [c.name, c]));
  for (const c of current.containers) {
    const old = before.get(c.name);
    before.delete(c.name);
    if (!old) {
      changes.push(`container ${c.name} added (image ${c.image ?? '?'})`);
      continue;
    }
    if (old.image !== c.image) changes.push(`image ${c.name}: ${old.image ?? '?'} → ${c.image ?? '?'}`);
    const oldEnv = new Map((old.env ?? []).map((e) => [e.name, envSignature(e)]));
    for (const e of c.env ?? []) {
      const was = oldEnv.get(e.name);
      oldEnv.delete(e.name);
      if (was === undefined) changes.push(`env ${c.name}: ${e.name} added`);
      else if (was !== envSignature(e)) changes.push(`env ${c.name}: ${e.name} changed`);
    }
    for (const name of oldEnv.keys()) changes.push(`env ${c.name}: ${name} removed`);
    const oldRefs = new Set((old.envFrom ?? []).map(refName));
    const newRefs = new Set((c.envFrom ?? []).map(refName));
    for (const r of newRefs) if (!oldRefs.has(r)) changes.push(`envFrom ${c.name}: ${r} added`);
    for (const r of oldRefs) if (!newRefs.has(r)) changes.push(`envFrom ${c.name}: ${r} removed`);
    for (const kind of ['limits', 'requests'] as const) {
      const a = old.resources?.[kind] ?? {};
      const b = c.resources?.[kind] ?? {};
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (a[key] !== b[key]) changes.push(`${key} ${kind.slice(0, -1)} ${c.name}: ${a[key] ?? 'none'} → ${b[key] ?? 'none'}`);
      }
    }
    if (JSON.stringify(old.command ?? []) !== JSON.stringify(c.command ?? [])) changes.push(`command ${c.name} changed`);
    if (JSON.stringify(old.args ?? []) !== JSON.stringify(c.args ?? [])) changes.push(`args ${c.name} changed`);
  }
  for (const name of before.keys()) changes.push(`container ${name} removed`);
  return changes;
}
