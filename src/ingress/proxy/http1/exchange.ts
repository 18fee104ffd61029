/**
 * @module One HTTP/1.x request through the proxy on raw sockets: routed, written to a pooled
 * connection to a random ready endpoint with the forwarding headers, its body passed through as
 * it arrives (with backpressure both ways, chunked kept chunked), the response head rewritten
 * (hop-by-hop fields out, X-Request-ID in) and its body passed back the same way. Connect
 * failures of idempotent requests without a body sent move on to another endpoint (nginx's
 * proxy_next_upstream error timeout); a keep-alive connection the endpoint closed meanwhile is
 * replaced without counting as a try. Before the response head: 502, or 504 on a timeout;
 * after it the client connection is cut.
 */
import type net from 'node:net';
import type { ProxyContext } from '../handler.js';
import { forwardingLines, requestIdOf, type HeaderMap } from '../headers.js';
import { record, type RequestRecord } from '../metrics.js';
import { rewrittenTarget } from '../rewrite.js';
import { IDEMPOTENT, mayRetry, pickEndpoint, routeRequest } from '../route-request.js';
import type { Backend, Route } from '../../types.js';
import { answerText } from './answer.js';
import { chunkedBody, emptyBody, lengthBody, untilCloseBody, type BodyFramer, type PayloadSink } from './body.js';
import { clientKeepsAlive, isChunked, REQUEST_DROP, type RequestHead } from './head.js';
import type { UpstreamConnection, UpstreamOwner } from './pool.js';
import { clientResponseHead, parseResponseHead, type ResponseHead } from './response-head.js';

/** What an exchange needs from the client connection it serves. */
export interface ClientSide {
  readonly socket: net.Socket;
  readonly proto: 'http' | 'https';
  readonly ctx: ProxyContext;
  /** The client's address (asked of the socket once: a system call). */
  readonly clientIp: string;
  /** The forwarding field lines that depend only on this connection (connectionForwardingLines), made once. */
  readonly forwarding: string;
  /** The response is complete (or answered by the proxy); keepAlive says whether the connection takes another request. */
  exchangeDone(keepAlive: boolean): void;
}

const MAX_RESPONSE_HEAD = 64 * 1024;
/** Response body bytes sent in one write with the head. */
const SMALL_BODY = 8 * 1024;
/** Body bytes held while the upstream connection is being made before the client is paused. */
const MAX_PENDING_BODY = 64 * 1024;
/** Keep-alive connections found closed by the endpoint that are replaced before the request fails. */
const MAX_STALE = 3;

export class Exchange implements UpstreamOwner, PayloadSink {
  private readonly rec: RequestRecord;
  private readonly requestBody: BodyFramer;
  private readonly keepAlive: boolean;
  private route!: Route;
  private backend!: Backend;
  private upstreamHead = '';
  private up: UpstreamConnection | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private readonly tried = new Set<string>();
  private stale = 0;
  /** The endpoint of the current attempt. */
  private endpoint = '';
  /** Body bytes received before the upstream connection was ready. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private bodySeen = 0;
  private bodySent = false;
  private responseBytesSeen = false;
  private headBuf: Buffer | undefined;
  private response: ResponseHead | undefined;
  private responseBody: BodyFramer | undefined;
  private dechunk = false;
  private closeClient = false;
  /** False once the response is close-delimited or the endpoint asked to close. */
  private upstreamReusable = true;
  private headSent = false;
  /** A write of bytes in the upstream's read buffer is queued (see writeBody). */
  private inFlight = false;
  private releaseWhenFlushed = false;
  /** The proxy's field lines for the response head, while it is not written yet (it goes with the first body bytes). */
  private headFields: string | undefined;
  /** The response head toward an HTTP/1.0 client, written before the first de-chunked payload. */
  private unsentHead: Buffer | undefined;
  private finished = false;

  constructor(private readonly client: ClientSide, private readonly head: RequestHead) {
    const requestId = requestIdOf(head.requestId);
    this.rec = { method: head.method, host: head.host ?? '', path: head.target, status: 0, bytes: 0,
      startedAt: performance.now(), requestId, protocol: head.minor === 1 ? 'HTTP/1.1' : 'HTTP/1.0' };
    this.requestBody = head.chunked ? chunkedBody() : lengthBody(head.contentLength ?? 0);
    this.keepAlive = clientKeepsAlive(head);
  }

  /** Routes and sends the request; `rest` are the bytes read past the head. Returns bytes past this request's body (a pipelined request). */
  start(rest: Buffer): Buffer | undefined {
    const { ctx, proto } = this.client;
    const routing = routeRequest(ctx, this.rec, this, proto);
    if (!routing.forward) {
      const leftover = this.requestBody.done && rest.length > 0 ? rest : undefined;
      this.reply(routing.status, routing.location ? `Location: ${routing.location}\r\n` : '');
      return leftover;
    }
    this.route = routing.route;
    this.backend = routing.backend;
    const head = this.head;
    const forwarding = forwardingLines(head.forwardedFor, this.client.clientIp, routing.rawHost, this.rec.requestId, this.client.forwarding);
    this.upstreamHead = `${head.method} ${rewrittenTarget(this.route, head.target)} HTTP/1.1\r\n${head.passOn(head.connection, REQUEST_DROP)}`
      + `${head.chunked ? 'Transfer-Encoding: chunked\r\n' : ''}${forwarding}\r\n`;
    const leftover = rest.length > 0 ? this.takeBody(rest) : undefined;
    if (!this.finished) this.attempt();
    return leftover;
  }

  // The request as routing reads it (RequestFacts).
  get target(): string { return this.head.target; }
  get host(): string | undefined { return this.head.host; }
  get contentLength(): number | undefined { return this.head.contentLength; }
  headers(): HeaderMap { return this.head.headers; }

  /** Bytes from the client while this exchange runs; returns those past the request body. */
  clientData(chunk: Buffer): Buffer | undefined {
    if (this.requestBody.done) return chunk;
    return this.takeBody(chunk);
  }

  clientDrain(): void {
    this.up?.socket.resume();
  }

  clientClosed(): void {
    if (this.finished) return;
    this.finished = true;
    this.clearConnectTimer();
    this.up?.destroy();
    this.up = undefined;
    this.rec.status = this.headSent ? this.response!.status : 499;
    record(this.client.ctx.log, this.rec);
  }

  upstreamConnected(): void {
    this.clearConnectTimer();
    this.send();
  }

  upstreamDrain(): void {
    if (!this.requestBody.done) this.client.socket.resume();
  }

  upstreamTimeout(): void {
    this.upstreamFailed(Object.assign(new Error('upstream read timeout'), { code: 'ETIMEDOUT' }));
  }

  upstreamError(err: NodeJS.ErrnoException): void {
    this.upstreamFailed(err);
  }

  upstreamEnd(): void {
    if (this.responseBody && this.responseBody.closed()) return this.complete();
    this.upstreamFailed(Object.assign(new Error('upstream closed the connection'), { code: 'ECONNRESET' }));
  }

  upstreamData(chunk: Buffer): void {
    this.responseBytesSeen = true;
    let buf = chunk;
    let at = 0;
    if (!this.responseBody) {
      buf = this.headBuf ? Buffer.concat([this.headBuf, chunk]) : chunk;
      this.headBuf = undefined;
      at = this.readResponseHead(buf);
      if (at < 0) return;
    }
    this.passResponseBody(buf, at);
  }

  /** Parses 1xx and final response heads from buf; returns where the body starts, or -1 (more bytes needed, or failed). */
  private readResponseHead(buf: Buffer): number {
    let at = 0;
    for (;;) {
      const end = buf.indexOf('\r\n\r\n', at, 'latin1');
      if (end < 0) {
        if (buf.length - at > MAX_RESPONSE_HEAD) this.upstreamFailed(Object.assign(new Error('upstream response head too large'), { code: 'EPROTO' }));
        else this.headBuf = Buffer.from(at === 0 ? buf : buf.subarray(at));
        return -1;
      }
      const res = parseResponseHead(buf, at, end);
      if (!res || res.status === 101) {
        this.upstreamFailed(Object.assign(new Error('invalid upstream response'), { code: 'EPROTO' }));
        return -1;
      }
      if (res.status >= 200) {
        this.writeResponseHead(res);
        return end + 4;
      }
      // 100 Continue and 103 Early Hints go to HTTP/1.1 clients as they are.
      if (this.head.minor === 1) this.client.socket.write(Buffer.from(buf.subarray(at, end + 4)));
      at = end + 4;
    }
  }

  private writeResponseHead(res: ResponseHead): void {
    this.response = res;
    const te = res.transferEncoding;
    let framing: string;
    if (this.head.method === 'HEAD' || res.status === 204 || res.status === 304) {
      this.responseBody = emptyBody();
      framing = '';
    } else if (te !== undefined) {
      const chunked = isChunked(te);
      this.responseBody = chunked ? chunkedBody() : untilCloseBody();
      this.upstreamReusable = chunked;
      this.dechunk = chunked && this.head.minor === 0;
      this.closeClient = !chunked || this.dechunk;
      framing = chunked && !this.dechunk ? 'Transfer-Encoding: chunked\r\n' : '';
    } else if (res.contentLength !== undefined) {
      const cl = res.contentLength;
      if (Number.isNaN(cl)) return void this.upstreamFailed(Object.assign(new Error('invalid upstream Content-Length'), { code: 'EPROTO' }));
      this.responseBody = lengthBody(cl);
      framing = '';
    } else {
      this.responseBody = untilCloseBody();
      this.closeClient = true;
      this.upstreamReusable = false;
      framing = '';
    }
    if (res.minor === 0 || res.closes) this.upstreamReusable = false;
    let fields = `X-Request-ID: ${this.rec.requestId}\r\n${framing}`;
    if (this.closeClient || !this.keepAlive) fields += 'Connection: close\r\n';
    else if (this.head.minor === 0) fields += 'Connection: keep-alive\r\n';
    this.headSent = true;
    this.clearConnectTimer();
    // Built now (the head's bytes are in this read's buffer); de-chunked payloads come from inside the body framer.
    if (this.dechunk) this.unsentHead = clientResponseHead(res, fields);
    // Else written with the first body bytes (passResponseBody): one write for a small response.
    else this.headFields = fields;
  }

  private passResponseBody(buf: Buffer, at: number): void {
    const body = this.responseBody!;
    const socket = this.client.socket;
    const end = body.consume(buf, at, this);
    if (body.error) return this.upstreamFailed(Object.assign(new Error(body.error), { code: 'EPROTO' }));
    let ok = true;
    const fields = this.headFields;
    if (fields !== undefined) {
      this.headFields = undefined;
      const res = this.response!;
      // Small bodies ride in the head's buffer; a second write costs more than copying a few KB.
      if (end - at <= SMALL_BODY) ok = socket.write(clientResponseHead(res, fields, buf, at, end));
      else ok = this.writeBody(buf.subarray(at, end), clientResponseHead(res, fields));
    } else if (this.unsentHead !== undefined) {
      // An HTTP/1.0 client's head before the de-chunked body (which payload() may have written already).
      ok = socket.write(this.unsentHead);
      this.unsentHead = undefined;
    } else if (!this.dechunk && end > at) {
      ok = this.writeBody(at === 0 && end === buf.length ? buf : buf.subarray(at, end));
    }
    if (!ok) this.up?.socket.pause();
    if (end < buf.length) {
      // Bytes past the response: the endpoint broke framing, so its connection is not reused.
      this.up?.destroy();
      this.up = undefined;
    }
    if (body.done) this.complete();
  }

  /** The response body's payload (PayloadSink): counted, and written de-chunked to HTTP/1.0 clients. */
  payload(b: Buffer, s: number, e: number): void {
    this.rec.bytes += e - s;
    if (!this.dechunk) return;
    if (this.unsentHead !== undefined) {
      this.client.socket.write(this.unsentHead);
      this.unsentHead = undefined;
    }
    if (!this.writeBody(b.subarray(s, e))) this.up?.socket.pause();
  }

  /**
   * Writes response body bytes to the client. Bytes in a pooled connection's read buffer
   * (ephemeral) are copied when the client socket is queueing anyway (a queued chunk is only
   * referenced). Otherwise they go as they are: TLS encrypts what it is handed at once; over
   * plain TCP, if the kernel did not take them all, the upstream reads nothing more until they
   * are flushed (and is not handed to another exchange before).
   */
  private writeBody(bytes: Buffer, head?: Buffer): boolean {
    const socket = this.client.socket;
    if (head) {
      if (this.client.proto === 'https' && socket.writableLength === 0) {
        // One writev that TLS encrypts at once: written apart, the head's write (which TLS
        // completes a turn later) would queue the body and make it be copied below.
        socket.cork();
        socket.write(head);
        const ok = socket.write(bytes);
        socket.uncork();
        return ok;
      }
      socket.write(head);
    }
    if (!this.up?.ephemeral) return socket.write(bytes);
    if (socket.writableLength > 0) return socket.write(Buffer.from(bytes));
    if (this.client.proto === 'https') return socket.write(bytes);
    const ok = socket.write(bytes, this.flushedCallback ??= (err) => this.flushed(err));
    if (socket.writableLength > 0) {
      this.inFlight = true;
      this.up.socket.pause();
    }
    return ok;
  }

  private flushedCallback: ((err?: Error | null) => void) | undefined;

  private flushed(err?: Error | null): void {
    if (!this.inFlight) return;
    this.inFlight = false;
    const up = this.up;
    if (!up) return;
    if (err) {
      if (this.finished) { up.destroy(); this.up = undefined; }
      return;
    }
    if (this.releaseWhenFlushed) {
      this.up = undefined;
      up.release();
    } else if (!this.finished) {
      up.socket.resume();
    }
  }

  private complete(): void {
    if (this.finished) return;
    this.finished = true;
    const res = this.response!;
    this.rec.status = res.status;
    if (this.up) {
      if (!this.upstreamReusable || !this.requestBody.done) this.up.destroy();
      else if (this.inFlight) this.releaseWhenFlushed = true;
      else this.up.release();
      if (!this.releaseWhenFlushed) this.up = undefined;
    }
    record(this.client.ctx.log, this.rec);
    this.client.exchangeDone(this.keepAlive && !this.closeClient && this.requestBody.done);
  }

  /** Request body bytes from buf (counted against proxy-body-size); returns bytes past the body. */
  private takeBody(buf: Buffer): Buffer | undefined {
    const max = this.route?.maxBodyBytes ?? 0;
    const end = this.requestBody.consume(buf, 0, max > 0 ? { payload: (_b, s, e) => { this.bodySeen += e - s; } } : undefined);
    if (this.requestBody.error) {
      this.reply(400, '', true);
      return undefined;
    }
    if (max > 0 && this.bodySeen > max) {
      this.reply(413, '', true);
      return undefined;
    }
    if (end > 0 && !this.finished) this.forwardBody(end === buf.length ? buf : buf.subarray(0, end));
    return end < buf.length ? buf.subarray(end) : undefined;
  }

  private forwardBody(bytes: Buffer): void {
    if (this.up?.connected && this.pending.length === 0 && this.upstreamHead === '') {
      this.bodySent = true;
      this.up.active();
      if (!this.up.socket.write(bytes)) this.client.socket.pause();
      return;
    }
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes > MAX_PENDING_BODY) this.client.socket.pause();
  }

  private attempt(): void {
    const ep = pickEndpoint(this.backend, this.tried, this.rec);
    this.endpoint = ep.key;
    this.up = this.client.ctx.upstreams.h1.acquire(this.backend.protocol, ep.ip, ep.port, this);
    if (this.up.connected) return this.send();
    this.connectTimer = setTimeout(() => this.upstreamFailed(Object.assign(new Error('upstream connect timeout'), { code: 'ECONNECTTIMEOUT' })),
      this.client.ctx.connectTimeoutMs);
  }

  /** Writes the head and the body bytes held so far to the connected upstream. */
  private send(): void {
    const up = this.up!;
    const socket = up.socket;
    // A parked connection keeps this as its idle timeout (pool.ts).
    up.active(this.route.readTimeoutMs);
    const corked = this.pending.length > 0;
    if (corked) socket.cork();
    socket.write(this.upstreamHead, 'latin1');
    // Kept for a retry only while nothing of the body went out.
    if (this.pending.length > 0) {
      this.bodySent = true;
      for (const b of this.pending) socket.write(b);
      this.pending = [];
      this.pendingBytes = 0;
      this.client.socket.resume();
      this.upstreamHead = '';
    } else if (this.bodySent || !this.requestBody.done) {
      this.upstreamHead = '';
    }
    if (corked) socket.uncork();
  }

  private upstreamFailed(err: NodeJS.ErrnoException): void {
    if (this.finished) return;
    const up = this.up;
    this.clearConnectTimer();
    up?.destroy();
    this.up = undefined;
    if (this.headSent) {
      // Part of the response went out: the client can only learn of the failure by the cut.
      this.finished = true;
      this.rec.status = this.response!.status;
      record(this.client.ctx.log, this.rec);
      this.client.socket.destroy();
      return;
    }
    const retryHead = this.upstreamHead !== '';
    if (up?.reused && !this.responseBytesSeen && retryHead && IDEMPOTENT.has(this.head.method) && this.stale < MAX_STALE) {
      // The endpoint closed a keep-alive connection as the request went out: not the endpoint's failure.
      this.stale++;
      this.tried.delete(this.endpoint);
      return this.attempt();
    }
    if (retryHead && !this.responseBytesSeen && mayRetry(err.code, this.head.method, this.bodySent, this.tried.size, this.backend)) {
      this.client.ctx.log.debug({ err: err.message, upstream: this.rec.upstream, requestId: this.rec.requestId }, 'ingress: trying another endpoint');
      return this.attempt();
    }
    this.reply(err.code === 'ETIMEDOUT' || err.code === 'ECONNECTTIMEOUT' ? 504 : 502, '', !this.requestBody.done);
  }

  /**
   * An exception inside the proxy while serving this exchange (a bug, or a route it cannot
   * handle): 502 and close, as for a failed upstream, or the client cut once the response began
   * or the exchange's state cannot be trusted to answer.
   */
  internalError(err: unknown): void {
    this.client.ctx.log.error({ err, requestId: this.rec.requestId }, 'ingress: request failed inside the proxy');
    if (!this.finished && !this.headSent) {
      try {
        return this.reply(502, '', true);
      } catch {
        // Answering failed too: cut below.
      }
    }
    this.finished = true;
    this.clearConnectTimer();
    this.up?.destroy();
    this.up = undefined;
    this.client.socket.destroy();
  }

  /** A short text answer from the proxy itself (never after a response head went out). */
  private reply(status: number, extra: string, close = false): void {
    if (this.finished) return;
    if (this.headSent) return this.upstreamFailed(Object.assign(new Error(`request failed with ${status} after the response began`), { code: 'EPROTO' }));
    this.finished = true;
    this.clearConnectTimer();
    this.up?.destroy();
    this.up = undefined;
    this.rec.status = status;
    // An unread request body cannot be skipped safely, and after a bad request (as nginx) the connection closes.
    const keepAlive = this.keepAlive && !close && status !== 413 && status !== 400 && this.requestBody.done;
    const connection = keepAlive ? (this.head.minor === 0 ? 'Connection: keep-alive\r\n' : '') : 'Connection: close\r\n';
    this.client.socket.write(answerText(status, `X-Request-ID: ${this.rec.requestId}\r\n${extra}${connection}`, this.head.method === 'HEAD'), 'latin1');
    record(this.client.ctx.log, this.rec);
    this.client.exchangeDone(keepAlive);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }
}
