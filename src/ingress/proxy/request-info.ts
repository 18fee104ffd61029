/**
 * @module Request facts the proxy routes on, read the same way for HTTP/1.x and HTTP/2 clients:
 * the host (Host or :authority) validated and lower-cased without its port, the path, the
 * client's address.
 */
/** A DNS name or IPv4 with an optional port, or a bracketed IPv6 literal with one. */
const HOST = /^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** Whether a Host (or :authority) as sent is well-formed (else 400). */
export function validHost(h: string): boolean {
  return h.length <= 255 && HOST.test(h);
}

/** The host name routes are matched on: lower case, no port, no trailing dot. */
export function routeHostOf(rawHost: string): string {
  let h = rawHost.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** The path part of a request target, for route matching. */
export function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

/** The client's address without the IPv4-mapped prefix, for X-Forwarded-For and X-Real-IP. */
export function clientAddress(remoteAddress: string | undefined): string {
  const a = remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}
