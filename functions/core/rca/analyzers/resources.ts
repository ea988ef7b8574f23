/** CPU saturation against limits, and memory growing toward the limit. */
import type { Evidence, UsageEvidence } from '../evidence.ts';
import { median } from '../metric-evidence.ts';
import { formatBytes, formatCores, MiB, unique, type Analyzer, type Finding } from './types.ts';

function usageByDeployment(evidence: Evidence): Map<string, UsageEvidence[]> {
  const out = new Map<string, UsageEvidence[]>();
  for (const u of evidence.usage) {
    if (!u.deployment) continue;
    out.set(u.deployment, [...(out.get(u.deployment) ?? []), u]);
  }
  return out;
}

export const CPU_SATURATION = 0.85;

export const cpuSaturation: Analyzer = (evidence) => {
  const out: Finding[] = [];
  for (const [deployment, usage] of usageByDeployment(evidence)) {
    const limited = usage.filter((u) => u.cpuLimit && u.cpuLimit > 0);
    if (!limited.length) continue;
    const ratios = limited.map((u) => u.cpu / (u.cpuLimit as number));
    const saturated = limited.filter((_, i) => ratios[i] >= CPU_SATURATION);
    if (saturated.length * 2 < limited.length || !saturated.length) continue;
    const metric = evidence.metrics.find((m) => m.service === deployment && m.signal === 'cpu_usage');
    const ratio = median(ratios) ?? 0;
    out.push({
      analyzer: 'cpu',
      category: 'CpuSaturation',
      kind: 'cause',
      service: deployment,
      resource: `deployment/${deployment}`,
      description: `Deployment ${deployment}: CPU at ${Math.round(ratio * 100)}% of its limit (${formatCores(saturated[0].cpu)} of ${formatCores(saturated[0].cpuLimit)}) in ${saturated.length}/${limited.length} containers: throttled${metric?.baseline !== undefined ? `; was ${formatCores(metric.baseline)} cores before` : ''}`,
      evidence: unique([...saturated.map((u) => u.id), ...(metric ? [metric.id] : [])]),
      strength: 0.85,
      at: metric?.changedAt,
      issueType: 'high_cpu',
      remediation: [`Scale out ${deployment} (more replicas) or raise its CPU limit; find the hot path if the load did not grow`],
      prevention: ['Horizontal Pod Autoscaler on CPU', 'Load-test new versions against the CPU limit'],
    });
  }
  return out;
};

/** CPU this many times its baseline, and at least this much more, counts as a rise worth naming. */
const CPU_RISE_FACTOR = 3;
const CPU_RISE_MIN_CORES = 0.1;

/**
 * CPU that rose well above its baseline without reaching the limit: a contributing factor (it may explain
 * slowness, or be the first sign of a fault), never a cause by itself. Saturation is `cpuSaturation`'s.
 */
export const cpuRise: Analyzer = (evidence) => {
  const saturated = new Set(cpuSaturation(evidence).map((f) => f.service));
  return evidence.metrics
    .filter((m) => m.signal === 'cpu_usage' && m.baseline !== undefined && m.current !== null && !saturated.has(m.service))
    .filter((m) => (m.current as number) >= CPU_RISE_FACTOR * (m.baseline as number) && (m.current as number) - (m.baseline as number) >= CPU_RISE_MIN_CORES)
    .map((m) => ({
      analyzer: 'cpu',
      category: 'CpuRise',
      kind: 'factor' as const,
      service: m.service,
      resource: `deployment/${m.service}`,
      description: `Deployment ${m.service}: CPU at ${formatCores(m.current as number)}, ${((m.current as number) / (m.baseline as number)).toFixed(1)}x its baseline of ${formatCores(m.baseline as number)}, below its limit`,
      evidence: [m.id],
      strength: 0.5,
      ...(m.changedAt ? { at: m.changedAt } : {}),
      remediation: [`Find what drives ${m.service}'s CPU (load, a hot path, a noisy neighbour) before it saturates`],
      prevention: ['Horizontal Pod Autoscaler on CPU'],
    }));
};

/** Growth at least this fast (bytes/s) in most containers, heading for the limit within the horizon. */
export const MEMORY_SLOPE = 1 * MiB;
export const MEMORY_HORIZON_SECONDS = 30 * 60;

export const memoryGrowth: Analyzer = (evidence) => {
  const out: Finding[] = [];
  for (const [deployment, usage] of usageByDeployment(evidence)) {
    const limited = usage.filter((u) => u.memoryLimit && u.memoryLimit > 0);
    const growing = limited.filter(
      (u) =>
        (u.memorySlopePerSecond ?? 0) >= MEMORY_SLOPE && ((u.memoryLimit as number) - u.memory) / (u.memorySlopePerSecond as number) <= MEMORY_HORIZON_SECONDS,
    );
    const nearLimit = limited.filter((u) => u.memory / (u.memoryLimit as number) >= 0.9);
    const metric = evidence.metrics.find((m) => m.service === deployment && m.signal === 'memory_usage');
    const metricGrew = metric?.baseline !== undefined && metric.current !== null && metric.current >= 1.3 * metric.baseline;
    const growingMost = growing.length > 0 && growing.length * 3 >= limited.length * 2;
    if (!growingMost && !nearLimit.length && !(metricGrew && growing.length)) continue;
    const worst = [...limited].sort((a, b) => b.memory / (b.memoryLimit as number) - a.memory / (a.memoryLimit as number))[0];
    const slope = median(growing.map((u) => u.memorySlopePerSecond as number));
    const eta = slope ? Math.round(((worst.memoryLimit as number) - worst.memory) / slope) : undefined;
    out.push({
      analyzer: 'memory',
      category: 'MemoryGrowth',
      kind: 'cause',
      service: deployment,
      resource: `deployment/${deployment}`,
      description: `Deployment ${deployment}: memory growing toward its limit (${formatBytes(worst.memory)} of ${formatBytes(worst.memoryLimit)}${slope ? `, +${(slope / MiB).toFixed(1)}Mi/s, limit in ~${eta}s` : ''}): likely a leak; OOM kills follow`,
      evidence: unique([...(growing.length ? growing : nearLimit).map((u) => u.id), ...(metric && metricGrew ? [metric.id] : [])]),
      strength: growingMost ? 0.85 : 0.7,
      at: metric?.changedAt,
      issueType: 'high_memory',
      remediation: [`Restart ${deployment}'s pods to buy time, then find the leak (heap profile); roll back if a recent version introduced it`],
      prevention: ['Alert on memory slope, not only level', 'Soak-test new versions'],
    });
  }
  return out;
};
