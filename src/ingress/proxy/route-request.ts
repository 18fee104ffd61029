/**
 * @module The routing step every request takes, whichever protocol brought it (HTTP/1.x, HTTP/2,
 * a WebSocket upgrade): a valid Host, the route by host and path, the HTTPS redirect, the
 * canary's or the main backend, endpoints present and the declared body within
 * proxy-body-size. The result is an answer for the proxy to give itself or where to forward.
 */
import type { Backend, Route } from '../types.js';
import { chooseBackend } from './canary.js';
import type { HeaderMap } from './headers.js';
import type { RequestRecord } from './metrics.js';
import { pathOf, validHost, routeHostOf } from './request-info.js';
import type { RouteTable } from '../types.js';

export type Routing =
  | { forward: false; status: number; location?: string }
  | { forward: true; route: Route; backend: Backend; rawHost: string };

export interface RoutingContext {
  routes: { current(): RouteTable };
  /** The HTTPS port redirects point at (omitted from the URL when 443). */
  httpsPort: number;
}

/** What routing reads of a request, however it arrived. */
export interface RequestFacts {
  target: string;
  /** Host or :authority as sent; undefined when absent or repeated. */
  host: string | undefined;
  contentLength: number | undefined;
  /** All header fields, asked for only when a canary rule needs them. */
  headers(): HeaderMap;
}

/** Decides a request; fills in the record's route, ingress and service for the access log and metrics. */
export function routeRequest(ctx: RoutingContext, rec: RequestRecord, req: RequestFacts, proto: 'http' | 'https'): Routing {
  const { target, host: rawHost } = req;
  if (rawHost === undefined || !validHost(rawHost) || target.charCodeAt(0) !== 47 /* / */) return { forward: false, status: 400 };
  const route = ctx.routes.current().match(routeHostOf(rawHost), pathOf(target));
  if (!route) return { forward: false, status: 404 };
  rec.routeHost = route.host;
  rec.ingress = route.ingress;
  if (route.sslRedirect && proto === 'http') {
    const port = ctx.httpsPort === 443 ? '' : `:${ctx.httpsPort}`;
    return { forward: false, status: 308, location: `https://${routeHostOf(rawHost)}${port}${target}` };
  }
  const { backend, ingress } = chooseBackend(route, req);
  rec.ingress = ingress;
  rec.service = backend?.service;
  if (!backend || backend.endpoints.length === 0) return { forward: false, status: 503 };
  if (route.maxBodyBytes > 0 && (req.contentLength ?? 0) > route.maxBodyBytes) return { forward: false, status: 413 };
  return { forward: true, route, backend, rawHost };
}

/** One endpoint of the backend at random, preferring those not tried yet for this request; noted in the record. */
export function pickEndpoint(backend: Backend, tried: Set<string>, rec: RequestRecord): { ip: string; port: number; key: string } {
  const eps = backend.endpoints;
  let list = eps;
  if (tried.size > 0) {
    const fresh = eps.filter((e) => !tried.has(`${e.ip}:${e.port}`));
    if (fresh.length > 0) list = fresh;
  }
  const ep = list[Math.floor(Math.random() * list.length)];
  const key = `${ep.ip}:${ep.port}`;
  tried.add(key);
  rec.upstream = rec.upstream ? `${rec.upstream}, ${key}` : key;
  return { ip: ep.ip, port: ep.port, key };
}

/** Methods a failed attempt may send again (nginx's proxy_next_upstream default). */
export const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const MAX_TRIES = 3;
const RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNECTTIMEOUT']);

/**
 * Whether a failed attempt may go to another endpoint, as nginx's proxy_next_upstream error
 * timeout (3 tries): a connect-level failure, an idempotent method, no body byte sent yet.
 */
export function mayRetry(code: string | undefined, method: string, bodySent: boolean, tried: number, backend: Backend): boolean {
  return RETRYABLE.has(code ?? '') && !bodySent && IDEMPOTENT.has(method) && tried < Math.min(MAX_TRIES, backend.endpoints.length);
}
