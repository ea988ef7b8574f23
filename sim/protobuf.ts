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

const DECODERS: Record<string, (f: Map<number, Field[]>) => Obj> = {
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
