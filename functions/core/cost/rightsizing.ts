/**
 * Right-sizing in the manner of Robusta's KRR "simple" strategy: CPU request = p95 of usage, memory
 * request = max usage + 15 % headroom, memory limit = memory request. Usage is kept as VPA-style
 * exponential histograms (buckets 5 % wide) added up per day, so a day's distribution is a handful of
 * counters whatever the number of samples. History raises a recommendation, never lowers it below need:
 * OOM kills in the window mean the real peak was cut off at the limit, throttling means CPU demand was
 * cut off at the CPU limit.
 */
import { tryParseQuantity } from '../metrics/quantity.ts';
import type { ContainerSample } from './types.ts';

const CPU_BASE = 0.001; // cores
const MEM_BASE = 1024 ** 2; // bytes
const RATIO = 1.05;
const MAX_BUCKET = 400;
const MI = 1024 ** 2;

export function bucketOf(value: number, base: number): number {
  if (!(value > base)) return 0;
  return Math.min(MAX_BUCKET, Math.floor(Math.log(value / base) / Math.log(RATIO)) + 1);
}
/** Upper bound of a bucket (bucket 0 holds everything up to the base). */
export function bucketUpper(bucket: number, base: number): number {
  return base * RATIO ** bucket;
}

/** One pull's evidence for one container of one workload. */
export interface UsageDelta {
  namespace: string;
  workload: string;
  container: string;
  samples: number;
  oomKills: number;
  throttled: number;
  cpu: Record<number, number>;
  memory: Record<number, number>;
  requests: { cpu?: number; memory?: number };
  limits: { cpu?: number; memory?: number };
}

/** A day of evidence for one container, as stored. */
export interface UsageDay extends UsageDelta {
  date: string;
  clusterId: string;
  cluster: string;
  /** Pulls that saw the workload (samples / pulls ≈ replicas). */
  pulls: number;
  rates?: { cpuCoreHour: number; memoryGiBHour: number };
}

/** Groups a pull's samples per (namespace, workload, container). */
export function usageDeltas(samples: ContainerSample[]): UsageDelta[] {
  const out = new Map<string, UsageDelta>();
  for (const s of samples) {
    const key = `${s.namespace}/${s.workload}/${s.container}`;
    const d = out.get(key) ?? {
      namespace: s.namespace,
      workload: s.workload,
      container: s.container,
      samples: 0,
      oomKills: 0,
      throttled: 0,
      cpu: {},
      memory: {},
      requests: s.requests,
      limits: s.limits,
    };
    if (s.oomKilled) d.oomKills++;
    if (!s.measured) {
      out.set(key, d);
      continue;
    }
    d.samples++;
    if (s.throttled) d.throttled++;
    const cb = bucketOf(s.cpu, CPU_BASE);
    const mb = bucketOf(s.memory, MEM_BASE);
    d.cpu[cb] = (d.cpu[cb] ?? 0) + 1;
    d.memory[mb] = (d.memory[mb] ?? 0) + 1;
    out.set(key, d);
  }
  return [...out.values()];
}

function quantile(hist: Record<number, number>, q: number, base: number): number {
  const entries = Object.entries(hist)
    .map(([k, v]) => [Number(k), v] as const)
    .filter(([, v]) => v > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, v]) => s + v, 0);
  if (!total) return 0;
  let seen = 0;
  for (const [k, v] of entries) {
    seen += v;
    if (seen >= q * total) return bucketUpper(k, base);
  }
  return bucketUpper(entries[entries.length - 1]![0], base);
}

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu?: string; memory?: string };
}

export interface Recommendation {
  cluster: string;
  namespace: string;
  workload: string;
  container: string;
  current: { requests: { cpu: string; memory: string }; limits: { cpu?: string; memory?: string } };
  recommended: Resources;
  monthlySaving: number;
  evidence: { samples: number; window: string; oomKills: number; throttledPct: number };
}

export interface RightsizingOptions {
  cpuPercentile: number;
  memoryHeadroom: number;
  /** Throttled share of samples (%) above which CPU counts as cut off by its limit. */
  throttledPctThreshold: number;
  minSamples: number;
  minCpu: number;
  minMemory: number;
}

export const DEFAULT_RIGHTSIZING: RightsizingOptions = {
  cpuPercentile: 0.95,
  memoryHeadroom: 0.15,
  throttledPctThreshold: 1,
  minSamples: 3,
  minCpu: 0.01,
  minMemory: 32 * MI,
};

const HOURS_PER_MONTH = 730;

export const formatCpu = (cores: number): string => `${Math.max(1, Math.ceil(cores * 1000 - 1e-9))}m`;
export const formatMemory = (bytes: number): string => `${Math.max(1, Math.ceil(bytes / MI - 1e-9))}Mi`;
const roundCpu = (cores: number) => Math.max(1, Math.ceil(cores * 1000 - 1e-9)) / 1000;
const roundMem = (bytes: number) => Math.max(1, Math.ceil(bytes / MI - 1e-9)) * MI;

/** One container's days of evidence, added up. */
interface Evidence {
  latest: UsageDay;
  cpu: Record<number, number>;
  memory: Record<number, number>;
  samples: number;
  oomKills: number;
  throttled: number;
  pulls: number;
}

function mergeDays(days: UsageDay[]): Evidence | undefined {
  if (!days.length) return undefined;
  const latest = [...days].sort((a, b) => a.date.localeCompare(b.date)).at(-1)!;
  const e: Evidence = { latest, cpu: {}, memory: {}, samples: 0, oomKills: 0, throttled: 0, pulls: 0 };
  for (const d of days) {
    e.samples += d.samples;
    e.oomKills += d.oomKills;
    e.throttled += d.throttled;
    e.pulls += d.pulls;
    for (const [k, v] of Object.entries(d.cpu)) e.cpu[Number(k)] = (e.cpu[Number(k)] ?? 0) + v;
    for (const [k, v] of Object.entries(d.memory)) e.memory[Number(k)] = (e.memory[Number(k)] ?? 0) + v;
  }
  return e;
}

/**
 * The least a container's history says it needs (cores, bytes): its CPU percentile, or its CPU limit
 * when it was throttled there; its peak memory, or its memory limit when it was OOM-killed there.
 */
export interface ObservedNeed {
  cpu: number;
  memory: number;
  /** Killed at this limit: a new limit must be above it. */
  oomKilledAtMemory?: number;
  /** Throttled at this limit: a new limit must be above it. */
  throttledAtCpu?: number;
}

export function observedNeed(days: UsageDay[], options: RightsizingOptions = DEFAULT_RIGHTSIZING): ObservedNeed | undefined {
  const e = mergeDays(days);
  return e && needOf(e, options);
}

function needOf(e: Evidence, options: RightsizingOptions): ObservedNeed {
  const { requests: cur, limits: lim } = e.latest;
  const throttledAtCpu = e.samples > 0 && (100 * e.throttled) / e.samples > options.throttledPctThreshold ? (lim.cpu ?? cur.cpu) : undefined;
  const oomKilledAtMemory = e.oomKills > 0 ? (lim.memory ?? cur.memory) : undefined;
  return {
    cpu: Math.max(quantile(e.cpu, options.cpuPercentile, CPU_BASE), throttledAtCpu ?? 0),
    memory: Math.max(quantile(e.memory, 1, MEM_BASE), oomKilledAtMemory ?? 0),
    ...(oomKilledAtMemory !== undefined ? { oomKilledAtMemory } : {}),
    ...(throttledAtCpu !== undefined ? { throttledAtCpu } : {}),
  };
}

/**
 * Where `resources` would give a container less than its history shows it needs, in words; empty
 * when it gives enough. A check on the values about to be applied, independent of how they were chosen.
 */
export function shortfalls(resources: Resources, need: ObservedNeed): string[] {
  const out: string[] = [];
  const cpu = tryParseQuantity(resources.requests.cpu);
  const memory = tryParseQuantity(resources.requests.memory);
  const cpuLimit = tryParseQuantity(resources.limits.cpu);
  const memoryLimit = tryParseQuantity(resources.limits.memory);
  // Recommendations are rounded up to whole millicores and MiB, so a need is compared at that grain.
  if (cpu === undefined || cpu < roundCpu(need.cpu)) out.push(`CPU request ${resources.requests.cpu} is below the observed ${formatCpu(need.cpu)}`);
  if (memory === undefined || memory < roundMem(need.memory))
    out.push(`memory request ${resources.requests.memory} is below the observed ${formatMemory(need.memory)}`);
  if (cpuLimit !== undefined && cpuLimit < roundCpu(need.cpu)) out.push(`CPU limit ${resources.limits.cpu} is below the observed ${formatCpu(need.cpu)}`);
  if (memoryLimit !== undefined && memoryLimit < roundMem(need.memory))
    out.push(`memory limit ${resources.limits.memory} is below the observed ${formatMemory(need.memory)}`);
  if (need.oomKilledAtMemory !== undefined && (memoryLimit ?? memory ?? 0) <= need.oomKilledAtMemory)
    out.push(`memory ${resources.limits.memory ?? resources.requests.memory} is not above the ${formatMemory(need.oomKilledAtMemory)} it was OOM-killed at`);
  if (need.throttledAtCpu !== undefined && cpuLimit !== undefined && cpuLimit <= need.throttledAtCpu)
    out.push(`CPU limit ${resources.limits.cpu} is not above the ${formatCpu(need.throttledAtCpu)} it was throttled at`);
  return out;
}

/** Merges the days of one container and recommends; undefined when there are too few samples. */
export function recommend(days: UsageDay[], window: string, options: RightsizingOptions = DEFAULT_RIGHTSIZING): Recommendation | undefined {
  const e = mergeDays(days);
  if (!e) return undefined;
  const { latest, cpu, samples, oomKills, throttled, pulls } = e;
  if (samples < options.minSamples) return undefined;
  const throttledPct = (100 * throttled) / samples;
  const cur = latest.requests;
  const lim = latest.limits;

  const need = needOf(e, options);
  let cpuReq = Math.max(options.minCpu, need.cpu);
  const cpuMax = quantile(cpu, 1, CPU_BASE);
  // Demand was cut off at the limit: what it needs is more than what it got.
  if (need.throttledAtCpu !== undefined) cpuReq = Math.max(cpuReq, need.throttledAtCpu * 1.25);
  let memReq = Math.max(options.minMemory, need.memory * (1 + options.memoryHeadroom));
  // The peak was cut off by the OOM killer at the limit: it needs more than the limit.
  if (need.oomKilledAtMemory !== undefined) memReq = Math.max(memReq, need.oomKilledAtMemory * 1.25);
  cpuReq = roundCpu(cpuReq);
  memReq = roundMem(memReq);
  let cpuLimit: number | undefined;
  if (lim.cpu !== undefined) {
    cpuLimit = throttledPct > options.throttledPctThreshold ? Math.max(lim.cpu * 1.5, cpuReq * 2) : Math.max(cpuReq * 2, cpuMax * 1.15);
    cpuLimit = roundCpu(cpuLimit);
  }

  const replicas = pulls > 0 ? samples / pulls : 1;
  const rates = latest.rates ?? { cpuCoreHour: 0, memoryGiBHour: 0 };
  const curCpu = cur.cpu ?? 0;
  const curMem = cur.memory ?? 0;
  const hourlyDelta = (curCpu - cpuReq) * rates.cpuCoreHour + ((curMem - memReq) / 1024 ** 3) * rates.memoryGiBHour;
  const monthlySaving = Math.round(hourlyDelta * HOURS_PER_MONTH * replicas * 100) / 100;

  return {
    cluster: latest.cluster,
    namespace: latest.namespace,
    workload: latest.workload,
    container: latest.container,
    current: {
      requests: { cpu: cur.cpu !== undefined ? formatCpu(cur.cpu) : '0', memory: cur.memory !== undefined ? formatMemory(cur.memory) : '0' },
      limits: { ...(lim.cpu !== undefined ? { cpu: formatCpu(lim.cpu) } : {}), ...(lim.memory !== undefined ? { memory: formatMemory(lim.memory) } : {}) },
    },
    recommended: {
      requests: { cpu: formatCpu(cpuReq), memory: formatMemory(memReq) },
      limits: { ...(cpuLimit !== undefined ? { cpu: formatCpu(cpuLimit) } : {}), memory: formatMemory(memReq) },
    },
    monthlySaving,
    evidence: { samples, window, oomKills, throttledPct: Math.round(throttledPct * 10) / 10 },
  };
}
