// In-memory object store: objects by resource/namespace/name, a per-cluster resourceVersion counter, watches.
import { clone, nowIso, uid, type Obj } from './util.ts';
import { matchFields, matchLabels, type Requirement } from './selectors.ts';

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface WatchEvent {
  type: WatchType;
  object: Obj;
}
interface Watcher {
  resource: string;
  namespace?: string;
  cb: (ev: WatchEvent) => void;
}
interface HistoryEntry extends WatchEvent {
  resource: string;
  rv: number;
}

const GENERATION_RESOURCES = new Set(['deployments', 'replicasets', 'statefulsets', 'pods']);

export class Store {
  private rv = 1000;
  private readonly data = new Map<string, Map<string, Obj>>();
  private readonly watchers = new Set<Watcher>();
  private readonly history: HistoryEntry[] = [];

  currentRv(): string {
    return String(this.rv);
  }

  private bucket(resource: string): Map<string, Obj> {
    let b = this.data.get(resource);
    if (!b) {
      b = new Map();
      this.data.set(resource, b);
    }
    return b;
  }

  private static key(ns: string | undefined, name: string): string {
    return `${ns ?? ''}/${name}`;
  }

  get(resource: string, ns: string | undefined, name: string): Obj | undefined {
    return clone(this.bucket(resource).get(Store.key(ns, name)));
  }

  has(resource: string, ns: string | undefined, name: string): boolean {
    return this.bucket(resource).has(Store.key(ns, name));
  }

  list(resource: string, ns?: string, labels: Requirement[] = [], fields: Requirement[] = []): Obj[] {
    return this.listWhere(resource, ns, (o) => (!labels.length || matchLabels(labels, o.metadata?.labels)) && (!fields.length || matchFields(fields, o)));
  }

  /**
   * The objects `where` accepts, as copies. `where` sees the stored object (it must not change it), so that the
   * control loops' per-owner lookups copy only what they keep, not every object in the namespace.
   */
  listWhere(resource: string, ns: string | undefined, where: (stored: Readonly<Obj>) => boolean): Obj[] {
    const out: Obj[] = [];
    for (const o of this.bucket(resource).values()) {
      if (ns !== undefined && o.metadata?.namespace !== ns) continue;
      if (!where(o)) continue;
      out.push(clone(o));
    }
    out.sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
    return out;
  }

  /** Stores a new object, stamping uid, creationTimestamp, generation and resourceVersion. */
  create(resource: string, obj: Obj): Obj {
    const o = clone(obj);
    o.metadata = o.metadata ?? {};
    o.metadata.uid = o.metadata.uid ?? uid();
    o.metadata.creationTimestamp = o.metadata.creationTimestamp ?? nowIso();
    if (GENERATION_RESOURCES.has(resource)) o.metadata.generation = 1;
    o.metadata.resourceVersion = String(++this.rv);
    delete o.metadata.deletionTimestamp;
    this.bucket(resource).set(Store.key(o.metadata.namespace, o.metadata.name), o);
    this.emit(resource, 'ADDED', o);
    return clone(o);
  }

  /** Replaces an existing object (caller has checked preconditions). Bumps generation when spec changed. */
  update(resource: string, obj: Obj): Obj {
    const k = Store.key(obj.metadata.namespace, obj.metadata.name);
    const old = this.bucket(resource).get(k);
    if (!old) throw new Error(`update of missing ${resource} ${k}`);
    const o = clone(obj);
    o.metadata.uid = old.metadata.uid;
    o.metadata.creationTimestamp = old.metadata.creationTimestamp;
    if (GENERATION_RESOURCES.has(resource)) {
      const changed = resource !== 'pods' && JSON.stringify(old.spec) !== JSON.stringify(o.spec);
      o.metadata.generation = (old.metadata.generation ?? 1) + (changed ? 1 : 0);
    }
    o.metadata.resourceVersion = String(++this.rv);
    this.bucket(resource).set(k, o);
    this.emit(resource, 'MODIFIED', o);
    return clone(o);
  }

  delete(resource: string, ns: string | undefined, name: string): Obj | undefined {
    const k = Store.key(ns, name);
    const old = this.bucket(resource).get(k);
    if (!old) return undefined;
    this.bucket(resource).delete(k);
    const o = clone(old);
    o.metadata.resourceVersion = String(++this.rv);
    this.emit(resource, 'DELETED', o);
    return clone(o);
  }

  private emit(resource: string, type: WatchType, object: Obj): void {
    this.history.push({ resource, type, object: clone(object), rv: this.rv });
    if (this.history.length > 3000) this.history.splice(0, this.history.length - 3000);
    for (const w of this.watchers) {
      if (w.resource !== resource) continue;
      if (w.namespace !== undefined && object.metadata?.namespace !== w.namespace) continue;
      try {
        w.cb({ type, object: clone(object) });
      } catch {
        /* a broken watcher must not break writes */
      }
    }
  }

  /** Subscribes to changes; replays history after `sinceRv` when it is still buffered. */
  watch(resource: string, namespace: string | undefined, sinceRv: number | undefined, cb: (ev: WatchEvent) => void): () => void {
    if (sinceRv !== undefined) {
      for (const h of this.history) {
        if (h.rv > sinceRv && h.resource === resource && (namespace === undefined || h.object.metadata?.namespace === namespace)) {
          cb({ type: h.type, object: clone(h.object) });
        }
      }
    }
    const w: Watcher = { resource, namespace, cb };
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }
}
