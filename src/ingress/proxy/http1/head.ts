/**
 * @module HTTP/1.x message heads as the ingress proxy reads them off raw sockets (RFC 9112):
 * request and status lines, header fields with their names lower-cased, and the framing checks
 * that keep requests from being smuggled past the proxy (no whitespace before a colon, no
 * obsolete line folding, no Content-Length with Transfer-Encoding, one Content-Length value).
 * A bad request head is a HeadError carrying the status nginx answers with.
 */
import { connectionTokens } from '../headers.js';

/** Header fields by lower-case name; a repeated name keeps every value, in order. */
export type Headers = Record<string, string | string[]>;

export interface RequestHead {
  method: string;
  target: string;
  /** HTTP/1.<minor> */
  minor: 0 | 1;
  headers: Headers;
}

export interface ResponseHead {
  status: number;
  /** The status line as the upstream sent it, without the CRLF. */
  statusLine: string;
  minor: 0 | 1;
  /** name, value, name, value… as sent (names keep their case). */
  fields: string[];
  headers: Headers;
}

export class HeadError extends Error {
  constructor(readonly status: 400 | 431 | 501 | 505, message: string) { super(message); }
}

const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([^\s]+) HTTP\/1\.([01])$/;
const OTHER_VERSION = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ [^\s]+ HTTP\/\d(?:\.\d)?$/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Control characters other than HTAB are never valid in a field value. */
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

/** Parses a request head (everything before the blank line, latin1-decoded). */
export function parseRequestHead(text: string): RequestHead {
  const lines = text.split('\r\n');
  const m = REQUEST_LINE.exec(lines[0]);
  if (!m) {
    throw OTHER_VERSION.test(lines[0]) ? new HeadError(505, 'unsupported HTTP version') : new HeadError(400, 'malformed request line');
  }
  const headers: Headers = {};
  parseFields(lines, headers, undefined);
  const head: RequestHead = { method: m[1], target: m[2], minor: m[3] === '1' ? 1 : 0, headers };
  checkFraming(head.headers, head.minor);
  return head;
}

/** Parses an upstream's response head; undefined when it is not HTTP/1.x. */
export function parseResponseHead(text: string): ResponseHead | undefined {
  const lines = text.split('\r\n');
  const m = STATUS_LINE.exec(lines[0]);
  if (!m) return undefined;
  const fields: string[] = [];
  const headers: Headers = {};
  try {
    parseFields(lines, headers, fields);
  } catch {
    return undefined;
  }
  return { status: Number(m[2]), statusLine: lines[0], minor: m[1] === '1' ? 1 : 0, fields, headers };
}

function parseFields(lines: string[], headers: Headers, fields: string[] | undefined): void {
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HeadError(400, line.length > 0 && (line[0] === ' ' || line[0] === '\t') ? 'obsolete line folding' : 'malformed header field');
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new HeadError(400, 'invalid header field name');
    const value = line.slice(colon + 1).trim();
    if (BAD_VALUE.test(value)) throw new HeadError(400, 'invalid header field value');
    const lower = name.toLowerCase();
    const had = headers[lower];
    if (had === undefined) headers[lower] = value;
    else if (typeof had === 'string') headers[lower] = [had, value];
    else had.push(value);
    fields?.push(name, value);
  }
}

function checkFraming(headers: Headers, minor: 0 | 1): void {
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    if (headers['content-length'] !== undefined) throw new HeadError(400, 'both Content-Length and Transfer-Encoding');
    if (minor === 0) throw new HeadError(400, 'Transfer-Encoding in an HTTP/1.0 request');
    if (!isChunked(te)) throw new HeadError(501, 'unsupported Transfer-Encoding');
  }
  if (headers['content-length'] !== undefined && contentLength(headers) === undefined) throw new HeadError(400, 'invalid Content-Length');
}

/** True when chunked is the final transfer coding (the only one the proxy accepts from clients). */
export function isChunked(te: string | string[]): boolean {
  const all = (Array.isArray(te) ? te.join(',') : te).toLowerCase();
  const last = all.slice(all.lastIndexOf(',') + 1).trim();
  return last === 'chunked';
}

/** The Content-Length, or undefined when absent, malformed or given twice with different values. */
export function contentLength(headers: Headers): number | undefined {
  const v = headers['content-length'];
  if (v === undefined) return undefined;
  let n: number | undefined;
  for (const part of (Array.isArray(v) ? v.join(',') : v).split(',')) {
    const s = part.trim();
    if (!/^\d{1,15}$/.test(s)) return undefined;
    if (n !== undefined && Number(s) !== n) return undefined;
    n = Number(s);
  }
  return n;
}

/** Whether the client wants its connection kept after this exchange (HTTP/1.1 by default, 1.0 only when asked). */
export function clientKeepsAlive(head: RequestHead): boolean {
  const tokens = connectionTokens(head.headers.connection);
  return head.minor === 1 ? !tokens?.has('close') : tokens?.has('keep-alive') === true;
}
