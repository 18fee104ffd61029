/**
 * @module An endpoint's HTTP/1.x response head read in place from the bytes it arrived in, and
 * the head the client gets built from those bytes: the status line as HTTP/1.1, the field lines
 * passed on as they were sent (hop-by-hop ones, those the Connection header names and
 * X-Request-ID dropped), the proxy's own lines, then optionally the first body bytes, in one
 * Buffer. Every response takes this path, so it makes no string of the head, no per-field
 * strings and no header object: only the framing fields' values become strings.
 */
import { connectionTokens } from '../headers.js';

/** tchar of RFC 9110 §5.6.2, by byte. */
const TOKEN_CHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TOKEN_CHAR[c.charCodeAt(0)] = 1;

const enum Field { Other, Drop, ContentLength, TransferEncoding, Connection }

export class ResponseHead {
  status = 0;
  minor: 0 | 1 = 1;
  /** undefined when absent, NaN when invalid or given twice differently. */
  contentLength: number | undefined;
  transferEncoding: string | undefined;
  connection: string | undefined;
  /** The Connection header says close. */
  closes = false;
  /** [start, end) of each field line passed on, CRLF included, in `bytes`. */
  readonly kept: number[] = [];

  /** `bytes` is the read buffer the head is in: valid only while that read is handled. */
  constructor(readonly bytes: Buffer, readonly start: number, readonly lineEnd: number) {}
}

/** Parses the head in buf[start, end) (end: where its blank line starts); undefined when it is not a valid HTTP/1.x response head. */
export function parseResponseHead(buf: Buffer, start: number, end: number): ResponseHead | undefined {
  let lineEnd = start;
  while (lineEnd < end && buf[lineEnd] !== 0x0d) lineEnd++;
  if (!statusLineValid(buf, start, lineEnd)) return undefined;
  const h = new ResponseHead(buf, start, lineEnd);
  h.minor = buf[start + 7] === 0x31 ? 1 : 0;
  h.status = (buf[start + 9] - 0x30) * 100 + (buf[start + 10] - 0x30) * 10 + (buf[start + 11] - 0x30);
  let cl: string | undefined;
  let listed = false;
  // Field lines: name, colon, value up to CRLF; the last one ends at `end`.
  for (let ls = lineEnd + 2; ls < end + 2;) {
    if (buf[ls - 1] !== 0x0a) return undefined;
    let colon = ls;
    while (colon < end && TOKEN_CHAR[buf[colon]] === 1) colon++;
    if (colon === ls || colon === end || buf[colon] !== 0x3a /* : */) return undefined;
    let le = colon + 1;
    for (; le < end && buf[le] !== 0x0d; le++) {
      const c = buf[le];
      if ((c < 0x20 && c !== 0x09) || c === 0x7f) return undefined;
    }
    let vs = colon + 1;
    let ve = le;
    while (vs < ve && (buf[vs] === 0x20 || buf[vs] === 0x09)) vs++;
    while (ve > vs && (buf[ve - 1] === 0x20 || buf[ve - 1] === 0x09)) ve--;
    switch (fieldOf(buf, ls, colon)) {
      case Field.ContentLength: {
        const v = buf.toString('latin1', vs, ve);
        cl = cl === undefined ? v : `${cl},${v}`;
        h.kept.push(ls, le + 2);
        break;
      }
      case Field.TransferEncoding: {
        const v = buf.toString('latin1', vs, ve);
        h.transferEncoding = h.transferEncoding === undefined ? v : `${h.transferEncoding},${v}`;
        break;
      }
      case Field.Connection: {
        const v = buf.toString('latin1', vs, ve);
        h.connection = h.connection === undefined ? v : `${h.connection},${v}`;
        h.closes ||= /(?:^|,)[ \t]*close[ \t]*(?:,|$)/i.test(v);
        listed ||= !/^\s*(?:keep-alive|close)\s*$/i.test(v);
        break;
      }
      case Field.Drop: break;
      default: h.kept.push(ls, le + 2);
    }
    ls = le + 2;
  }
  if (cl !== undefined) h.contentLength = lengthOf(cl);
  if (listed) dropListed(h, connectionTokens(h.connection)!);
  return h;
}

/** "HTTP/1.x ddd" and an optional " reason". */
function statusLineValid(b: Buffer, s: number, e: number): boolean {
  if (e - s < 12 || !spells(b, s, 'HTTP/1.') || (b[s + 7] !== 0x30 && b[s + 7] !== 0x31) || b[s + 8] !== 0x20) return false;
  for (let i = s + 9; i < s + 12; i++) if (b[i] < 0x30 || b[i] > 0x39) return false;
  return e === s + 12 || b[s + 12] === 0x20;
}

/** What the proxy does with a field, by its name in buf[s, e), compared without case: HOP_BY_HOP's names (headers.ts) and X-Request-ID are dropped. */
function fieldOf(b: Buffer, s: number, e: number): Field {
  switch (e - s) {
    case 2: return named(b, s, 'te') ? Field.Drop : Field.Other;
    case 7: return named(b, s, 'upgrade') || named(b, s, 'trailer') ? Field.Drop : Field.Other;
    case 10: return named(b, s, 'connection') ? Field.Connection : named(b, s, 'keep-alive') ? Field.Drop : Field.Other;
    case 12: return named(b, s, 'x-request-id') ? Field.Drop : Field.Other;
    case 14: return named(b, s, 'content-length') ? Field.ContentLength : named(b, s, 'http2-settings') ? Field.Drop : Field.Other;
    case 16: return named(b, s, 'proxy-connection') ? Field.Drop : Field.Other;
    case 17: return named(b, s, 'transfer-encoding') ? Field.TransferEncoding : Field.Other;
    case 18: return named(b, s, 'proxy-authenticate') ? Field.Drop : Field.Other;
    case 19: return named(b, s, 'proxy-authorization') ? Field.Drop : Field.Other;
    default: return Field.Other;
  }
}

function spells(b: Buffer, s: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (b[s + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Whether the bytes at s spell `lower` (lower case letters, digits and '-') in any case. */
function named(b: Buffer, s: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) if ((b[s + i] | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** Drops the kept lines whose names the Connection header lists (rare: it usually says keep-alive or close). */
function dropListed(h: ResponseHead, listed: Set<string>): void {
  const k = h.kept;
  let w = 0;
  for (let r = 0; r < k.length; r += 2) {
    const name = h.bytes.toString('latin1', k[r], h.bytes.indexOf(0x3a, k[r])).toLowerCase();
    if (listed.has(name)) continue;
    k[w++] = k[r];
    k[w++] = k[r + 1];
  }
  k.length = w;
}

/** One Content-Length from the comma-joined values; NaN when malformed or when the values differ. */
function lengthOf(joined: string): number {
  let n = NaN;
  for (const part of joined.split(',')) {
    const s = part.trim();
    if (!/^\d{1,15}$/.test(s) || (!Number.isNaN(n) && Number(s) !== n)) return NaN;
    n = Number(s);
  }
  return n;
}

/**
 * The head for the client: the status line as HTTP/1.1, the kept field lines, `fields` (the
 * proxy's own "Name: value\r\n" lines, latin1), the blank line, then body[bodyStart, bodyEnd).
 */
export function clientResponseHead(h: ResponseHead, fields: string, body?: Buffer, bodyStart = 0, bodyEnd = 0): Buffer {
  const src = h.bytes;
  const k = h.kept;
  let keptBytes = 0;
  for (let i = 0; i < k.length; i += 2) keptBytes += k[i + 1] - k[i];
  const statusLine = h.lineEnd + 2 - h.start;
  const out = Buffer.allocUnsafe(statusLine + keptBytes + fields.length + 2 + (body ? bodyEnd - bodyStart : 0));
  let at = copyBytes(src, h.start, h.lineEnd + 2, out, 0);
  out[7] = 0x31; // HTTP/1.1
  for (let i = 0; i < k.length; i += 2) at = copyBytes(src, k[i], k[i + 1], out, at);
  at += out.write(fields, at, 'latin1');
  out[at++] = 0x0d;
  out[at++] = 0x0a;
  if (body) body.copy(out, at, bodyStart, bodyEnd);
  return out;
}

/** src[s, e) to dst at `at`; returns the index past them. A loop: a head's lines are short, and Buffer#copy makes a view per call. */
function copyBytes(src: Buffer, s: number, e: number, dst: Buffer, at: number): number {
  for (let i = s; i < e; i++) dst[at++] = src[i];
  return at;
}
