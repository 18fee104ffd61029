/**
 * @module Test helpers for the ingress proxy: a hand-built RouteTable (exact host, then any host;
 * Exact, then the longest Prefix or regex path) and small loopback backends that echo what they
 * received and count their connections.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Backend, Route, RouteTable, TLSCertificate } from '../types.js';

export class StaticRoutes implements RouteTable {
  constructor(readonly version: number, private readonly routes: Route[], private readonly certs: TLSCertificate[] = []) {}

  match(host: string, path: string): Route | undefined {
    const candidates = this.routes.filter((r) => r.host === host || r.host === '' ).filter((r) => matches(r, path));
    candidates.sort((a, b) => Number(b.host !== '') - Number(a.host !== '') || Number(b.pathType === 'Exact') - Number(a.pathType === 'Exact')
      || b.path.length - a.path.length);
    return candidates[0];
  }

  certificate(serverName: string): TLSCertificate | undefined {
    return this.certs.find((c) => c.hosts.includes(serverName));
  }
}

function matches(r: Route, path: string): boolean {
  if (r.pathType === 'Exact') return path === r.path;
  if (r.pathType === 'ImplementationSpecific') return new RegExp(`^${r.path}`, 'i').test(path);
  return r.path === '/' || path === r.path || path.startsWith(r.path.endsWith('/') ? r.path : `${r.path}/`);
}

/** A route with ingress-nginx's defaults, overridden by `over`. */
export function route(over: Partial<Route> & { backend?: Backend }): Route {
  return { ingress: { namespace: 'default', name: 'web' }, host: 'app.test', path: '/', pathType: 'Prefix', sslRedirect: false,
    maxBodyBytes: 1 << 20, readTimeoutMs: 60_000, ...over };
}

export function backend(service: string, endpoints: { ip: string; port: number }[], protocol: Backend['protocol'] = 'HTTP'): Backend {
  return { namespace: 'default', service, port: 80, endpoints, protocol };
}

/** A mutable holder the proxy reads the current table from. */
export class RoutesHolder {
  constructor(public table: RouteTable) {}
  current(): RouteTable { return this.table; }
}

export interface EchoBackend {
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  server: http.Server;
  close(): Promise<void>;
}

/** A backend answering every request with JSON {name, method, url, headers, bodyBytes}; handler overrides it. */
export async function echoBackend(name: string, handler?: http.RequestListener): Promise<EchoBackend> {
  const server = http.createServer(handler ?? ((req, res) => {
    let bodyBytes = 0;
    req.on('data', (c: Buffer) => { bodyBytes += c.length; });
    req.on('end', () => {
      const body = JSON.stringify({ name, method: req.method, url: req.url, headers: req.headers, bodyBytes });
      res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name, connection: 'keep-alive', 'keep-alive': 'timeout=5' });
      res.end(body);
    });
  }));
  const b: EchoBackend = { port: 0, connections: 0, server, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
  server.on('connection', () => { b.connections++; });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  b.port = (server.address() as AddressInfo).port;
  return b;
}
