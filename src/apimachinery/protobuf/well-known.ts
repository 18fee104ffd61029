/**
 * @module JSON forms of the apimachinery messages with custom JSON: Time and MicroTime (RFC 3339),
 * FieldsV1 (raw JSON), IntOrString (number or string), Quantity (string).
 */
import { newBadRequest } from '../errors.js';
import { lastField, type WireField } from './wire.js';

const varintOf = (fields: WireField[], num: number): bigint => {
  const f = lastField(fields, num);
  if (f === undefined) return 0n;
  if (f.wire !== 0) throw newBadRequest(`unable to decode protobuf body: field ${num} is not a varint`);
  return f.value as bigint;
};
const bytesOf = (fields: WireField[], num: number): Buffer | undefined => {
  const f = lastField(fields, num);
  if (f !== undefined && f.wire !== 2) throw newBadRequest(`unable to decode protobuf body: field ${num} is not length-delimited`);
  return f?.value as Buffer | undefined;
};

/** seconds/nanos as UTC RFC 3339 with `digits` fractional digits (0 or 6); an empty message is Go's zero time (null). */
function timestamp(fields: WireField[], digits: 0 | 6): string | undefined {
  if (fields.length === 0) return undefined;
  const seconds = BigInt.asIntN(64, varintOf(fields, 1));
  const nanos = Number(BigInt.asIntN(32, varintOf(fields, 2)));
  const ms = Number(seconds) * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw newBadRequest(`unable to decode protobuf body: time out of range (${seconds}s)`);
  const whole = new Date(ms).toISOString().replace(/\.\d{3}Z$/, '');
  return digits === 0 ? `${whole}Z` : `${whole}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

export function parseJSON(raw: Buffer, what: string): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw newBadRequest(`unable to decode protobuf body: ${what} is not JSON: ${(e as Error).message}`);
  }
}

/** Converters by message name; each gets the message's wire fields and returns its JSON (undefined: absent). */
export const wellKnown: Readonly<Record<string, (fields: WireField[]) => unknown>> = {
  'meta.v1.Time': (f) => timestamp(f, 0),
  'meta.v1.MicroTime': (f) => timestamp(f, 6),
  'meta.v1.FieldsV1': (f) => {
    const raw = bytesOf(f, 1);
    return raw === undefined || raw.length === 0 ? undefined : parseJSON(raw, 'fieldsV1');
  },
  'intstr.IntOrString': (f) => varintOf(f, 1) === 1n
    ? (bytesOf(f, 3) ?? Buffer.alloc(0)).toString('utf8')
    : Number(BigInt.asIntN(32, varintOf(f, 2))),
  'resource.Quantity': (f) => (bytesOf(f, 1) ?? Buffer.alloc(0)).toString('utf8'),
};
