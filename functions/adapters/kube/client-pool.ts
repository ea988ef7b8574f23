/**
 * One client per cluster, reused across invocations of a warm Lambda. Rebuilt when the
 * credentials version changes, dropped after idle time. Eviction is lazy (on access), so there
 * are no timers to keep a Lambda or a test process alive.
 */

export interface ClientPoolOptions<T> {
  /** Idle time after which a client is dropped; default 10 minutes. */
  idleMs?: number;
  /** Milliseconds clock; default Date.now. */
  now?: () => number;
  /** Called for clients that are replaced or evicted. Errors are ignored. */
  dispose?: (client: T) => void | Promise<void>;
}

interface Entry<T> {
  version: string;
  client: Promise<T>;
  lastUsed: number;
}

export const DEFAULT_IDLE_MS = 10 * 60_000;

export class ClientPool<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly disposeFn?: (client: T) => void | Promise<void>;

  constructor(options: ClientPoolOptions<T> = {}) {
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.now = options.now ?? Date.now;
    this.disposeFn = options.dispose;
  }

  /**
   * The client for `clusterId` at credentials `version`, built with `build` when missing, stale
   * or idle too long. Concurrent callers share one in-flight build; a failed build is not cached.
   */
  get(clusterId: string, version: string, build: () => Promise<T>): Promise<T> {
    this.sweep();
    const now = this.now();
    const existing = this.entries.get(clusterId);
    if (existing && existing.version === version) {
      existing.lastUsed = now;
      return existing.client;
    }
    if (existing) this.drop(clusterId, existing);
    const entry: Entry<T> = { version, client: Promise.resolve().then(build), lastUsed: now };
    this.entries.set(clusterId, entry);
    entry.client.catch(() => {
      if (this.entries.get(clusterId) === entry) this.entries.delete(clusterId);
    });
    return entry.client;
  }

  /** Forget a cluster (deleted or credentials rotated). */
  evict(clusterId: string): void {
    const entry = this.entries.get(clusterId);
    if (entry) this.drop(clusterId, entry);
  }

  /** Drop every client idle for longer than idleMs. */
  sweep(): void {
    const cutoff = this.now() - this.idleMs;
    for (const [id, entry] of this.entries) {
      if (entry.lastUsed <= cutoff) this.drop(id, entry);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  has(clusterId: string): boolean {
    return this.entries.has(clusterId);
  }

  private drop(clusterId: string, entry: Entry<T>): void {
    if (this.entries.get(clusterId) === entry) this.entries.delete(clusterId);
    const dispose = this.disposeFn;
    if (dispose) {
      entry.client.then((c) => dispose(c)).catch(() => undefined);
    }
  }
}
