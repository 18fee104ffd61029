/**
 * @module Decodes Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) into
 * the JSON objects the handlers work on. kubectl's typed commands (create configmap, create
 * deployment, create namespace, run, …) send this encoding. The envelope is the 4-byte magic
 * `k8s\0` and a runtime.Unknown holding apiVersion/kind and the object's own message; field
 * numbers come from upstream's generated.proto (messages.json, made by scripts/gen-protobuf.ts).
 *
 * The wire cannot tell a pointer field from a value field, so empty strings and zero timestamps
 * are dropped (as omitempty would), while numbers and booleans are kept as sent.
 */
import { createRequire } from 'node:module';

interface Table { files: string[]; mapEntries: string[]; messages: Record<string, [number, string, number, string | null, number][]> }

const table = createRequire(import.meta.url)('./messages.json') as Table;
const mapEntries = new Set(table.mapEntries);

interface Field { name: string; type: number; typeName: string | null; repeated: boolean }
const byNumber = new Map<string, Map<number, Field>>();
function fieldsOf(message: string): Map<number, Field> {
  let m = byNumber.get(message);
  if (!m) {
    const rows = table.messages[message];
    if (!rows) throw new ProtobufError(`unknown protobuf message ${message}`);
    m = new Map(rows.map(([n, name, type, typeName, rep]) => [n, { name, type, typeName, repeated: rep === 1 }]));
    byNumber.set(message, m);
  }
  return m;
}

export class ProtobufError extends Error {}

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** The protobuf package of an API group version: core → k8s.io.api.core.v1, apps → k8s.io.api.apps.v1, … */
export function packageOf(apiVersion: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === '') return `k8s.io.api.core.${version}`;
  if (group === 'meta.k8s.io') return `k8s.io.apimachinery.pkg.apis.meta.${version}`;
  return `k8s.io.api.${group.split('.')[0]}.${version}`;
}

/** Decodes a whole protobuf body (magic + runtime.Unknown) into a JSON object with apiVersion and kind. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) throw new ProtobufError('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  const unknown = decodeMessage(body.subarray(4), 'k8s.io.apimachinery.pkg.runtime.Unknown', true) as Record<string, any>;
  const apiVersion = unknown.typeMeta?.apiVersion ?? '';
  const kind = unknown.typeMeta?.kind ?? '';
  if (!kind) throw new ProtobufError(`Object 'Kind' is missing in protobuf data`);
  if (unknown.contentEncoding) throw new ProtobufError(`unsupported content encoding ${unknown.contentEncoding}`);
  const message = `${packageOf(apiVersion)}.${kind}`;
  if (!table.messages[message] && !table.messages[`${META}.${kind}`]) throw new ProtobufError(`no kind "${kind}" is registered for version "${apiVersion}"`);
  const obj = decodeMessage(unknown.raw ?? Buffer.alloc(0), table.messages[message] ? message : `${META}.${kind}`) as Record<string, unknown>;
  return { apiVersion, kind, ...obj };
}

class Reader {
  i = 0;
  constructor(readonly buf: Buffer) {}
  get done() { return this.i >= this.buf.length; }
  varint(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (this.i >= this.buf.length) throw new ProtobufError('truncated protobuf varint');
      const b = this.buf[this.i++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
      if (shift > 70n) throw new ProtobufError('protobuf varint too long');
    }
  }
  bytes(n: number): Buffer {
    if (this.i + n > this.buf.length) throw new ProtobufError('truncated protobuf field');
    const b = this.buf.subarray(this.i, this.i + n);
    this.i += n;
    return b;
  }
}

// descriptor.proto's FieldDescriptorProto.Type
const T = { double: 1, float: 2, int64: 3, uint64: 4, int32: 5, fixed64: 6, fixed32: 7, bool: 8, string: 9, message: 11, bytes: 12, uint32: 13, enum: 14, sfixed32: 15, sfixed64: 16, sint32: 17, sint64: 18 };

function scalar(type: number, wire: number, r: Reader): unknown {
  if (wire === 0) {
    const v = r.varint();
    switch (type) {
      case T.bool: return v !== 0n;
      case T.int32: case T.enum: return Number(BigInt.asIntN(32, v));
      case T.int64: return Number(BigInt.asIntN(64, v));
      case T.sint32: case T.sint64: return Number((v >> 1n) ^ -(v & 1n));
      default: return Number(v);
    }
  }
  if (wire === 1) {
    const b = r.bytes(8);
    return type === T.double ? b.readDoubleLE(0) : type === T.sfixed64 ? Number(b.readBigInt64LE(0)) : Number(b.readBigUInt64LE(0));
  }
  if (wire === 5) {
    const b = r.bytes(4);
    return type === T.float ? b.readFloatLE(0) : type === T.sfixed32 ? b.readInt32LE(0) : b.readUInt32LE(0);
  }
  throw new ProtobufError(`unexpected wire type ${wire} for a scalar`);
}

function skip(wire: number, r: Reader): void {
  if (wire === 0) r.varint();
  else if (wire === 1) r.bytes(8);
  else if (wire === 2) r.bytes(Number(r.varint()));
  else if (wire === 5) r.bytes(4);
  else throw new ProtobufError(`unsupported protobuf wire type ${wire}`);
}

/** Decodes one message into JSON, with Kubernetes' special types turned into their JSON forms. */
function decodeMessage(buf: Buffer, message: string, raw = false): unknown {
  const fields = fieldsOf(message);
  const out: Record<string, any> = {};
  const r = new Reader(buf);
  while (!r.done) {
    const key = Number(r.varint());
    const num = key >>> 3;
    const wire = key & 7;
    const f = fields.get(num);
    if (!f) { skip(wire, r); continue; }
    const values: unknown[] = [];
    if (f.type === T.message || f.type === T.string || f.type === T.bytes) {
      if (wire !== 2) throw new ProtobufError(`field ${f.name} of ${message}: wire type ${wire}`);
      const b = r.bytes(Number(r.varint()));
      if (f.type === T.string) values.push(b.toString('utf8'));
      else if (f.type === T.bytes) values.push(raw ? Buffer.from(b) : b.toString('base64'));
      else values.push(mapEntries.has(f.typeName!) ? decodeMapEntry(b, f.typeName!) : convert(decodeMessage(b, f.typeName!, true), f.typeName!));
    } else if (wire === 2) {
      const packed = new Reader(r.bytes(Number(r.varint())));
      const w = f.type === T.double || f.type === T.fixed64 || f.type === T.sfixed64 ? 1 : f.type === T.float || f.type === T.fixed32 || f.type === T.sfixed32 ? 5 : 0;
      while (!packed.done) values.push(scalar(f.type, w, packed));
    } else {
      values.push(scalar(f.type, wire, r));
    }
    for (const v of values) {
      if (mapEntries.has(f.typeName ?? '')) {
        const [k, val] = v as [string, unknown];
        (out[f.name] ??= {})[k] = val;
      } else if (f.repeated) {
        (out[f.name] ??= []).push(v);
      } else {
        out[f.name] = v;
      }
    }
  }
  if (!raw) return convert(out, message);
  return out;
}

function decodeMapEntry(buf: Buffer, entry: string): [string, unknown] {
  const e = decodeMessage(buf, entry, true) as Record<string, unknown>;
  const valueField = fieldsOf(entry).get(2)!;
  let value = e.value;
  if (value === undefined) value = valueField.type === T.string ? '' : valueField.type === T.bytes ? '' : valueField.type === T.message ? convert({}, valueField.typeName!) : 0;
  else if (Buffer.isBuffer(value)) value = value.toString('base64');
  return [String(e.key ?? ''), value];
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function rfc3339(seconds: number, nanos: number, micro: boolean): string {
  const d = new Date(seconds * 1000);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return micro ? `${base}.${pad(Math.floor(nanos / 1000), 6)}Z` : `${base}Z`;
}

function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let rest = Math.abs(ns);
  const h = Math.floor(rest / 3.6e12); rest -= h * 3.6e12;
  const m = Math.floor(rest / 6e10); rest -= m * 6e10;
  const s = rest / 1e9;
  const out = h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`;
  return neg ? `-${out}` : out;
}

/** Kubernetes' types with a JSON form unlike their protobuf message; empty strings dropped. */
function convert(v: any, message: string): unknown {
  switch (message) {
    case `${META}.Time`: case `${META}.MicroTime`:
      return !v.seconds && !v.nanos ? undefined : rfc3339(v.seconds ?? 0, v.nanos ?? 0, message.endsWith('MicroTime'));
    case `${META}.Duration`: return goDuration(v.duration ?? 0);
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString': return v.type === 1 ? (v.strVal ?? '') : (v.intVal ?? 0);
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity': return v.string ?? '0';
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension': return v.raw?.length ? JSON.parse(Buffer.from(v.raw).toString('utf8')) : undefined;
    case `${META}.FieldsV1`: return v.Raw?.length ? JSON.parse(Buffer.from(v.Raw).toString('utf8')) : {};
    case `${META}.Verbs`: case 'k8s.io.api.authentication.v1.ExtraValue': case 'k8s.io.api.authorization.v1.ExtraValue':
    case 'k8s.io.api.certificates.v1.ExtraValue':
      return v.items ?? [];
  }
  // ObjectMeta.generation is a value on the wire but server-owned: 0 means unset.
  if (message === `${META}.ObjectMeta` && v.generation === 0) delete v.generation;
  for (const k of Object.keys(v)) {
    if (v[k] === '' || v[k] === undefined) delete v[k];
    else if (Buffer.isBuffer(v[k])) v[k] = v[k].toString('base64');
  }
  return v;
}
