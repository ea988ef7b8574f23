import type { Evidence } from '../evidence.ts';
import { nodeConditions } from './nodes.ts';
import { POD_ANALYZERS } from './pods.ts';
import { cpuRise, cpuSaturation, memoryGrowth } from './resources.ts';
import { badDeploy } from './rollout.ts';
import { callFailures } from './edges.ts';
import { errorBurst, latencyRegression } from './signals.ts';
import type { Analyzer, Finding } from './types.ts';
import { replicasUnavailable, serviceEndpoints } from './workloads.ts';

export type { Analyzer, Finding, IssueType } from './types.ts';
export { ISSUE_TYPES } from './types.ts';

export const ANALYZERS: Analyzer[] = [
  ...POD_ANALYZERS,
  nodeConditions,
  replicasUnavailable,
  serviceEndpoints,
  badDeploy,
  cpuSaturation,
  cpuRise,
  memoryGrowth,
  errorBurst,
  latencyRegression,
  callFailures,
];

/** Every analyzer over the whole namespace's evidence (callees' findings explain callers' symptoms). */
export function analyze(evidence: Evidence, analyzers: Analyzer[] = ANALYZERS): Finding[] {
  return analyzers.flatMap((a) => a(evidence));
}
