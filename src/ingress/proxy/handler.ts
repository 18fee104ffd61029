/**
 * @module One request of an HTTP/2 client (HTTP/1.x clients are served by http1/), from route
 * lookup to the last response byte: 400/404/308/503/413 answered by the proxy itself, then the
 * request streamed to a random ready endpoint (HTTP, HTTPS or h2c for GRPC) and the response
 * streamed back. Connect failures of idempotent requests move on to another endpoint; a failure
 * before the response is a 502 (504 on timeout), after it the stream is reset.
 */
import http, { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { Logger } from 'pino';
import type { Backend, Route } from '../types.js';
import { endToEnd, requestIdOf, upstreamHeaders } from './headers.js';
import { record, type RequestRecord } from './metrics.js';
import { rewrittenTarget } from './rewrite.js';
import { clientAddress } from './request-info.js';
import { mayRetry, pickEndpoint, routeRequest, type RoutingContext } from './route-request.js';
import type { Upstreams } from './upstreams.js';

export interface ProxyContext extends RoutingContext {
  upstreams: Upstreams;
  log: Logger;
  connectTimeoutMs: number;
}

type Request = http2.Http2ServerRequest;
type Response = http2.Http2ServerResponse;

/** Everything one forwarding attempt needs; `tried` grows with each endpoint attempted. */
interface Forward {
  ctx: ProxyContext;
  req: Request;
  res: Response;
  route: Route;
  backend: Backend;
  headers: OutgoingHttpHeaders;
  target: string;
  rec: RequestRecord;
  tried: Set<string>;
  noBody: boolean;
}

export function handleH2Request(ctx: ProxyContext, req: Request, res: Response): void {
  const requestId = requestIdOf(req.headers['x-request-id']);
  const target = req.url ?? '/';
  const host = req.headers[':authority'] ?? req.headers.host;
  const rec: RequestRecord = { method: req.method ?? '', host: host ?? '', path: target, status: 0, bytes: 0,
    startedAt: performance.now(), requestId, protocol: 'HTTP/2.0' };
  req.on('error', () => {});
  res.on('error', () => {});
  res.once('close', () => {
    rec.status = res.headersSent ? res.statusCode : 499;
    record(ctx.log, rec);
  });
  const cl = req.headers['content-length'];
  const routing = routeRequest(ctx, rec, { target, host, contentLength: cl === undefined ? undefined : Number(cl), headers: () => req.headers }, 'https');
  if (!routing.forward) return reply(res, routing.status, requestId, routing.location ? { location: routing.location } : {});
  const { route, backend, rawHost } = routing;
  const headers = upstreamHeaders(req.headers, { clientIp: clientAddress(req.socket.remoteAddress), proto: 'https', host: rawHost, port: req.socket.localPort ?? 0, requestId });
  const noBody = req.stream.endAfterHeaders || req.headers['content-length'] === '0';
  const f: Forward = { ctx, req, res, route, backend, headers, target: rewrittenTarget(route, target), rec, tried: new Set(), noBody };
  if (backend.protocol === 'GRPC') forwardH2c(f);
  else forwardHttp(f);
}

/** A short text answer from the proxy itself; once headers went out, the stream is reset instead. */
function reply(res: Response, status: number, requestId: string, extra: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${status} ${STATUS_CODES[status]}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId, ...extra });
  res.end(body);
}

function forwardHttp(f: Forward): void {
  const { ctx, req, res, route } = f;
  const ep = pickEndpoint(f.backend, f.tried, f.rec);
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
          reply(res, 413, f.rec.requestId);
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
    upRes.pipe(res);
  });
  up.on('error', (err: NodeJS.ErrnoException) => {
    res.off('close', onClientGone);
    if (limitHit || res.destroyed) return;
    if (answered) return void res.destroy();
    if (mayRetry(err.code, req.method, bodySent, f.tried.size, f.backend) && !res.destroyed) {
      ctx.log.debug({ err: err.message, upstream: `${ep.ip}:${ep.port}`, requestId: f.rec.requestId }, 'ingress: trying another endpoint');
      return forwardHttp(f);
    }
    reply(res, err.code === 'ETIMEDOUT' || err.code === 'ECONNECTTIMEOUT' ? 504 : 502, f.rec.requestId);
  });
}

/** GRPC backends: the request as an h2c stream on the endpoint's shared session, trailers passed on. */
function forwardH2c(f: Forward): void {
  const { ctx, req, res, route } = f;
  const ep = pickEndpoint(f.backend, f.tried, f.rec);
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
    stream.pipe(res);
  });
  stream.on('trailers', (t) => {
    res.addTrailers(endToEnd(t as http.IncomingHttpHeaders) as Record<string, string>);
  });
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (res.destroyed) return;
    if (answered) return void res.destroy();
    reply(res, err.code === 'ETIMEDOUT' ? 504 : 502, f.rec.requestId);
  });
  // A session that never connected may close its streams without an error.
  stream.on('close', () => { if (!answered && !res.headersSent && !res.destroyed) reply(res, 502, f.rec.requestId); });
}
