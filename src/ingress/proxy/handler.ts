/**
 * @module One proxied request, from route lookup to the last response byte: 400/404/308/503/413
 * answered by the proxy itself, then the request streamed to a random ready endpoint (HTTP,
 * HTTPS or h2c for GRPC) and the response streamed back. Connect failures of idempotent requests
 * move on to another endpoint (nginx's proxy_next_upstream error timeout, 3 tries; not for GRPC
 * streams); a failure before the response is a 502 (504 on timeout), after it the client
 * connection is cut.
 */
import http, { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { Logger } from 'pino';
import type { Backend, Route, RouteTable } from '../types.js';
import { chooseBackend } from './canary.js';
import { endToEnd, requestIdOf, upstreamHeaders, type ForwardContext } from './headers.js';
import { record, type RequestRecord } from './metrics.js';
import { rewrittenTarget } from './rewrite.js';
import { bodyless, pathOf, rawHostOf, routeHostOf, type ClientRequest } from './request-info.js';
import type { Upstreams } from './upstreams.js';

export type ClientResponse = http.ServerResponse | http2.Http2ServerResponse;

export interface ProxyContext {
  routes: { current(): RouteTable };
  upstreams: Upstreams;
  log: Logger;
  /** The HTTPS port redirects point at (omitted from the URL when 443). */
  httpsPort: number;
  connectTimeoutMs: number;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const MAX_TRIES = 3;
const RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNECTTIMEOUT']);

/** Everything one forwarding attempt needs; `tried` grows with each endpoint attempted. */
interface Forward {
  ctx: ProxyContext;
  req: ClientRequest;
  res: ClientResponse;
  route: Route;
  backend: Backend;
  headers: OutgoingHttpHeaders;
  target: string;
  rec: RequestRecord;
  tried: Set<string>;
  noBody: boolean;
}

export function handleRequest(ctx: ProxyContext, req: ClientRequest, res: ClientResponse, proto: 'http' | 'https'): void {
  const requestId = requestIdOf(req.headers);
  const target = req.url ?? '/';
  const rawHost = rawHostOf(req);
  const rec: RequestRecord = { method: req.method ?? '', host: rawHost ?? '', path: target, status: 0, bytes: 0,
    startedAt: performance.now(), requestId, protocol: `HTTP/${req.httpVersion}` };
  req.on('error', () => {});
  res.on('error', () => {});
  res.once('close', () => {
    rec.status = res.headersSent ? res.statusCode : 499;
    record(ctx.log, rec);
  });

  if (rawHost === undefined || !target.startsWith('/')) return reply(res, 400, requestId);
  const route = ctx.routes.current().match(routeHostOf(rawHost), pathOf(target));
  if (!route) return reply(res, 404, requestId);
  rec.routeHost = route.host;
  rec.ingress = route.ingress;
  if (route.sslRedirect && proto === 'http') {
    const port = ctx.httpsPort === 443 ? '' : `:${ctx.httpsPort}`;
    return reply(res, 308, requestId, { location: `https://${routeHostOf(rawHost)}${port}${target}` });
  }
  const { backend, ingress } = chooseBackend(route, req.headers);
  rec.ingress = ingress;
  rec.service = backend?.service;
  if (!backend || backend.endpoints.length === 0) return reply(res, 503, requestId);
  const cl = Number(req.headers['content-length'] ?? 0);
  if (route.maxBodyBytes > 0 && cl > route.maxBodyBytes) return reply(res, 413, requestId, { connection: 'close' });

  const fc: ForwardContext = { clientIp: clientIp(req), proto, host: rawHost, port: req.socket.localPort ?? 0, requestId };
  const headers = upstreamHeaders(req.headers, fc);
  const f: Forward = { ctx, req, res, route, backend, headers, target: rewrittenTarget(route, target), rec, tried: new Set(), noBody: bodyless(req) };
  if (backend.protocol === 'GRPC') forwardH2c(f);
  else forwardHttp(f);
}

/** A short text answer from the proxy itself; once headers went out, the connection is cut instead. */
export function reply(res: ClientResponse, status: number, requestId: string, extra: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${status} ${STATUS_CODES[status]}\n`;
  // HTTP/2 forbids connection headers; closing is HTTP/1.1's way to drop an unread body.
  if ('stream' in res) delete extra.connection;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId, ...extra });
  res.end(body);
}

function clientIp(req: ClientRequest): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function pickEndpoint(f: Forward): { ip: string; port: number } {
  const eps = f.backend.endpoints;
  const fresh = eps.filter((e) => !f.tried.has(`${e.ip}:${e.port}`));
  const list = fresh.length > 0 ? fresh : eps;
  const ep = list[Math.floor(Math.random() * list.length)];
  const key = `${ep.ip}:${ep.port}`;
  f.tried.add(key);
  f.rec.upstream = f.rec.upstream ? `${f.rec.upstream}, ${key}` : key;
  return ep;
}

/** True when this failure may go to another endpoint: nothing of the request or response has passed. */
function mayRetry(f: Forward, err: NodeJS.ErrnoException, bodySent: boolean): boolean {
  return RETRYABLE.has(err.code ?? '') && !bodySent && IDEMPOTENT.has(f.req.method ?? '')
    && f.tried.size < Math.min(MAX_TRIES, f.backend.endpoints.length) && !f.res.destroyed;
}

function forwardHttp(f: Forward): void {
  const { ctx, req, res, route } = f;
  const ep = pickEndpoint(f);
  const agent = ctx.upstreams.agent(f.backend.protocol, ep.ip, ep.port);
  const up = (f.backend.protocol === 'HTTPS' ? https : http).request({
    host: ep.ip, port: ep.port, method: req.method, path: f.target, headers: f.headers, agent, timeout: route.readTimeoutMs,
  });
  let bodySent = false;
  let answered = false;
  let limitHit = false;
  const onClientGone = () => { if (!res.writableFinished) up.destroy(); };
  res.once('close', onClientGone);

  const sendBody = () => {
    if (f.noBody || bodySent) return;
    bodySent = true;
    if (route.maxBodyBytes > 0) {
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > route.maxBodyBytes && !limitHit) {
          limitHit = true;
          req.unpipe(up);
          up.destroy();
          reply(res, 413, f.rec.requestId, { connection: 'close' });
        }
      });
    }
    req.pipe(up);
  };
  if (f.noBody) up.end();
  up.on('socket', (socket) => {
    // Without it Nagle holds the request's second write until the backend's delayed ACK (40 ms).
    socket.setNoDelay(true);
    if (!socket.connecting) return sendBody();
    const timer = setTimeout(() => up.destroy(Object.assign(new Error('upstream connect timeout'), { code: 'ECONNECTTIMEOUT' })), ctx.connectTimeoutMs);
    socket.once('connect', () => { clearTimeout(timer); sendBody(); });
    socket.once('close', () => clearTimeout(timer));
  });
  up.on('timeout', () => up.destroy(Object.assign(new Error('upstream read timeout'), { code: 'ETIMEDOUT' })));
  up.on('response', (upRes) => {
    answered = true;
    if (limitHit) return upRes.resume();
    const headers = endToEnd(upRes.headers);
    headers['x-request-id'] = f.rec.requestId;
    res.writeHead(upRes.statusCode ?? 502, headers);
    upRes.on('data', (chunk: Buffer) => { f.rec.bytes += chunk.length; });
    upRes.on('error', () => res.destroy());
    upRes.pipe(res as NodeJS.WritableStream);
  });
  up.on('error', (err: NodeJS.ErrnoException) => {
    res.off('close', onClientGone);
    if (limitHit || res.destroyed) return;
    if (answered) return void res.destroy();
    if (mayRetry(f, err, bodySent)) {
      ctx.log.debug({ err: err.message, upstream: `${ep.ip}:${ep.port}`, requestId: f.rec.requestId }, 'ingress: trying another endpoint');
      return forwardHttp(f);
    }
    reply(res, err.code === 'ETIMEDOUT' || err.code === 'ECONNECTTIMEOUT' ? 504 : 502, f.rec.requestId);
  });
}

/** GRPC backends: the request as an h2c stream on the endpoint's shared session, trailers passed on. */
function forwardH2c(f: Forward): void {
  const { ctx, req, res, route } = f;
  const ep = pickEndpoint(f);
  const headers: OutgoingHttpHeaders = { ...f.headers, ':method': req.method, ':path': f.target, ':authority': f.headers.host, ':scheme': 'http' };
  delete headers.host;
  if (req.headers.te === 'trailers') headers.te = 'trailers';
  let stream: http2.ClientHttp2Stream;
  try {
    stream = ctx.upstreams.h2c(ep.ip, ep.port).request(headers, { endStream: f.noBody });
  } catch {
    return reply(res, 502, f.rec.requestId);
  }
  let answered = false;
  res.once('close', () => { if (!res.writableFinished) stream.close(http2.constants.NGHTTP2_CANCEL); });
  if (!f.noBody) req.pipe(stream);
  stream.setTimeout(route.readTimeoutMs, () => stream.destroy(Object.assign(new Error('upstream read timeout'), { code: 'ETIMEDOUT' })));
  stream.on('response', (h) => {
    answered = true;
    const out = endToEnd(h as http.IncomingHttpHeaders);
    out['x-request-id'] = f.rec.requestId;
    res.writeHead(Number(h[':status'] ?? 502), out);
    stream.on('data', (chunk: Buffer) => { f.rec.bytes += chunk.length; });
    stream.pipe(res as NodeJS.WritableStream);
  });
  stream.on('trailers', (t) => {
    if ('addTrailers' in res) res.addTrailers(endToEnd(t as http.IncomingHttpHeaders) as Record<string, string>);
  });
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (res.destroyed) return;
    if (answered) return void res.destroy();
    reply(res, err.code === 'ETIMEDOUT' ? 504 : 502, f.rec.requestId);
  });
  // A session that never connected may close its streams without an error.
  stream.on('close', () => { if (!answered && !res.headersSent && !res.destroyed) reply(res, 502, f.rec.requestId); });
}
