/**
 * @module Test-only protobuf encoder driven by the same tables: JSON objects to the bytes Go would send,
 * value-type fields always written (zero when absent), as the generated marshalers do.
 */
import { PROTOBUF_MAGIC } from './decode.js';
import { messages } from './table/index.js';
import { delimited, tag, varint } from './writer.js';

/** One field value's record(s). */
function encodeValue(num: number, type: string, v: unknown): Buffer {
  switch (type) {
    case 'string': return delimited(num, Buffer.from(v as string, 'utf8'));
    case 'bytes': return delimited(num, Buffer.from(v as string, 'base64'));
    case 'bool': return Buffer.concat([tag(num, 0), varint(v ? 1n : 0n)]);
    case 'int32': case 'int64': return Buffer.concat([tag(num, 0), varint(BigInt(v as number))]);
    default: return delimited(num, encodeMessage(type, v));
  }
}

/** The zero a value-type scalar is sent as; undefined for messages (an empty message then). */
const zeroOf = (type: string): unknown => ({ string: '', bytes: '', bool: false, int32: 0, int64: 0 } as Record<string, unknown>)[type];

/** A message's bytes; the well-known types take their JSON forms (times as RFC 3339). */
export function encodeMessage(name: string, v: unknown): Buffer {
  const time = (s: string | undefined) => {
    if (s === undefined) return Buffer.alloc(0);
    const ms = Date.parse(s);
    const nanos = Number((/\.(\d+)Z$/.exec(s)?.[1] ?? '0').padEnd(9, '0'));
    return Buffer.concat([encodeValue(1, 'int64', Math.floor(ms / 1000)), encodeValue(2, 'int32', nanos)]);
  };
  switch (name) {
    case 'meta.v1.Time': case 'meta.v1.MicroTime': return time(v as string | undefined);
    case 'meta.v1.FieldsV1': case 'runtime.RawExtension':
      return v === undefined ? Buffer.alloc(0) : encodeValue(1, 'bytes', Buffer.from(JSON.stringify(v)).toString('base64'));
    case 'resource.Quantity': return encodeValue(1, 'string', v ?? '');
    case 'intstr.IntOrString':
      return typeof v === 'string'
        ? Buffer.concat([encodeValue(1, 'int64', 1), encodeValue(2, 'int32', 0), encodeValue(3, 'string', v)])
        : Buffer.concat([encodeValue(1, 'int64', 0), encodeValue(2, 'int32', v ?? 0), encodeValue(3, 'string', '')]);
  }
  const spec = messages[name];
  if (spec === undefined) throw new Error(`no table entry for ${name}`);
  const obj = (v ?? {}) as Record<string, unknown>;
  const parts: Buffer[] = [];
  for (const [num, [key, type, kind]] of Object.entries(spec).map(([n, f]) => [Number(n), f] as const)) {
    const val = obj[key];
    if (kind === 'r') for (const item of (val as unknown[] | undefined) ?? []) parts.push(encodeValue(num, type, item));
    else if (kind === 'm') {
      for (const [k, item] of Object.entries((val as Record<string, unknown> | undefined) ?? {})) {
        parts.push(delimited(num, Buffer.concat([encodeValue(1, 'string', k), encodeValue(2, type, item)])));
      }
    } else if (kind === 'i') parts.push(encodeValue(num, type, obj));
    else if (val !== undefined) parts.push(encodeValue(num, type, val));
    else if (kind === 'v') parts.push(encodeValue(num, type, zeroOf(type)));
  }
  return Buffer.concat(parts);
}

/** A whole request body: magic, runtime.Unknown {TypeMeta, raw, contentEncoding, contentType}. */
export function encodeProtobuf(message: string, obj: { apiVersion: string; kind: string } & Record<string, unknown>): Buffer {
  const typeMeta = Buffer.concat([encodeValue(1, 'string', obj.apiVersion), encodeValue(2, 'string', obj.kind)]);
  const unknown = Buffer.concat([delimited(1, typeMeta), delimited(2, encodeMessage(message, obj)),
    encodeValue(3, 'string', ''), encodeValue(4, 'string', '')]);
  return Buffer.concat([PROTOBUF_MAGIC, unknown]);
}
