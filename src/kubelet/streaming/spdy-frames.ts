/**
 * @module SPDY/3.1 frames (draft 3.1, section 2.2): encoding, a parser that cuts a byte stream into
 * frames, and header blocks with their zlib framing. Pure and synchronous except inflation.
 */
import zlib from 'node:zlib';
import { SPDY_DICTIONARY } from './spdy-dictionary.js';

export const SPDY_VERSION = 3;
/** A frame's length field has 24 bits. */
export const MAX_FRAME_LENGTH = 0xff_ffff;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

const FrameType = { SynStream: 1, SynReply: 2, RstStream: 3, Settings: 4, Ping: 6, GoAway: 7, Headers: 8, WindowUpdate: 9 } as const;

/** RST_STREAM status codes. */
export const RstStatus = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, Cancel: 5, InternalError: 6 } as const;

/** Header names are lowercase on the wire; a value holding several values separates them with NUL. */
export type Headers = Record<string, string>;

export type Frame =
  | { type: 'DATA'; streamId: number; flags: number; data: Buffer }
  /** `block` is the compressed header block, as it came off the wire. */
  | { type: 'SYN_STREAM'; streamId: number; associatedId: number; priority: number; flags: number; block: Buffer }
  | { type: 'SYN_REPLY'; streamId: number; flags: number; block: Buffer }
  | { type: 'HEADERS'; streamId: number; flags: number; block: Buffer }
  | { type: 'RST_STREAM'; streamId: number; status: number }
  | { type: 'SETTINGS'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'PING'; id: number }
  | { type: 'GOAWAY'; lastGoodStreamId: number; status: number }
  | { type: 'WINDOW_UPDATE'; streamId: number; delta: number }
  /** Control frame types this side does not know; the spec says to ignore them. */
  | { type: 'UNKNOWN'; frameType: number };

export class SpdyProtocolError extends Error {}

function control(type: number, flags: number, body: Buffer): Buffer {
  if (body.length > MAX_FRAME_LENGTH) throw new SpdyProtocolError(`SPDY frame of ${body.length} bytes is too long`);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24 | body.length) >>> 0, 4);
  return Buffer.concat([head, body]);
}

export function encodeData(streamId: number, data: Buffer, flags = 0): Buffer {
  if (data.length > MAX_FRAME_LENGTH) throw new SpdyProtocolError(`SPDY data frame of ${data.length} bytes is too long`);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fff_ffff, 0);
  head.writeUInt32BE(((flags & 0xff) << 24 | data.length) >>> 0, 4);
  return Buffer.concat([head, data]);
}

export function encodeSynStream(streamId: number, block: Buffer, flags = 0, priority = 0): Buffer {
  const body = Buffer.alloc(10);
  body.writeUInt32BE(streamId & 0x7fff_ffff, 0);
  body.writeUInt32BE(0, 4);
  body.writeUInt8((priority & 0x7) << 5, 8);
  return control(FrameType.SynStream, flags, Buffer.concat([body, block]));
}

export function encodeSynReply(streamId: number, block: Buffer, flags = 0): Buffer {
  return control(FrameType.SynReply, flags, Buffer.concat([u32(streamId & 0x7fff_ffff), block]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  return control(FrameType.RstStream, 0, Buffer.concat([u32(streamId & 0x7fff_ffff), u32(status)]));
}

export function encodePing(id: number): Buffer {
  return control(FrameType.Ping, 0, u32(id));
}

export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  return control(FrameType.GoAway, 0, Buffer.concat([u32(lastGoodStreamId & 0x7fff_ffff), u32(status)]));
}

export function encodeSettings(entries: { flags?: number; id: number; value: number }[]): Buffer {
  const body = Buffer.alloc(4 + entries.length * 8);
  body.writeUInt32BE(entries.length, 0);
  entries.forEach((e, i) => {
    body.writeUInt32BE((((e.flags ?? 0) & 0xff) << 24 | (e.id & 0xff_ffff)) >>> 0, 4 + i * 8);
    body.writeUInt32BE(e.value >>> 0, 8 + i * 8);
  });
  return control(FrameType.Settings, 0, body);
}

export function encodeWindowUpdate(streamId: number, delta: number): Buffer {
  return control(FrameType.WindowUpdate, 0, Buffer.concat([u32(streamId & 0x7fff_ffff), u32(delta & 0x7fff_ffff)]));
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/**
 * Cuts a byte stream into frames. `push` returns every frame completed by the new bytes and keeps
 * the rest; a frame that is not SPDY/3 throws SpdyProtocolError.
 */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    let off = 0;
    while (this.buf.length - off >= 8) {
      const len = this.buf.readUInt32BE(off + 4) & 0xff_ffff;
      if (this.buf.length - off < 8 + len) break;
      frames.push(parseFrame(this.buf.subarray(off, off + 8 + len)));
      off += 8 + len;
    }
    this.buf = this.buf.subarray(off);
    return frames;
  }
}

function parseFrame(f: Buffer): Frame {
  const flags = f.readUInt8(4);
  const body = f.subarray(8);
  if ((f.readUInt8(0) & 0x80) === 0) {
    return { type: 'DATA', streamId: f.readUInt32BE(0) & 0x7fff_ffff, flags, data: body };
  }
  const version = f.readUInt16BE(0) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const type = f.readUInt16BE(2);
  const need = (n: number) => {
    if (body.length < n) throw new SpdyProtocolError(`SPDY control frame type ${type} is too short (${body.length} bytes)`);
  };
  const sid = () => body.readUInt32BE(0) & 0x7fff_ffff;
  switch (type) {
    case FrameType.SynStream:
      need(10);
      return { type: 'SYN_STREAM', streamId: sid(), associatedId: body.readUInt32BE(4) & 0x7fff_ffff,
        priority: body.readUInt8(8) >> 5, flags, block: body.subarray(10) };
    case FrameType.SynReply:
      need(4);
      return { type: 'SYN_REPLY', streamId: sid(), flags, block: body.subarray(4) };
    case FrameType.Headers:
      need(4);
      return { type: 'HEADERS', streamId: sid(), flags, block: body.subarray(4) };
    case FrameType.RstStream:
      need(8);
      return { type: 'RST_STREAM', streamId: sid(), status: body.readUInt32BE(4) };
    case FrameType.Settings: {
      need(4);
      const n = body.readUInt32BE(0);
      need(4 + n * 8);
      const entries = [];
      for (let i = 0; i < n; i++) {
        const w = body.readUInt32BE(4 + i * 8);
        entries.push({ flags: w >>> 24, id: w & 0xff_ffff, value: body.readUInt32BE(8 + i * 8) });
      }
      return { type: 'SETTINGS', flags, entries };
    }
    case FrameType.Ping:
      need(4);
      return { type: 'PING', id: body.readUInt32BE(0) };
    case FrameType.GoAway:
      need(8);
      return { type: 'GOAWAY', lastGoodStreamId: sid(), status: body.readUInt32BE(4) };
    case FrameType.WindowUpdate:
      need(8);
      return { type: 'WINDOW_UPDATE', streamId: sid(), delta: body.readUInt32BE(4) & 0x7fff_ffff };
    default:
      return { type: 'UNKNOWN', frameType: type };
  }
}

/** The uncompressed name/value block: a count, then each name and value with a 32-bit length. */
export function encodeHeaderBlock(headers: Headers): Buffer {
  const parts: Buffer[] = [u32(Object.keys(headers).length)];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(value, 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(raw: Buffer): Headers {
  const headers: Headers = {};
  const fail = () => { throw new SpdyProtocolError('malformed SPDY header block'); };
  if (raw.length < 4) fail();
  const count = raw.readUInt32BE(0);
  let off = 4;
  const str = () => {
    if (raw.length - off < 4) fail();
    const len = raw.readUInt32BE(off);
    off += 4;
    if (raw.length - off < len) fail();
    const s = raw.toString('utf8', off, off + len);
    off += len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = str();
    headers[name] = str();
  }
  return headers;
}

/**
 * Compresses outgoing header blocks as one zlib stream per connection. Each block goes out as
 * deflate "stored" blocks followed by the empty stored block that a Z_SYNC_FLUSH writes — Go's
 * inflater hands out a stored block's bytes only once it has read the next block's header, so
 * without that marker the peer would wait for the following frame. Any inflater primed with the
 * SPDY dictionary reads this, and writing needs no asynchronous zlib call; header blocks here are
 * a few dozen bytes, so not shrinking them costs nothing.
 */
export class HeaderDeflater {
  private started = false;

  compress(headers: Headers): Buffer {
    const raw = encodeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      // CMF 0x78 (deflate, 32K window); FLG with FDICT; then the dictionary's Adler-32.
      const cmf = 0x78;
      let flg = 0x20;
      flg += 31 - ((cmf * 256 + flg) % 31);
      parts.push(Buffer.from([cmf, flg]), u32(adler32(SPDY_DICTIONARY)));
    }
    // A stored block holds at most 65535 bytes.
    for (let off = 0; off < raw.length; off += 0xffff) parts.push(storedBlock(raw.subarray(off, off + 0xffff)));
    parts.push(storedBlock(Buffer.alloc(0)));
    return Buffer.concat(parts);
  }
}

/** BFINAL 0, BTYPE 00 (stored), padded to the byte boundary; LEN and its complement, little-endian. */
function storedBlock(data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt16LE(data.length, 1);
  head.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([head, data]);
}

/** Inflates incoming header blocks: one zlib stream per connection, in the order they arrived. */
export class HeaderInflater {
  private readonly z = zlib.createInflate({ dictionary: SPDY_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  private out: Buffer[] = [];
  private error: Error | undefined;
  private failPending: ((e: Error) => void) | undefined;

  constructor() {
    this.z.on('data', (c: Buffer) => this.out.push(c));
    this.z.on('error', (e: Error) => {
      this.error = new SpdyProtocolError(`SPDY header block: ${e.message}`);
      this.failPending?.(this.error);
    });
  }

  /** Callers must await each block before inflating the next. */
  inflate(block: Buffer): Promise<Headers> {
    return new Promise((resolve, reject) => {
      if (this.error) return reject(this.error);
      this.failPending = reject;
      this.z.write(block);
      // The inflater's output for a block is emitted before the flush completes; a corrupt block
      // fails through the 'error' listener instead, and the flush never completes.
      this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.failPending = undefined;
        if (this.error) return reject(this.error);
        const raw = Buffer.concat(this.out);
        this.out = [];
        try {
          resolve(decodeHeaderBlock(raw));
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  close(): void {
    this.z.destroy();
  }
}

export function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < buf.length; i++) {
    a = (a + buf[i]) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}
