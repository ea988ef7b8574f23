// Decodes the Kubernetes protobuf encoding for the kinds clients send that way: helm's release storage
// writes Secrets (and ConfigMaps with HELM_DRIVER=configmap) with `application/vnd.kubernetes.protobuf`.
// Responses stay JSON, which every client accepts.
import type { Obj } from './util.ts';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

export class ProtobufError extends Error {}

type Field = { wire: number; value: bigint | Buffer };

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new ProtobufError('truncated varint');
    const byte = buf[pos++];
    result |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [result, pos];
    shift += 7n;
    if (shift > 63n) throw new ProtobufError('varint too long');
  }
}

function fields(buf: Buffer): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = readVarint(buf, pos);
    pos = next;
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: bigint | Buffer;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 2) {
      const [length, start] = readVarint(buf, pos);
      const end = start + Number(length);
      if (end > buf.length) throw new ProtobufError('truncated field');
      value = buf.subarray(start, end);
      pos = end;
    } else if (wire === 1) {
      value = buf.subarray(pos, pos + 8);
      pos += 8;
    } else if (wire === 5) {
      value = buf.subarray(pos, pos + 4);
      pos += 4;
    } else throw new ProtobufError(`unsupported wire type ${wire}`);
    out.set(number, [...(out.get(number) ?? []), { wire, value }]);
  }
  return out;
}

const bytesOf = (f: Map<number, Field[]>, n: number): Buffer | undefined => {
  const v = f.get(n)?.at(-1)?.value;
  return Buffer.isBuffer(v) ? v : undefined;
};
const stringOf = (f: Map<number, Field[]>, n: number): string | undefined => bytesOf(f, n)?.toString('utf8');
const varintOf = (f: Map<number, Field[]>, n: number): bigint | undefined => {
  const v = f.get(n)?.at(-1)?.value;
  return typeof v === 'bigint' ? v : undefined;
};

function mapOf(f: Map<number, Field[]>, n: number, valueAs: 'string' | 'base64'): Record<string, string> | undefined {
  const entries = f.get(n);
  if (!entries) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const entry = fields(e.value as Buffer);
    const value = bytesOf(entry, 2) ?? Buffer.alloc(0);
    out[stringOf(entry, 1) ?? ''] = valueAs === 'base64' ? value.toString('base64') : value.toString('utf8');
  }
  return out;
}

function objectMeta(buf: Buffer | undefined): Obj {
  if (!buf) return {};
  const f = fields(buf);
  const meta: Obj = {};
  for (const [n, key] of [
    [1, 'name'],
    [2, 'generateName'],
    [3, 'namespace'],
    [5, 'uid'],
    [6, 'resourceVersion'],
  ] as const) {
    const v = stringOf(f, n);
    if (v) meta[key] = v;
  }
  const labels = mapOf(f, 11, 'string');
  if (labels) meta.labels = labels;
  const annotations = mapOf(f, 12, 'string');
  if (annotations) meta.annotations = annotations;
  const finalizers = f.get(14)?.map((e) => (e.value as Buffer).toString('utf8'));
  if (finalizers?.length) meta.finalizers = finalizers;
  return meta;
}

const stringsOf = (f: Map<number, Field[]>, n: number): string[] => (f.get(n) ?? []).map((e) => (e.value as Buffer).toString('utf8'));
const messagesOf = (f: Map<number, Field[]>, n: number): Map<number, Field[]>[] => (f.get(n) ?? []).map((e) => fields(e.value as Buffer));
const sub = (f: Map<number, Field[]>, n: number): Map<number, Field[]> | undefined => {
  const b = bytesOf(f, n);
  return b ? fields(b) : undefined;
};

/** Copies the named string fields of a message into an object (only the ones that are set). */
function strings(f: Map<number, Field[]> | undefined, names: Record<number, string>): Obj {
  const o: Obj = {};
  if (!f) return o;
  for (const [n, key] of Object.entries(names)) {
    const v = stringOf(f, Number(n));
    if (v !== undefined) o[key] = v;
  }
  return o;
}

// k8s.io/api rbac/v1 PolicyRule: verbs=1, apiGroups=2, resources=3, resourceNames=4, nonResourceURLs=5.
function policyRule(f: Map<number, Field[]>): Obj {
  const r: Obj = { verbs: stringsOf(f, 1) };
  for (const [n, key] of [
    [2, 'apiGroups'],
    [3, 'resources'],
    [4, 'resourceNames'],
    [5, 'nonResourceURLs'],
  ] as const) {
    const v = stringsOf(f, n);
    if (v.length) r[key] = v;
  }
  return r;
}

// RoleBinding / ClusterRoleBinding: metadata=1, subjects=2 (kind, apiGroup, name, namespace), roleRef=3 (apiGroup, kind, name).
function binding(f: Map<number, Field[]>): Obj {
  return {
    metadata: objectMeta(bytesOf(f, 1)),
    subjects: messagesOf(f, 2).map((s) => strings(s, { 1: 'kind', 2: 'apiGroup', 3: 'name', 4: 'namespace' })),
    roleRef: strings(sub(f, 3), { 1: 'apiGroup', 2: 'kind', 3: 'name' }),
  };
}

const role = (f: Map<number, Field[]>): Obj => ({ metadata: objectMeta(bytesOf(f, 1)), rules: messagesOf(f, 2).map(policyRule) });

const DECODERS: Record<string, (f: Map<number, Field[]>) => Obj> = {
  // kubectl's typed clients (create namespace/serviceaccount/role/…, create token, auth can-i/whoami) send these.
  Namespace: (f) => {
    const o: Obj = { metadata: objectMeta(bytesOf(f, 1)) };
    const finalizers = sub(f, 2) ? stringsOf(sub(f, 2)!, 1) : [];
    if (finalizers.length) o.spec = { finalizers };
    return o;
  },
  ServiceAccount: (f) => {
    const o: Obj = { metadata: objectMeta(bytesOf(f, 1)) };
    if (varintOf(f, 4) !== undefined) o.automountServiceAccountToken = varintOf(f, 4) === 1n;
    return o;
  },
  Role: role,
  ClusterRole: role,
  RoleBinding: binding,
  ClusterRoleBinding: binding,
  // authentication/v1 TokenRequestSpec: audiences=1, boundObjectRef=3, expirationSeconds=4.
  TokenRequest: (f) => {
    const spec = sub(f, 2);
    const o: Obj = { metadata: objectMeta(bytesOf(f, 1)), spec: {} };
    if (spec) {
      const audiences = stringsOf(spec, 1);
      if (audiences.length) o.spec.audiences = audiences;
      if (varintOf(spec, 4) !== undefined) o.spec.expirationSeconds = Number(varintOf(spec, 4));
      const ref = sub(spec, 3);
      if (ref) o.spec.boundObjectRef = strings(ref, { 1: 'kind', 2: 'apiVersion', 3: 'name', 4: 'uid' });
    }
    return o;
  },
  // authorization/v1 SelfSubjectAccessReviewSpec: resourceAttributes=1 (namespace, verb, group, version, resource,
  // subresource, name), nonResourceAttributes=2 (path, verb).
  SelfSubjectAccessReview: (f) => {
    const spec = sub(f, 2);
    const o: Obj = { metadata: objectMeta(bytesOf(f, 1)), spec: {} };
    const ra = spec && sub(spec, 1);
    const nra = spec && sub(spec, 2);
    if (ra) o.spec.resourceAttributes = strings(ra, { 1: 'namespace', 2: 'verb', 3: 'group', 4: 'version', 5: 'resource', 6: 'subresource', 7: 'name' });
    if (nra) o.spec.nonResourceAttributes = strings(nra, { 1: 'path', 2: 'verb' });
    return o;
  },
  SelfSubjectRulesReview: (f) => ({ metadata: objectMeta(bytesOf(f, 1)), spec: strings(sub(f, 2), { 1: 'namespace' }) }),
  SelfSubjectReview: (f) => ({ metadata: objectMeta(bytesOf(f, 1)) }),
  Secret: (f) => {
    const o: Obj = { metadata: objectMeta(bytesOf(f, 1)) };
    const data = mapOf(f, 2, 'base64');
    if (data) o.data = data;
    const type = stringOf(f, 3);
    if (type) o.type = type;
    const stringData = mapOf(f, 4, 'string');
    if (stringData) o.stringData = stringData;
    if (varintOf(f, 5) !== undefined) o.immutable = varintOf(f, 5) === 1n;
    return o;
  },
  ConfigMap: (f) => {
    const o: Obj = { metadata: objectMeta(bytesOf(f, 1)) };
    const data = mapOf(f, 2, 'string');
    if (data) o.data = data;
    const binaryData = mapOf(f, 3, 'base64');
    if (binaryData) o.binaryData = binaryData;
    if (varintOf(f, 4) !== undefined) o.immutable = varintOf(f, 4) === 1n;
    return o;
  },
};

/** A `k8s\0`-prefixed runtime.Unknown holding one object of a supported kind, as its JSON shape. */
export function decodeKubernetesProtobuf(body: Buffer): Obj {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new ProtobufError('missing the k8s protobuf prefix');
  const unknown = fields(body.subarray(4));
  const typeMeta = fields(bytesOf(unknown, 1) ?? Buffer.alloc(0));
  const apiVersion = stringOf(typeMeta, 1) ?? '';
  const kind = stringOf(typeMeta, 2) ?? '';
  const decode = DECODERS[kind];
  if (!decode) throw new ProtobufError(`protobuf is not supported for kind ${kind || '(none)'}`);
  return { apiVersion, kind, ...decode(fields(bytesOf(unknown, 2) ?? Buffer.alloc(0))) };
}
