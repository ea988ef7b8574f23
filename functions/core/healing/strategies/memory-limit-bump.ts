/**
 * high_memory on a leaking pod close to its limit (or already OOM-restarted): a rolling restart with
 * the memory limit raised by half. A limit change is always proposed for approval, whatever the
 * severity: it is never applied without a person saying yes. Undo puts the old template back.
 */
import type { ActionPlan, WorkloadState } from '../types.ts';
import { act, memoryScore } from './common.ts';
import type { HealingStrategy, PlanContext } from './types.ts';

type MemoryLimitBump = Extract<ActionPlan, { kind: 'memory_limit_bump' }>;

/** Peak memory/limit at or above this counts as "close to the limit". */
export const NEAR_LIMIT = 0.9;
const FACTOR = 1.5;
const MI = 2 ** 20;

const UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: MI, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A Kubernetes memory quantity in bytes ("512Mi", "1G", "134217728"); undefined when unreadable. */
export function parseMemory(quantity: unknown): number | undefined {
  if (typeof quantity === 'number') return Number.isFinite(quantity) && quantity > 0 ? quantity : undefined;
  if (typeof quantity !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(|k|M|G|T|Ki|Mi|Gi|Ti)$/.exec(quantity.trim());
  return m ? Number(m[1]) * UNITS[m[2]] : undefined;
}

type Container = { name?: unknown; resources?: { limits?: Record<string, unknown> } };
type Template = { metadata?: { annotations?: Record<string, string> }; spec?: { containers?: Container[] } };

function containersOf(template: unknown): Container[] {
  const containers = (template as Template | undefined)?.spec?.containers;
  return Array.isArray(containers) ? containers : [];
}

/** Each container with a memory limit: its limit raised by half, rounded up to a MiB. */
function bumps(state: WorkloadState): MemoryLimitBump['containers'] {
  return containersOf(state.template).flatMap((c) => {
    const from = parseMemory(c.resources?.limits?.memory);
    if (typeof c.name !== 'string' || !from) return [];
    return [{ name: c.name, from: String(c.resources!.limits!.memory), to: `${Math.ceil((from * FACTOR) / MI)}Mi` }];
  });
}

const leaking = ({ state }: PlanContext): boolean => !!state.memoryLimitBytes && (memoryScore(state) >= NEAR_LIMIT || state.pods.some((p) => p.restarts > 0));

export const memoryLimitBump: HealingStrategy<MemoryLimitBump> = {
  id: 'memory_limit_bump',
  issueTypes: ['high_memory'],
  planKinds: ['memory_limit_bump'],
  summary: `high_memory on a leaking pod near its limit (≥ ${NEAR_LIMIT * 100}% or OOM-restarted): a rolling restart with the memory limit raised by half, always proposed for approval`,
  symptomName: 'memory/limit',
  applies: (ctx) => leaking(ctx) && bumps(ctx.state).length > 0,
  plan({ state }) {
    const containers = bumps(state);
    const peak = Math.round(memoryScore(state) * 100);
    const restarted = state.pods.filter((p) => p.restarts > 0).length;
    const why = `${state.deployment} is leaking toward its memory limit (peak ${peak}% of the limit${restarted ? `, ${restarted} pod(s) restarted` : ''})`;
    return act(
      { kind: 'memory_limit_bump', deployment: state.deployment, containers },
      `Rolling restart of ${state.deployment} with the memory limit raised (${containers.map((c) => `${c.name} ${c.from} → ${c.to}`).join(', ')}): ${why}`,
      'a memory-limit change is never applied without approval',
    );
  },
  async execute(plan, { cluster, clusterId, namespace, workload }) {
    const state = await workload();
    const template = structuredClone(state.template) as Template;
    const byName = new Map(plan.containers.map((c) => [c.name, c.to]));
    for (const c of containersOf(template)) {
      const to = typeof c.name === 'string' ? byName.get(c.name) : undefined;
      if (to) c.resources = { ...c.resources, limits: { ...c.resources?.limits, memory: to } };
    }
    template.metadata = {
      ...template.metadata,
      annotations: { ...template.metadata?.annotations, 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() },
    };
    await cluster.restoreTemplate(clusterId, namespace, plan.deployment, template);
    return { changed: true, after: { memoryLimits: Object.fromEntries(byName), restarted: true } };
  },
  async undo(plan, snapshot, { cluster, clusterId, namespace }) {
    await cluster.restoreTemplate(clusterId, namespace, plan.deployment, snapshot.template);
    return { undone: true, result: 'restored' };
  },
  describe: (plan) => `rolling restart of ${plan.deployment} with memory limit ${plan.containers.map((c) => `${c.name} ${c.from} → ${c.to}`).join(', ')}`,
  symptom: memoryScore,
  symptomTarget: (policy) => policy.memoryUtilisationTarget,
};
