// Event recorder: core/v1 Events with real reasons, aggregated (count, lastTimestamp) like the kubelet's recorder.
import { randomBytes } from 'node:crypto';
import type { Store } from './store.ts';
import { nowIso, type Obj } from './util.ts';

export interface EventSource {
  component: string;
  host?: string;
}

const KIND_API: Record<string, string> = {
  Pod: 'v1',
  Node: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
};

export class EventRecorder {
  private readonly store: Store;
  private readonly index = new Map<string, string>(); // dedupe key -> "ns/name"

  constructor(store: Store) {
    this.store = store;
  }

  record(involved: Obj, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource, fieldPath?: string): void {
    const kind = involved.kind as string;
    const ns = involved.metadata?.namespace ?? 'default';
    const key = `${involved.metadata?.uid}|${type}|${reason}|${message}|${fieldPath ?? ''}`;
    const now = nowIso();
    const existingRef = this.index.get(key);
    if (existingRef) {
      const [ens, ename] = existingRef.split('/');
      const ev = this.store.get('events', ens, ename);
      if (ev) {
        ev.count = (ev.count ?? 1) + 1;
        ev.lastTimestamp = now;
        this.store.update('events', ev);
        return;
      }
    }
    const name = `${involved.metadata?.name}.${randomBytes(8).toString('hex')}`;
    const ev: Obj = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: {
        kind,
        namespace: involved.metadata?.namespace,
        name: involved.metadata?.name,
        uid: involved.metadata?.uid,
        apiVersion: KIND_API[kind] ?? 'v1',
        resourceVersion: involved.metadata?.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      source,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    };
    this.store.create('events', ev);
    this.index.set(key, `${ns}/${name}`);
  }

  /** Drops events older than `maxAgeMs` and keeps at most `max` events. */
  prune(maxAgeMs = 60 * 60 * 1000, max = 3000): void {
    const all = this.store.list('events');
    const cutoff = Date.now() - maxAgeMs;
    const old = all.filter((e) => Date.parse(e.lastTimestamp ?? e.metadata.creationTimestamp) < cutoff);
    const keep = all.filter((e) => !old.includes(e));
    if (keep.length > max) {
      keep.sort((a, b) => Date.parse(a.lastTimestamp) - Date.parse(b.lastTimestamp));
      old.push(...keep.slice(0, keep.length - max));
    }
    if (!old.length) return;
    for (const e of old) this.store.delete('events', e.metadata.namespace, e.metadata.name);
    const gone = new Set(old.map((e) => `${e.metadata.namespace}/${e.metadata.name}`));
    for (const [k, v] of this.index) if (gone.has(v)) this.index.delete(k);
  }
}
