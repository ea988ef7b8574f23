/**
 * Splits the fleet into batches for the metric-pull workflow. Each Map iteration pulls one batch
 * inside one Lambda (bounded concurrency there too), so a fleet of N clusters costs N / batchSize
 * iterations: 500 clusters at 10 per batch stay far below Step Functions' 25 000 history events.
 * Past a few thousand clusters the same batches would feed a Distributed Map (ItemReader over S3).
 */
export interface PullPlan {
  pullId: string;
  at: string;
  batches: { pullId: string; at: string; clusterIds: string[] }[];
}

export function planPull(clusterIds: string[], options: { pullId: string; at: Date; batchSize?: number }): PullPlan {
  const batchSize = Math.max(1, options.batchSize ?? 10);
  const at = options.at.toISOString();
  const sorted = [...new Set(clusterIds)].sort();
  const batches: PullPlan['batches'] = [];
  for (let i = 0; i < sorted.length; i += batchSize) batches.push({ pullId: options.pullId, at, clusterIds: sorted.slice(i, i + batchSize) });
  return { pullId: options.pullId, at, batches };
}

/** Pull ids are deterministic per schedule tick, so a redelivered tick resumes the same pull. */
export function pullIdFor(at: Date, intervalSeconds: number): string {
  const bucket = Math.floor(at.getTime() / 1000 / intervalSeconds) * intervalSeconds;
  return `pull-${new Date(bucket * 1000).toISOString().replace(/[:.]/g, '-')}`;
}
