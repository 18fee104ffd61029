/**
 * @module HTTP/1.1 Upgrade (WebSocket) through the proxy: routed like any request, then the
 * request is written to a fresh connection to the endpoint and the two sockets are piped both
 * ways, so the endpoint answers the handshake and frames pass untouched.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ProxyContext } from './handler.js';
import { requestIdOf, upstreamHeaders } from './headers.js';
import { answerText } from './http1/answer.js';
import type { RequestHead } from './http1/head.js';
import { record, type RequestRecord } from './metrics.js';
import { clientAddress } from './request-info.js';
import { rewrittenTarget } from './rewrite.js';
import { pickEndpoint, routeRequest } from './route-request.js';

const MAX_TRIES = 3;
const KEEP = new Set(['connection', 'upgrade']);

export function handleUpgrade(ctx: ProxyContext, req: RequestHead, socket: net.Socket, head: Buffer, proto: 'http' | 'https'): void {
  const requestId = requestIdOf(req.requestId);
  const rec: RequestRecord = { method: req.method, host: req.host ?? '', path: req.target, status: 0, bytes: 0,
    startedAt: performance.now(), requestId, protocol: `HTTP/1.${req.minor}` };
  socket.once('close', () => record(ctx.log, rec));
  const fail = (status: number, extra = '') => {
    rec.status = status;
    socket.end(answerText(status, `X-Request-ID: ${requestId}\r\n${extra}Connection: close\r\n`));
  };

  const routing = routeRequest(ctx, rec, { target: req.target, host: req.host, contentLength: req.contentLength, headers: () => req.headers }, proto);
  if (!routing.forward) return fail(routing.status, routing.location ? `Location: ${routing.location}\r\n` : '');
  const { backend, route, rawHost } = routing;
  if (backend.protocol === 'GRPC') return fail(503);

  const headers = upstreamHeaders(req.headers, { clientIp: clientAddress(socket.remoteAddress), proto, host: rawHost, port: socket.localPort ?? 0, requestId }, KEEP);
  let text = `${req.method} ${rewrittenTarget(route, req.target)} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) text += `${name}: ${v}\r\n`;
  }
  text += '\r\n';

  const tried = new Set<string>();
  const attempt = () => {
    const ep = pickEndpoint(backend, tried, rec);
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
      socket.resume();
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
