/**
 * @module Protobuf wire format reader: splits one message's bytes into (field number, wire type, value)
 * records; a truncated or malformed buffer is a 400 BadRequest.
 */
import { newBadRequest } from '../errors.js';

/** A varint (wire type 0) as bigint; the 8 or 4 bytes of a fixed-size value (types 1, 5) or a length-delimited slice (type 2). */
export interface WireField { num: number; wire: 0 | 1 | 2 | 5; value: bigint | Buffer }

const malformed = (why: string) => newBadRequest(`unable to decode protobuf body: ${why}`);

export class WireReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean { return this.pos >= this.buf.length; }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.buf.length) throw malformed('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    throw malformed('varint longer than 10 bytes');
  }

  bytes(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw malformed('truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  field(): WireField {
    const key = this.varint();
    const num = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (num === 0) throw malformed('field number 0');
    switch (wire) {
      case 0: return { num, wire, value: this.varint() };
      case 1: return { num, wire, value: this.bytes(8) };
      case 2: return { num, wire, value: this.bytes(Number(this.varint())) };
      case 5: return { num, wire, value: this.bytes(4) };
      default: throw malformed(`unsupported wire type ${wire}`);
    }
  }
}

/** All fields of one message, in wire order. */
export function readFields(buf: Buffer): WireField[] {
  const r = new WireReader(buf);
  const out: WireField[] = [];
  while (!r.done) out.push(r.field());
  return out;
}

/** The last record of field `num` (proto2: the last one of a non-repeated field wins). */
export function lastField(fields: WireField[], num: number): WireField | undefined {
  for (let i = fields.length - 1; i >= 0; i--) if (fields[i].num === num) return fields[i];
  return undefined;
}
