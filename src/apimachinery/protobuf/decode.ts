/**
 * @module Decodes a Kubernetes protobuf body (`k8s\0` + runtime.Unknown) into the JSON object kube-apiserver
 * would decode, driven by the message tables: pointer fields kept as sent, zero value-type fields dropped.
 */
import { newBadRequest, newUnsupportedMediaType } from '../errors.js';
import { scalars } from './schema.js';
import { messages, topLevel } from './table/index.js';
import { parseJSON, wellKnown } from './well-known.js';
import { lastField, readFields, WireReader, type WireField } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const malformed = (why: string) => newBadRequest(`unable to decode protobuf body: ${why}`);

/** The table message a top-level apiVersion/kind decodes as ("apps/v1" Deployment → "apps.v1.Deployment"). */
export function messageFor(apiVersion: string, kind: string): string | undefined {
  if (kind === 'DeleteOptions') return 'meta.v1.DeleteOptions';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const name = `${group === '' ? 'core' : group.split('.')[0]}.${version}.${kind}`;
  return topLevel.has(name) ? name : undefined;
}

/** Decodes a whole request body: the envelope, then the object its TypeMeta names. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(PROTOBUF_MAGIC)) {
    throw newBadRequest('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const f of readFields(body.subarray(4))) {
    if (f.num === 1) {
      for (const t of readFields(bytes(f))) {
        if (t.num === 1) apiVersion = bytes(t).toString('utf8');
        if (t.num === 2) kind = bytes(t).toString('utf8');
      }
    } else if (f.num === 2) raw = bytes(f);
    else if (f.num === 3 && bytes(f).length > 0) throw malformed(`unsupported contentEncoding "${bytes(f).toString('utf8')}"`);
  }
  if (kind === '') throw newBadRequest(`Object 'Kind' is missing in '${apiVersion}'`);
  const name = messageFor(apiVersion, kind);
  if (name === undefined) throw newUnsupportedMediaType(`${PROTOBUF_MEDIA_TYPE} (${kind} in ${apiVersion || 'v1'})`);
  return { apiVersion, kind, ...(decodeMessage(name, raw) as Record<string, unknown>) };
}

function bytes(f: WireField): Buffer {
  if (f.wire !== 2) throw malformed(`field ${f.num} is not length-delimited`);
  return f.value as Buffer;
}

/** One message's JSON; the well-known apimachinery types have their own forms. */
export function decodeMessage(name: string, buf: Buffer): unknown {
  const special = wellKnown[name];
  if (special) return special(readFields(buf));
  if (name === 'runtime.RawExtension') return rawExtension(buf);
  const spec = messages[name];
  if (spec === undefined) throw malformed(`no schema for message ${name}`);
  const out: Record<string, unknown> = {};
  const inlined: Record<string, unknown>[] = [];
  for (const f of readFields(buf)) {
    const field = spec[f.num];
    if (field === undefined) continue;
    const [key, type, kind] = field;
    if (kind === 'm') {
      const [k, v] = mapEntry(bytes(f), type);
      ((out[key] ??= {}) as Record<string, unknown>)[k] = v;
    } else if (kind === 'r') {
      ((out[key] ??= []) as unknown[]).push(...repeated(type, f));
    } else if (kind === 'i') {
      inlined.push(decodeMessage(type, bytes(f)) as Record<string, unknown>);
    } else {
      out[key] = value(type, f);
    }
  }
  for (const [key, , kind] of Object.values(spec)) {
    if (out[key] === undefined || (kind !== undefined && isEmpty(out[key]))) delete out[key];
  }
  return Object.assign(out, ...inlined);
}

/** Zero as Go's omitempty sees it, and the empty objects value-type structs decode to. */
const isEmpty = (v: unknown) => v === '' || v === 0 || v === false
  || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0);

function value(type: string, f: WireField): unknown {
  if (!scalars.has(type)) return decodeMessage(type, bytes(f));
  switch (type) {
    case 'string': return bytes(f).toString('utf8');
    case 'bytes': return bytes(f).toString('base64');
    default: {
      if (f.wire !== 0) throw malformed(`field ${f.num} is not a varint`);
      const v = f.value as bigint;
      return type === 'bool' ? v !== 0n : Number(BigInt.asIntN(type === 'int32' ? 32 : 64, v));
    }
  }
}

/** A repeated field's values: one record per element, or numbers packed into one length-delimited record. */
function repeated(type: string, f: WireField): unknown[] {
  const packable = type === 'int32' || type === 'int64' || type === 'bool';
  if (!packable || f.wire !== 2) return [value(type, f)];
  const r = new WireReader(f.value as Buffer);
  const out: unknown[] = [];
  while (!r.done) out.push(value(type, { num: f.num, wire: 0, value: r.varint() }));
  return out;
}

/** A map entry {1 key, 2 value}; a missing value is the type's zero (map values are strings, bytes or messages). */
function mapEntry(buf: Buffer, type: string): [string, unknown] {
  let key = '';
  let val: unknown;
  for (const f of readFields(buf)) {
    if (f.num === 1) key = bytes(f).toString('utf8');
    if (f.num === 2) val = value(type, f);
  }
  return [key, val ?? (scalars.has(type) ? '' : decodeMessage(type, Buffer.alloc(0)))];
}

/** runtime.RawExtension {1 raw}: JSON, or a nested protobuf envelope. */
function rawExtension(buf: Buffer): unknown {
  const raw = lastField(readFields(buf), 1);
  if (raw === undefined || bytes(raw).length === 0) return undefined;
  const data = bytes(raw);
  return data.subarray(0, 4).equals(PROTOBUF_MAGIC) ? decodeProtobuf(data) : parseJSON(data, 'raw extension');
}
