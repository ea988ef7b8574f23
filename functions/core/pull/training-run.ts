/**
 * Model training that scales past what one invocation can train: a run covers every series in a
 * fixed order, in bounded batches (p-limit concurrency inside a batch), with a cursor (the last
 * series done) saved after every batch. An invocation stops when its time budget would not fit
 * another batch and asks to be continued; the next one resumes after the cursor. A lease and a
 * versioned, conditional cursor write keep two invocations from training the same run at once.
 */
import pLimit from 'p-limit';
import type { SeriesRef } from './records.ts';

export interface TrainingCursor {
  runId: string;
  startedAt: string;
  /** Key of the last series done (series are processed in key order); undefined at the start. */
  after?: string;
  done: boolean;
  finishedAt?: string;
  /** Epoch ms until which the invocation that wrote this owns the run. */
  leaseUntil: number;
  processed: number;
  trained: number;
  failed: number;
  invocations: number;
  /** Optimistic concurrency: every write expects the version it read. */
  version: number;
}

export interface TrainingCursorStore {
  get(): Promise<TrainingCursor | undefined>;
  /** Writes `next` if the stored version is still `expectedVersion` (undefined: nothing stored); false otherwise. */
  put(next: TrainingCursor, expectedVersion: number | undefined): Promise<boolean>;
}

export interface TrainingBatchOptions {
  store: TrainingCursorStore;
  listSeries: () => Promise<SeriesRef[]>;
  /** Trains one series; true when a model was written. A throw counts as a failure and the run goes on. */
  train: (series: SeriesRef) => Promise<boolean>;
  now: () => number;
  /** Epoch ms by which this invocation must have stopped (its timeout minus a margin). */
  deadline: number;
  /** Series trained at once (CPU-bound tfjs: about the vCPUs; I/O overlaps beyond that). */
  concurrency: number;
  /** Series per batch: the cursor is saved after each. */
  batchSize: number;
  /** Time one series is expected to take before any has been measured. */
  perSeriesEstimateMs: number;
  onError?: (series: SeriesRef, error: unknown) => void;
}

export type TrainingBatchResult =
  | { status: 'busy'; runId: string }
  | { status: 'continue' | 'done'; runId: string; processedNow: number; trainedNow: number; failedNow: number; remaining: number; cursor: TrainingCursor };

export const seriesKey = (s: SeriesRef): string => `${s.clusterId}\u0000${s.namespace}\u0000${s.service}`;

/**
 * One invocation's share of a training run. Starts a run when none is in progress (the schedule
 * decides how often), resumes one that is, returns `continue` when series remain.
 */
export async function runTrainingBatch(o: TrainingBatchOptions): Promise<TrainingBatchResult> {
  const stored = await o.store.get();
  const now = o.now();
  if (stored && !stored.done && stored.leaseUntil > now) return { status: 'busy', runId: stored.runId };
  let cursor: TrainingCursor =
    stored && !stored.done
      ? { ...stored, leaseUntil: o.deadline, invocations: stored.invocations + 1, version: stored.version + 1 }
      : {
          runId: new Date(now).toISOString(),
          startedAt: new Date(now).toISOString(),
          done: false,
          leaseUntil: o.deadline,
          processed: 0,
          trained: 0,
          failed: 0,
          invocations: 1,
          version: (stored?.version ?? 0) + 1,
        };
  if (!(await o.store.put(cursor, stored?.version))) return { status: 'busy', runId: cursor.runId };

  const all = (await o.listSeries()).map((s) => ({ s, key: seriesKey(s) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const pending = cursor.after === undefined ? all : all.filter((x) => x.key > cursor.after!);
  const limit = pLimit(Math.max(1, o.concurrency));
  let processedNow = 0;
  let trainedNow = 0;
  let failedNow = 0;
  let batchEstimateMs = o.perSeriesEstimateMs * Math.ceil(o.batchSize / Math.max(1, o.concurrency));
  let i = 0;
  while (i < pending.length) {
    // The first batch always runs: every invocation makes progress, so a continuation can never loop idle.
    if (processedNow > 0 && o.now() + batchEstimateMs > o.deadline) break;
    const batch = pending.slice(i, i + o.batchSize);
    const started = o.now();
    const results = await Promise.all(
      batch.map(({ s }) =>
        limit(async () => {
          try {
            return (await o.train(s)) ? 'trained' : 'skipped';
          } catch (error) {
            o.onError?.(s, error);
            return 'failed';
          }
        }),
      ),
    );
    // The slowest batch so far decides whether the next one still fits.
    batchEstimateMs = Math.max(batchEstimateMs * 0.5, o.now() - started);
    i += batch.length;
    processedNow += batch.length;
    trainedNow += results.filter((r) => r === 'trained').length;
    failedNow += results.filter((r) => r === 'failed').length;
    const next: TrainingCursor = {
      ...cursor,
      after: batch[batch.length - 1].key,
      processed: cursor.processed + batch.length,
      trained: cursor.trained + results.filter((r) => r === 'trained').length,
      failed: cursor.failed + results.filter((r) => r === 'failed').length,
      version: cursor.version + 1,
    };
    if (!(await o.store.put(next, cursor.version))) return { status: 'busy', runId: cursor.runId };
    cursor = next;
  }
  const remaining = pending.length - i;
  if (remaining === 0) {
    const finished: TrainingCursor = { ...cursor, done: true, finishedAt: new Date(o.now()).toISOString(), leaseUntil: 0, version: cursor.version + 1 };
    if (!(await o.store.put(finished, cursor.version))) return { status: 'busy', runId: cursor.runId };
    cursor = finished;
  } else {
    // Hand the run over now: the continuation need not wait for this lease to expire.
    const released: TrainingCursor = { ...cursor, leaseUntil: 0, version: cursor.version + 1 };
    if (await o.store.put(released, cursor.version)) cursor = released;
  }
  return { status: remaining === 0 ? 'done' : 'continue', runId: cursor.runId, processedNow, trainedNow, failedNow, remaining, cursor };
}
