// Patch application: JSON merge patch (RFC 7386), a pragmatic strategic merge patch, and JSON patch (RFC 6902).
import { clone, type Obj } from './util.ts';

export class PatchError extends Error {}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: Obj = target && typeof target === 'object' && !Array.isArray(target) ? clone(target as Obj) : {};
  for (const [k, v] of Object.entries(patch as Obj)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Merge keys used by the strategic merge patch for well-known lists. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
  tolerations: 'key',
  hostAliases: 'ip',
  volumeDevices: 'devicePath',
};

export function strategicMergePatch(target: unknown, patch: unknown, key?: string): unknown {
  if (patch === null || typeof patch !== 'object') return clone(patch);
  if (Array.isArray(patch)) {
    const mk = key ? MERGE_KEYS[key] : undefined;
    if (!mk || !Array.isArray(target) || !patch.every((p) => p && typeof p === 'object')) return clone(patch);
    const out: Obj[] = clone(target as Obj[]);
    for (const item of patch as Obj[]) {
      // Service ports merge by "port", container ports by "containerPort".
      const k = mk === 'containerPort' && item.containerPort === undefined && item.port !== undefined ? 'port' : mk;
      const idx = out.findIndex((o) => o && o[k] === item[k]);
      if (item.$patch === 'delete') {
        if (idx >= 0) out.splice(idx, 1);
        continue;
      }
      if (idx >= 0) out[idx] = strategicMergePatch(out[idx], item) as Obj;
      else out.push(strategicMergePatch(undefined, item) as Obj);
    }
    return out;
  }
  const p = patch as Obj;
  if (p.$patch === 'replace') {
    const r = clone(p);
    delete r.$patch;
    return r;
  }
  if (p.$patch === 'delete') return undefined;
  const out: Obj = target && typeof target === 'object' && !Array.isArray(target) ? clone(target as Obj) : {};
  for (const [k, v] of Object.entries(p)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[f]) && Array.isArray(v)) out[f] = out[f].filter((x: unknown) => !v.includes(x));
      continue;
    }
    if (v === null) delete out[k];
    else {
      const r = strategicMergePatch(out[k], v, k);
      if (r === undefined) delete out[k];
      else out[k] = r;
    }
  }
  return out;
}

function unescapePtr(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map(unescapePtr);
}

function getAt(doc: unknown, parts: string[]): unknown {
  let cur: any = doc;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') throw new PatchError(`path not found: /${parts.join('/')}`);
    if (Array.isArray(cur)) {
      const i = Number(p);
      if (!Number.isInteger(i) || i < 0 || i >= cur.length) throw new PatchError(`path not found: /${parts.join('/')}`);
      cur = cur[i];
    } else {
      if (!(p in cur)) throw new PatchError(`path not found: /${parts.join('/')}`);
      cur = cur[p];
    }
  }
  return cur;
}

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array of operations');
  let root: any = clone(doc);
  for (const op of ops as Obj[]) {
    const parts = parsePointer(String(op.path ?? ''));
    const apply = (fn: (parent: any, key: string) => void): void => {
      if (parts.length === 0) throw new PatchError('operation on document root not supported');
      const parent = getAt(root, parts.slice(0, -1));
      if (parent === null || typeof parent !== 'object') throw new PatchError(`path not found: ${op.path}`);
      fn(parent, parts[parts.length - 1]);
    };
    const add = (value: unknown): void => {
      if (parts.length === 0) {
        root = clone(value);
        return;
      }
      apply((parent, key) => {
        if (Array.isArray(parent)) {
          const i = key === '-' ? parent.length : Number(key);
          if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new PatchError(`invalid index ${key}`);
          parent.splice(i, 0, clone(value));
        } else parent[key] = clone(value);
      });
    };
    const remove = (): unknown => {
      let removed: unknown;
      apply((parent, key) => {
        if (Array.isArray(parent)) {
          const i = Number(key);
          if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw new PatchError(`path not found: ${op.path}`);
          removed = parent.splice(i, 1)[0];
        } else {
          if (!(key in parent)) throw new PatchError(`path not found: ${op.path}`);
          removed = parent[key];
          delete parent[key];
        }
      });
      return removed;
    };
    switch (op.op) {
      case 'add':
        add(op.value);
        break;
      case 'remove':
        remove();
        break;
      case 'replace':
        if (parts.length === 0) root = clone(op.value);
        else {
          getAt(root, parts); // must exist
          remove();
          add(op.value);
        }
        break;
      case 'move': {
        const from = parsePointer(String(op.from ?? ''));
        const v = clone(getAt(root, from));
        root = removeAt(root, from);
        add(v);
        break;
      }
      case 'copy': {
        const v = getAt(root, parsePointer(String(op.from ?? '')));
        add(v);
        break;
      }
      case 'test': {
        const v = getAt(root, parts);
        if (JSON.stringify(v) !== JSON.stringify(op.value)) throw new PatchError(`test operation failed at ${op.path}`);
        break;
      }
      default:
        throw new PatchError(`unknown json patch op "${op.op}"`);
    }
  }
  return root;
}

function removeAt(doc: unknown, parts: string[]): unknown {
  const path = '/' + parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
  return jsonPatch(doc, [{ op: 'remove', path }]);
}
