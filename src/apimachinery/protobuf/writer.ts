/**
 * @module Protobuf wire format writer: varints, tags, length-delimited and fixed64 (double) records.
 */

/** A varint; negative values as their 64-bit two's complement, as Go writes int64. */
export function varint(v: bigint): Buffer {
  const out: number[] = [];
  let u = BigInt.asUintN(64, v);
  while (u >= 0x80n) { out.push(Number(u & 0x7fn) | 0x80); u >>= 7n; }
  out.push(Number(u));
  return Buffer.from(out);
}

/** A record key: field number and wire type. */
export const tag = (num: number, wire: 0 | 1 | 2 | 5): Buffer => varint(BigInt(num * 8 + wire));

/** A length-delimited record (strings, bytes, embedded messages). */
export const delimited = (num: number, b: Buffer): Buffer => Buffer.concat([tag(num, 2), varint(BigInt(b.length)), b]);

/** A double (wire type 1, little-endian IEEE 754). */
export function double(num: number, v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return Buffer.concat([tag(num, 1), b]);
}
