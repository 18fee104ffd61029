/**
 * @module HTTP/1.x request heads as the ingress proxy reads them off raw sockets (RFC 9112)
 * (responses: response-head.ts): request lines, header fields, and the framing checks that keep requests from being
 * smuggled past the proxy (no whitespace before a colon, no obsolete line folding, no
 * Content-Length with Transfer-Encoding, one Content-Length value). A bad request head is a
 * HeadError carrying the status nginx answers with.
 *
 * The proxy's hot path: one pass picks out the few fields the proxy acts on and keeps the
 * end-to-end lines to pass on as text, so a request builds no header object unless a canary
 * rule asks for one (`headers`).
 */
import { connectionTokens, FORWARDING, HOP_BY_HOP, type HeaderMap } from '../headers.js';

/** Header fields as sent: names, their lower-case forms and values, in order. */
class Fields {
  readonly names: string[] = [];
  readonly lower: string[] = [];
  readonly values: string[] = [];
  private map: HeaderMap | undefined;

  /** Fields by lower-case name; a repeated name keeps every value, in order. */
  get headers(): HeaderMap {
    if (!this.map) {
      const m: Record<string, string | string[]> = {};
      for (let i = 0; i < this.lower.length; i++) {
        const had = m[this.lower[i]];
        m[this.lower[i]] = had === undefined ? this.values[i] : [...(typeof had === 'string' ? [had] : had), this.values[i]];
      }
      this.map = m;
    }
    return this.map;
  }

  /** The field lines to pass on: all but hop-by-hop ones, those the Connection header names and those in `drop`. */
  passOn(connection: string | undefined, drop: ReadonlySet<string>): string {
    const listed = connection !== undefined && !/^\s*(?:keep-alive|close)\s*$/i.test(connection) ? connectionTokens(connection) : undefined;
    let text = '';
    for (let i = 0; i < this.lower.length; i++) {
      const l = this.lower[i];
      if (HOP_BY_HOP.has(l) || drop.has(l) || listed?.has(l)) continue;
      text += `${this.names[i]}: ${this.values[i]}\r\n`;
    }
    return text;
  }
}

export class RequestHead extends Fields {
  method = '';
  target = '';
  /** HTTP/1.<minor> */
  minor: 0 | 1 = 1;
  /** The Host field as sent; undefined when absent or repeated. */
  host: string | undefined;
  contentLength: number | undefined;
  chunked = false;
  /** The Connection field(s), joined. */
  connection: string | undefined;
  upgrade: string | undefined;
  requestId: string | undefined;
  forwardedFor: string | undefined;
}

export class HeadError extends Error {
  constructor(readonly status: 400 | 431 | 501 | 505, message: string) { super(message); }
}

const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([^\s]+) HTTP\/1\.([01])$/;
const OTHER_VERSION = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ [^\s]+ HTTP\/\d(?:\.\d)?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Control characters other than HTAB are never valid in a field value. */
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
const LENGTH = /^\d{1,15}$/;
/** An absolute-form target (`http://host:port/path?q`, RFC 9112 §3.2.2): its authority, then path and query. */
const ABSOLUTE_FORM = /^https?:\/\/([^/?#@\s]*)((?:[/?][^#\s]*)?)$/i;

/** Parses a request head (everything before the blank line, latin1-decoded). */
export function parseRequestHead(text: string): RequestHead {
  const lines = text.split('\r\n');
  const m = REQUEST_LINE.exec(lines[0]);
  if (!m) throw OTHER_VERSION.test(lines[0]) ? new HeadError(505, 'unsupported HTTP version') : new HeadError(400, 'malformed request line');
  const h = new RequestHead();
  h.method = m[1];
  h.target = m[2];
  h.minor = m[3] === '1' ? 1 : 0;
  readFields(lines, h);
  let hosts = 0;
  let te: string | undefined;
  let cl: string | undefined;
  for (let i = 0; i < h.lower.length; i++) {
    const v = h.values[i];
    switch (h.lower[i]) {
      case 'host': hosts++; h.host = v; break;
      case 'content-length': cl = cl === undefined ? v : `${cl},${v}`; break;
      case 'transfer-encoding': te = te === undefined ? v : `${te},${v}`; break;
      case 'connection': h.connection = h.connection === undefined ? v : `${h.connection},${v}`; break;
      case 'upgrade': h.upgrade = v; break;
      case 'x-request-id': h.requestId = h.requestId === undefined ? v : ''; break;
      case 'x-forwarded-for': h.forwardedFor = h.forwardedFor === undefined ? v : `${h.forwardedFor}, ${v}`; break;
    }
  }
  if (hosts > 1) h.host = undefined;
  else if (h.target.charCodeAt(0) !== 47 /* / */) absoluteForm(h, hosts);
  if (te !== undefined) {
    if (cl !== undefined) throw new HeadError(400, 'both Content-Length and Transfer-Encoding');
    if (h.minor === 0) throw new HeadError(400, 'Transfer-Encoding in an HTTP/1.0 request');
    if (!isChunked(te)) throw new HeadError(501, 'unsupported Transfer-Encoding');
    h.chunked = true;
  }
  if (cl !== undefined) {
    h.contentLength = lengthOf(cl);
    if (Number.isNaN(h.contentLength)) throw new HeadError(400, 'invalid Content-Length');
  }
  return h;
}

/**
 * A request in absolute form is routed and passed on by the host in its target, which replaces the
 * Host field (RFC 9112 §3.2.2: a proxy ignores the received Host and makes a new one from the target);
 * the target becomes the origin form. Any other target is left for routing to refuse.
 */
function absoluteForm(h: RequestHead, hosts: number): void {
  const m = ABSOLUTE_FORM.exec(h.target);
  if (!m) return;
  h.host = m[1];
  h.target = m[2].charCodeAt(0) === 47 ? m[2] : `/${m[2]}`;
  if (hosts === 0) {
    h.names.push('Host');
    h.lower.push('host');
    h.values.push(m[1]);
    return;
  }
  h.values[h.lower.indexOf('host')] = m[1];
}

function readFields(lines: string[], f: Fields): void {
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HeadError(400, line.length > 0 && (line[0] === ' ' || line[0] === '\t') ? 'obsolete line folding' : 'malformed header field');
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new HeadError(400, 'invalid header field name');
    const value = line.slice(colon + 1).trim();
    if (BAD_VALUE.test(value)) throw new HeadError(400, 'invalid header field value');
    f.names.push(name);
    f.lower.push(name.toLowerCase());
    f.values.push(value);
  }
}

/** One Content-Length from the comma-joined values; NaN when malformed or when the values differ. */
function lengthOf(joined: string): number {
  let n = NaN;
  for (const part of joined.split(',')) {
    const s = part.trim();
    if (!LENGTH.test(s) || (!Number.isNaN(n) && Number(s) !== n)) return NaN;
    n = Number(s);
  }
  return n;
}

/** True when chunked is the final transfer coding (the only one the proxy accepts from clients). */
export function isChunked(te: string): boolean {
  const all = te.toLowerCase();
  return all.slice(all.lastIndexOf(',') + 1).trim() === 'chunked';
}

/** Whether the client wants its connection kept after this exchange (HTTP/1.1 by default, 1.0 only when asked). */
export function clientKeepsAlive(head: RequestHead): boolean {
  if (head.connection === undefined) return head.minor === 1;
  const tokens = connectionTokens(head.connection);
  return head.minor === 1 ? !tokens?.has('close') : tokens?.has('keep-alive') === true;
}

/** Request fields the proxy replaces or drops before passing the rest on. */
export const REQUEST_DROP = FORWARDING;
