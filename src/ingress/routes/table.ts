/**
 * @module The immutable RouteTable: routes indexed by host (exact, then "*.suffix" wildcard, then
 * any host) and, within a host, Exact paths in a map, Prefix paths in a map walked element by
 * element from the longest prefix of the request path, and ImplementationSpecific paths (nginx
 * string prefixes or regexes) in a short list ordered longest first. A request costs a few map
 * lookups, never a scan over all ingresses. The host that matches decides: a request whose path
 * no rule of its host serves goes to the default backend (ingress-nginx's server blocks), not to
 * a wildcard or any-host rule.
 */
import type { Route, RouteTable, TLSCertificate } from '../types.js';

/** An ImplementationSpecific path: a string prefix (nginx `location /x`) or a case-insensitive regex (`location ~* ^/x`). */
interface LoosePath { route: Route; length: number; test(path: string): boolean }

export class HostRoutes {
  readonly exact = new Map<string, Route>();
  /** By path without trailing slashes ("" for "/"). */
  readonly prefix = new Map<string, Route>();
  readonly loose: LoosePath[] = [];

  /** Adds a route unless its host already has one for the same path and type; returns whether it was added. */
  add(route: Route, regex: boolean): boolean {
    if (route.pathType === 'Exact') return setOnce(this.exact, route.path, route);
    if (route.pathType === 'Prefix') return setOnce(this.prefix, trimSlashes(route.path), route);
    if (this.loose.some((l) => l.route.path === route.path)) return false;
    const re = regex ? new RegExp(`^${route.path}`, 'i') : undefined;
    this.loose.push({ route, length: route.path.length, test: re ? (p) => re.test(p) : (p) => p.startsWith(route.path) });
    return true;
  }

  /** Orders the ImplementationSpecific paths longest first (nginx tries regexes in that order too); call once built. */
  seal(): void { this.loose.sort((a, b) => b.length - a.length); }

  match(path: string): Route | undefined {
    const exact = this.exact.get(path);
    if (exact) return exact;
    let prefix: Route | undefined;
    let prefixLength = -1;
    if (this.prefix.size) {
      // Element-wise: "/a/b" serves "/a/b" and "/a/b/c", never "/a/bc".
      let key = trimSlashes(path);
      for (;;) {
        prefix = this.prefix.get(key);
        if (prefix || key === '') break;
        key = key.slice(0, Math.max(0, key.lastIndexOf('/')));
      }
      if (prefix) prefixLength = key.length;
    }
    for (const l of this.loose) {
      if (l.length <= prefixLength) break;
      if (l.test(path)) return l.route;
    }
    return prefix;
  }
}

export class IndexedRouteTable implements RouteTable {
  constructor(
    readonly version: number,
    private readonly hosts: Map<string, HostRoutes>,
    private readonly defaultRoute: Route | undefined,
    private readonly certs: Map<string, TLSCertificate>,
  ) {}

  match(host: string, path: string): Route | undefined {
    const h = normalizeHost(host);
    const q = path.indexOf('?');
    const p = q < 0 ? path : path.slice(0, q);
    const routes = this.hosts.get(h) ?? this.hosts.get(wildcardOf(h)) ?? this.hosts.get('');
    return routes?.match(p) ?? this.defaultRoute;
  }

  certificate(serverName: string): TLSCertificate | undefined {
    const h = normalizeHost(serverName);
    return this.certs.get(h) ?? this.certs.get(wildcardOf(h));
  }
}

export const emptyTable = (version = 0): RouteTable => new IndexedRouteTable(version, new Map(), undefined, new Map());

/** A Host header or SNI name as rules name hosts: lower case, without port or trailing dot. */
export function normalizeHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith('[')) return h; // an IPv6 literal never names a rule
  const colon = h.indexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** "*.example.com" for "a.example.com" (one label only: not for "a.b.example.com"'s parent's parent). */
export function wildcardOf(host: string): string {
  const dot = host.indexOf('.');
  return dot > 0 ? `*${host.slice(dot)}` : '';
}

/** Whether a rule host (exact or "*.x") names the host. */
export const hostMatches = (pattern: string, host: string) => pattern === host || (pattern.startsWith('*.') && wildcardOf(host) === pattern);

const trimSlashes = (p: string) => p.replace(/\/+$/, '');

function setOnce<K, V>(m: Map<K, V>, k: K, v: V): boolean {
  if (m.has(k)) return false;
  m.set(k, v);
  return true;
}
