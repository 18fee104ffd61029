/**
 * @module Header rewriting between client and upstream, as ingress-nginx configures nginx:
 * hop-by-hop headers (RFC 9110 §7.6.1 and those the Connection header names) and HTTP/2
 * pseudo-headers never cross the proxy; the upstream learns the client through X-Forwarded-*,
 * X-Real-IP and X-Request-ID.
 */
import { randomFillSync } from 'node:crypto';
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

/** Random bytes drawn 4 KiB at a time: a request id costs a slice, not a call into the system's generator. */
const entropy = Buffer.alloc(4096);
let entropyAt = entropy.length;

/** The client's X-Request-ID when it sent one sane value, else 32 random hex digits as nginx's $request_id. */
export function requestIdOf(given: string | string[] | undefined): string {
  if (typeof given === 'string' && given.length > 0 && given.length <= 200 && /^[\x21-\x7e]+$/.test(given)) return given;
  if (entropyAt + 16 > entropy.length) {
    randomFillSync(entropy);
    entropyAt = 0;
  }
  entropyAt += 16;
  return entropy.toString('hex', entropyAt - 16, entropyAt);
}

/** The headers the proxy sets toward the endpoint, replacing any the client sent (names in lower case). */
export const FORWARDING: ReadonlySet<string> = new Set(['x-forwarded-for', 'x-real-ip', 'x-forwarded-proto', 'x-forwarded-host',
  'x-forwarded-port', 'x-scheme', 'x-request-id']);

/** X-Forwarded-For: what the client sent, extended by the client's address. */
function forwardedFor(prior: string | undefined, clientIp: string): string {
  return prior ? `${prior}, ${clientIp}` : clientIp;
}

/** The forwarding headers' values. */
function forwardingValues(xff: string | string[] | undefined, c: ForwardContext): string[] {
  return [forwardedFor(Array.isArray(xff) ? xff.join(', ') : xff, c.clientIp), c.clientIp, c.proto, c.host, String(c.port), c.proto, c.requestId];
}

const FORWARDING_NAMES = ['X-Forwarded-For', 'X-Real-IP', 'X-Forwarded-Proto', 'X-Forwarded-Host', 'X-Forwarded-Port', 'X-Scheme', 'X-Request-ID'];

/** The forwarding field lines that are the same for every request on a client connection: made once per connection. */
export function connectionForwardingLines(c: Pick<ForwardContext, 'clientIp' | 'proto' | 'port'>): string {
  return `X-Real-IP: ${c.clientIp}\r\nX-Forwarded-Proto: ${c.proto}\r\nX-Forwarded-Port: ${c.port}\r\nX-Scheme: ${c.proto}\r\n`;
}

/** The forwarding headers as HTTP/1.1 field lines (the same values as upstreamHeaders); `perConnection` from connectionForwardingLines. */
export function forwardingLines(xff: string | undefined, clientIp: string, host: string, requestId: string, perConnection: string): string {
  return `X-Forwarded-For: ${forwardedFor(xff, clientIp)}\r\nX-Forwarded-Host: ${host}\r\n${perConnection}X-Request-ID: ${requestId}\r\n`;
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
  const v = forwardingValues(headers['x-forwarded-for'], c);
  for (let i = 0; i < v.length; i++) out[FORWARDING_NAMES[i].toLowerCase()] = v[i];
  return out;
}

/** The lower-case tokens of the Connection header(s). */
export function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (!value) return undefined;
  return new Set((Array.isArray(value) ? value.join(',') : value).split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
}
