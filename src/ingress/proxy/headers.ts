/**
 * @module Header rewriting between client and upstream, as ingress-nginx configures nginx:
 * hop-by-hop headers (RFC 9110 §7.6.1 and those the Connection header names) and HTTP/2
 * pseudo-headers never cross the proxy; the upstream learns the client through X-Forwarded-*,
 * X-Real-IP and X-Request-ID.
 */
import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';

/** Header fields by lower-case name as either Node's parsers or the proxy's own HTTP/1 parser give them. */
export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

export const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding',
  'upgrade', 'http2-settings', 'proxy-authenticate', 'proxy-authorization']);

/** What the proxy knows about the client side of one request. */
export interface ForwardContext {
  clientIp: string;
  /** The scheme the client used toward the proxy. */
  proto: 'http' | 'https';
  /** The Host (or :authority) as the client sent it, port included. */
  host: string;
  /** The proxy port the client connected to. */
  port: number;
  requestId: string;
}

/** The client's X-Request-ID when it sent a sane one, else 32 random hex digits as nginx's $request_id (from randomUUID, which draws from a cached entropy pool). */
export function requestIdOf(headers: HeaderMap): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && given.length > 0 && given.length <= 200 && /^[\x21-\x7e]+$/.test(given)
    ? given : randomUUID().replace(/-/g, '');
}

/** Copies headers without hop-by-hop ones, the names the Connection header lists and pseudo-headers. */
export function endToEnd(headers: HeaderMap, keep?: ReadonlySet<string>): OutgoingHttpHeaders {
  const listed = connectionTokens(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 /* ':' */) continue;
    if ((HOP_BY_HOP.has(name) || listed?.has(name)) && !keep?.has(name)) continue;
    out[name] = headers[name];
  }
  return out;
}

/** The headers sent upstream: the client's end-to-end headers, Host kept, plus the forwarding headers. */
export function upstreamHeaders(headers: HeaderMap, c: ForwardContext, keep?: ReadonlySet<string>): OutgoingHttpHeaders {
  const out = endToEnd(headers, keep);
  out.host = c.host;
  const xff = headers['x-forwarded-for'];
  out['x-forwarded-for'] = xff ? `${Array.isArray(xff) ? xff.join(', ') : xff}, ${c.clientIp}` : c.clientIp;
  out['x-real-ip'] = c.clientIp;
  out['x-forwarded-proto'] = c.proto;
  out['x-forwarded-host'] = c.host;
  out['x-forwarded-port'] = String(c.port);
  out['x-scheme'] = c.proto;
  out['x-request-id'] = c.requestId;
  return out;
}

/** The lower-case tokens of the Connection header(s). */
export function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (!value) return undefined;
  return new Set((Array.isArray(value) ? value.join(',') : value).split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
}
