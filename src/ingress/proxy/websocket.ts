/**
 * @module HTTP/1.1 Upgrade (WebSocket) through the proxy: routed like any request, then the
 * request is written to a fresh connection to the endpoint and the two sockets are piped both
 * ways, so the endpoint answers the handshake and frames pass untouched.
 */
import net from 'node:net';
import tls from 'node:tls';
import type http from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { chooseBackend } from './canary.js';
import type { ProxyContext } from './handler.js';
import { requestIdOf, upstreamHeaders } from './headers.js';
import { record, type RequestRecord } from './metrics.js';
import { rewrittenTarget } from './rewrite.js';
import { pathOf, rawHostOf, routeHostOf } from './request-info.js';

const MAX_TRIES = 3;
const KEEP = new Set(['connection', 'upgrade']);

export function handleUpgrade(ctx: ProxyContext, req: http.IncomingMessage, socket: Duplex, head: Buffer, proto: 'http' | 'https'): void {
  const requestId = requestIdOf(req.headers);
  const target = req.url ?? '/';
  const rawHost = rawHostOf(req);
  const rec: RequestRecord = { method: req.method ?? '', host: rawHost ?? '', path: target, status: 0, bytes: 0,
    startedAt: performance.now(), requestId, protocol: `HTTP/${req.httpVersion}` };
  socket.on('error', () => {});
  socket.once('close', () => record(ctx.log, rec));
  const fail = (status: number, extra = '') => {
    rec.status = status;
    const body = `${status} ${STATUS_CODES[status]}\n`;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n`
      + `X-Request-ID: ${requestId}\r\n${extra}Connection: close\r\n\r\n${body}`);
  };

  if (rawHost === undefined || !target.startsWith('/')) return fail(400);
  const route = ctx.routes.current().match(routeHostOf(rawHost), pathOf(target));
  if (!route) return fail(404);
  rec.routeHost = route.host;
  if (route.sslRedirect && proto === 'http') {
    const port = ctx.httpsPort === 443 ? '' : `:${ctx.httpsPort}`;
    return fail(308, `Location: https://${routeHostOf(rawHost)}${port}${target}\r\n`);
  }
  const { backend, ingress } = chooseBackend(route, req.headers);
  rec.ingress = ingress;
  rec.service = backend?.service;
  if (!backend || backend.endpoints.length === 0 || backend.protocol === 'GRPC') return fail(503);

  const clientIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const headers = upstreamHeaders(req.headers, { clientIp, proto, host: rawHost, port: req.socket.localPort ?? 0, requestId }, KEEP);
  let text = `${req.method} ${rewrittenTarget(route, target)} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) text += `${name}: ${v}\r\n`;
  }
  text += '\r\n';

  const tried = new Set<string>();
  const attempt = () => {
    const fresh = backend.endpoints.filter((e) => !tried.has(`${e.ip}:${e.port}`));
    const ep = fresh[Math.floor(Math.random() * fresh.length)];
    const key = `${ep.ip}:${ep.port}`;
    tried.add(key);
    rec.upstream = key;
    const up = backend.protocol === 'HTTPS'
      ? tls.connect({ host: ep.ip, port: ep.port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: ep.ip, port: ep.port });
    const timer = setTimeout(() => up.destroy(Object.assign(new Error('connect timeout'), { code: 'ECONNECTTIMEOUT' })), ctx.connectTimeoutMs);
    let connected = false;
    up.once(backend.protocol === 'HTTPS' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      connected = true;
      up.setNoDelay(true);
      up.write(text);
      if (head.length > 0) up.write(head);
      up.once('data', (chunk: Buffer) => { rec.status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(chunk.toString('latin1', 0, 16))?.[1] ?? 0); });
      up.on('data', (chunk: Buffer) => { rec.bytes += chunk.length; });
      up.pipe(socket);
      socket.pipe(up);
      socket.once('close', () => up.destroy());
      up.once('close', () => socket.destroy());
    });
    up.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (connected || socket.destroyed) return void socket.destroy();
      if (tried.size < Math.min(MAX_TRIES, backend.endpoints.length)) return attempt();
      fail(err.code === 'ECONNECTTIMEOUT' ? 504 : 502);
    });
  };
  attempt();
}
