/**
 * @module Where an HTTP/1.x message body ends (RFC 9112 §6): after Content-Length bytes, after
 * the last chunk and its trailer section, at connection close, or at once. The proxy passes body
 * bytes through as they arrive (chunked stays chunked), so the framer only has to say how many
 * bytes of a buffer belong to the body and report the payload inside the chunk framing: its size
 * counts against proxy-body-size and the metrics, and HTTP/1.0 clients get it de-chunked.
 */

export type PayloadSink = (buf: Buffer, start: number, end: number) => void;

export interface BodyFramer {
  readonly done: boolean;
  /** Set when the chunk framing is broken; the connection cannot be used any more. */
  readonly error?: string;
  /** Consumes body bytes of buf from `start`; returns the index past the last body byte (bytes after it belong to the next message). */
  consume(buf: Buffer, start: number, payload?: PayloadSink): number;
  /** The connection closed: whether that completes the body (only for close-delimited bodies). */
  closed(): boolean;
}

export function emptyBody(): BodyFramer {
  return { done: true, consume: (_b, start) => start, closed: () => true };
}

export function lengthBody(length: number): BodyFramer {
  if (length === 0) return emptyBody();
  let left = length;
  return {
    get done() { return left === 0; },
    consume(buf, start, payload) {
      const end = Math.min(buf.length, start + left);
      left -= end - start;
      if (end > start) payload?.(buf, start, end);
      return end;
    },
    closed: () => left === 0,
  };
}

/** Everything until the upstream closes (responses without framing). */
export function untilCloseBody(): BodyFramer {
  let done = false;
  return {
    get done() { return done; },
    consume(buf, start, payload) {
      if (buf.length > start) payload?.(buf, start, buf.length);
      return buf.length;
    },
    closed() { done = true; return true; },
  };
}

const enum S { Size, Ext, SizeLf, Data, DataCr, DataLf, Trailer, TrailerLf, Done }
/** Chunk sizes past this many hex digits cannot be honest (and would lose precision). */
const MAX_SIZE_DIGITS = 12;
const MAX_TRAILER_BYTES = 32 * 1024;

export function chunkedBody(): BodyFramer {
  let s = S.Size;
  let size = 0;
  let digits = 0;
  let left = 0;
  let lineLength = 0;
  let trailerBytes = 0;
  let error: string | undefined;
  const fail = (why: string, i: number) => { error = why; s = S.Done; return i; };

  return {
    get done() { return s === S.Done; },
    get error() { return error; },
    closed: () => false,
    consume(buf, start, payload) {
      let i = start;
      while (i < buf.length && s !== S.Done) {
        if (s === S.Data) {
          const end = Math.min(buf.length, i + left);
          payload?.(buf, i, end);
          left -= end - i;
          i = end;
          if (left === 0) s = S.DataCr;
          continue;
        }
        const c = buf[i++];
        switch (s) {
          case S.Size: {
            const h = hex(c);
            if (h >= 0) {
              if (++digits > MAX_SIZE_DIGITS) return fail('chunk size too large', i);
              size = size * 16 + h;
            } else if (digits === 0) return fail('malformed chunk size', i);
            else if (c === 0x3b /* ; */ || c === 0x20 || c === 0x09) s = S.Ext;
            else if (c === 0x0d) s = S.SizeLf;
            else return fail('malformed chunk size', i);
            break;
          }
          case S.Ext:
            if (c === 0x0d) s = S.SizeLf;
            else if (++lineLength > 4096) return fail('chunk extension too long', i);
            break;
          case S.SizeLf:
            if (c !== 0x0a) return fail('malformed chunk size line', i);
            left = size;
            s = size === 0 ? S.Trailer : S.Data;
            size = 0; digits = 0; lineLength = 0;
            break;
          case S.DataCr:
            if (c !== 0x0d) return fail('chunk data not followed by CRLF', i);
            s = S.DataLf;
            break;
          case S.DataLf:
            if (c !== 0x0a) return fail('chunk data not followed by CRLF', i);
            s = S.Size;
            break;
          case S.Trailer:
            if (++trailerBytes > MAX_TRAILER_BYTES) return fail('trailer section too large', i);
            if (c === 0x0d) s = S.TrailerLf;
            else lineLength++;
            break;
          case S.TrailerLf:
            if (c !== 0x0a) return fail('malformed trailer section', i);
            // An empty line ends the message; a field line is passed on and the next one read.
            if (lineLength === 0) s = S.Done;
            else { lineLength = 0; s = S.Trailer; }
            break;
        }
      }
      return i;
    },
  };
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}
