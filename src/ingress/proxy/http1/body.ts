/**
 * @module Where an HTTP/1.x message body ends (RFC 9112 §6): after Content-Length bytes, after
 * the last chunk and its trailer section, at connection close, or at once. The proxy passes body
 * bytes through as they arrive (chunked stays chunked), so the framer only has to say how many
 * bytes of a buffer belong to the body and report the payload inside the chunk framing: its size
 * counts against proxy-body-size and the metrics, and HTTP/1.0 clients get it de-chunked.
 */

/** Told where the payload is (inside the chunk framing, if any). An object, not a closure: the exchange is its own sink. */
export interface PayloadSink { payload(buf: Buffer, start: number, end: number): void }

export interface BodyFramer {
  readonly done: boolean;
  /** Set when the chunk framing is broken; the connection cannot be used any more. */
  readonly error?: string;
  /** Consumes body bytes of buf from `start`; returns the index past the last body byte (bytes after it belong to the next message). */
  consume(buf: Buffer, start: number, payload?: PayloadSink): number;
  /** The connection closed: whether that completes the body (only for close-delimited bodies). */
  closed(): boolean;
}

/** Framers are classes (not object literals with closures): one allocation per message, one shape per kind. */
class EmptyBody implements BodyFramer {
  readonly done = true;
  consume(_buf: Buffer, start: number): number { return start; }
  closed(): boolean { return true; }
}
const EMPTY = new EmptyBody();

/** A body that is already complete (no bytes). Stateless, so shared. */
export function emptyBody(): BodyFramer {
  return EMPTY;
}

class LengthBody implements BodyFramer {
  constructor(private left: number) {}
  get done(): boolean { return this.left === 0; }
  consume(buf: Buffer, start: number, payload?: PayloadSink): number {
    const end = Math.min(buf.length, start + this.left);
    this.left -= end - start;
    if (end > start) payload?.payload(buf, start, end);
    return end;
  }
  closed(): boolean { return this.left === 0; }
}

export function lengthBody(length: number): BodyFramer {
  return length === 0 ? EMPTY : new LengthBody(length);
}

/** Everything until the upstream closes (responses without framing). */
class UntilCloseBody implements BodyFramer {
  done = false;
  consume(buf: Buffer, start: number, payload?: PayloadSink): number {
    if (buf.length > start) payload?.payload(buf, start, buf.length);
    return buf.length;
  }
  closed(): boolean {
    this.done = true;
    return true;
  }
}

export function untilCloseBody(): BodyFramer {
  return new UntilCloseBody();
}

const enum S { Size, Ext, SizeLf, Data, DataCr, DataLf, Trailer, TrailerLf, Done }
/** Chunk sizes past this many hex digits cannot be honest (and would lose precision). */
const MAX_SIZE_DIGITS = 12;
const MAX_TRAILER_BYTES = 32 * 1024;

class ChunkedBody implements BodyFramer {
  private s = S.Size;
  private size = 0;
  private digits = 0;
  private left = 0;
  private lineLength = 0;
  private trailerBytes = 0;
  error: string | undefined;

  get done(): boolean { return this.s === S.Done; }
  closed(): boolean { return false; }

  consume(buf: Buffer, start: number, payload?: PayloadSink): number {
    let i = start;
    while (i < buf.length && this.s !== S.Done) {
      if (this.s === S.Data) {
        const end = Math.min(buf.length, i + this.left);
        payload?.payload(buf, i, end);
        this.left -= end - i;
        i = end;
        if (this.left === 0) this.s = S.DataCr;
        continue;
      }
      const c = buf[i++];
      switch (this.s) {
        case S.Size: {
          const h = hex(c);
          if (h >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) return this.fail('chunk size too large', i);
            this.size = this.size * 16 + h;
          } else if (this.digits === 0) return this.fail('malformed chunk size', i);
          else if (c === 0x3b /* ; */ || c === 0x20 || c === 0x09) this.s = S.Ext;
          else if (c === 0x0d) this.s = S.SizeLf;
          else return this.fail('malformed chunk size', i);
          break;
        }
        case S.Ext:
          if (c === 0x0d) this.s = S.SizeLf;
          else if (++this.lineLength > 4096) return this.fail('chunk extension too long', i);
          break;
        case S.SizeLf:
          if (c !== 0x0a) return this.fail('malformed chunk size line', i);
          this.left = this.size;
          this.s = this.size === 0 ? S.Trailer : S.Data;
          this.size = 0; this.digits = 0; this.lineLength = 0;
          break;
        case S.DataCr:
          if (c !== 0x0d) return this.fail('chunk data not followed by CRLF', i);
          this.s = S.DataLf;
          break;
        case S.DataLf:
          if (c !== 0x0a) return this.fail('chunk data not followed by CRLF', i);
          this.s = S.Size;
          break;
        case S.Trailer:
          if (++this.trailerBytes > MAX_TRAILER_BYTES) return this.fail('trailer section too large', i);
          if (c === 0x0d) this.s = S.TrailerLf;
          else this.lineLength++;
          break;
        case S.TrailerLf:
          if (c !== 0x0a) return this.fail('malformed trailer section', i);
          // An empty line ends the message; a field line is passed on and the next one read.
          if (this.lineLength === 0) this.s = S.Done;
          else { this.lineLength = 0; this.s = S.Trailer; }
          break;
      }
    }
    return i;
  }

  private fail(why: string, i: number): number {
    this.error = why;
    this.s = S.Done;
    return i;
  }
}

export function chunkedBody(): BodyFramer {
  return new ChunkedBody();
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}
