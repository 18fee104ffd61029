/**
 * @module An HTTP/1.x client connection to the proxy (plain, or TLS after ALPN chose
 * http/1.1): request heads read off the socket one at a time, each served by an Exchange;
 * pipelined requests wait in the buffer (the socket paused) until the response before them is
 * done. Deadlines as nginx's: client_header_timeout for a request head (a slow client gets 408,
 * which is what stops slowloris), keepalive_timeout between requests. Heads over the limit get
 * 431, malformed ones 400 (505 for other HTTP versions), and the connection closes.
 * Upgrade requests (WebSocket) leave this loop for a byte pipe to the endpoint.
 */
import type net from 'node:net';
import type { ProxyContext } from '../handler.js';
import { connectionForwardingLines, connectionTokens } from '../headers.js';
import { clientAddress } from '../request-info.js';
import { answerText } from './answer.js';
import { Exchange, type ClientSide } from './exchange.js';
import { HeadError, parseRequestHead, type RequestHead } from './head.js';

export interface Http1Options {
  /** Time a client has to send a request head (nginx's client_header_timeout). */
  headersTimeoutMs: number;
  /** Time an idle keep-alive connection is kept (nginx's keepalive_timeout). */
  keepAliveMs: number;
  /** Larger request heads get 431. */
  maxHeadBytes: number;
  /** Hands over a connection whose request asked for an Upgrade. */
  upgrade(head: RequestHead, socket: net.Socket, rest: Buffer): void;
}

const enum Wait { None, Idle, Head }

export class Http1Connection implements ClientSide {
  private buf: Buffer | undefined;
  private exchange: Exchange | undefined;
  private pumping = false;
  private closed = false;
  /** Upgraded, closing or answered with an error: no further request is read. */
  private over = false;
  /** The client sent FIN: answer what it asked, then close. */
  private ended = false;
  private wait = Wait.Head;
  private waitSince = performance.now();
  private timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires (0: none pending). */
  private timerDue = 0;

  readonly clientIp: string;
  readonly forwarding: string;

  constructor(readonly socket: net.Socket, readonly proto: 'http' | 'https', readonly ctx: ProxyContext, private readonly o: Http1Options) {
    socket.setNoDelay(true);
    this.clientIp = clientAddress(socket.remoteAddress);
    this.forwarding = connectionForwardingLines({ clientIp: this.clientIp, proto, port: socket.localPort ?? 0 });
    socket.on('data', this.onData);
    socket.on('drain', () => this.exchange?.clientDrain());
    socket.on('end', () => {
      this.ended = true;
      if (!this.exchange && !this.over) this.finish();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.clearTimer();
      this.exchange?.clientClosed();
      this.exchange = undefined;
    });
    this.armTimer(o.headersTimeoutMs);
  }

  exchangeDone(keepAlive: boolean): void {
    this.exchange = undefined;
    if (!keepAlive || this.ended) {
      this.finish();
      return;
    }
    this.startWait(Wait.Idle);
    if (!this.pumping) this.pump();
  }

  private readonly onData = (chunk: Buffer): void => {
    try {
      this.take(chunk);
    } catch (err) {
      // A bug must not escape into the event loop (ending the process) nor leave the client waiting.
      if (this.exchange) return this.exchange.internalError(err);
      this.ctx.log.error({ err }, 'ingress: connection failed inside the proxy');
      this.over = true;
      this.socket.destroy();
    }
  };

  private take(chunk: Buffer): void {
    if (this.exchange) {
      const leftover = this.exchange.clientData(chunk);
      if (leftover) {
        this.buf = this.buf ? Buffer.concat([this.buf, leftover]) : leftover;
        if (this.exchange) this.socket.pause();
        else if (!this.pumping) this.pump();
      }
      return;
    }
    this.buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    this.pump();
  }

  /** Serves the buffered requests one by one until one is still running or the buffer holds no whole head. */
  private pump(): void {
    this.pumping = true;
    try {
      while (!this.exchange && this.buf && !this.closed && !this.over) {
        const buf = this.buf;
        let start = 0;
        // RFC 9112 §2.2: empty lines before a request line are ignored.
        while (start < buf.length && (buf[start] === 13 || buf[start] === 10)) start++;
        if (start === buf.length) {
          this.buf = undefined;
          break;
        }
        const end = buf.indexOf('\r\n\r\n', start, 'latin1');
        if (end < 0 || end - start > this.o.maxHeadBytes) {
          if (buf.length - start > this.o.maxHeadBytes) return this.refuse(431);
          this.buf = start === 0 ? buf : buf.subarray(start);
          if (this.wait === Wait.Idle) this.startWait(Wait.Head);
          break;
        }
        let head: RequestHead;
        try {
          head = parseRequestHead(buf.toString('latin1', start, end));
        } catch (err) {
          return this.refuse(err instanceof HeadError ? err.status : 400);
        }
        const rest = buf.subarray(end + 4);
        this.buf = undefined;
        this.wait = Wait.None;
        if (head.upgrade !== undefined && head.connection !== undefined && connectionTokens(head.connection)?.has('upgrade')) {
          this.over = true;
          this.socket.off('data', this.onData);
          // Paused until the endpoint is connected and piped: nothing may be emitted to no listener.
          this.socket.pause();
          this.clearTimer();
          this.o.upgrade(head, this.socket, rest);
          return;
        }
        const exchange = new Exchange(this, head);
        this.exchange = exchange;
        const leftover = exchange.start(rest);
        if (leftover) this.buf = leftover;
      }
      if (this.exchange && this.buf) this.socket.pause();
      else if (this.socket.isPaused() && !this.closed) this.socket.resume();
    } finally {
      this.pumping = false;
    }
  }

  /** A bad request head: the answer, then the connection closes (the stream cannot be trusted past it). */
  private refuse(status: number): void {
    this.buf = undefined;
    this.over = true;
    this.wait = Wait.None;
    this.clearTimer();
    rawReply(this.socket, status);
  }

  private finish(): void {
    this.over = true;
    this.wait = Wait.None;
    this.clearTimer();
    this.socket.end();
    // A client that never reads the rest of its answer does not hold the socket.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  private startWait(kind: Wait): void {
    this.wait = kind;
    this.waitSince = performance.now();
    this.armTimer(kind === Wait.Head ? this.o.headersTimeoutMs : this.o.keepAliveMs);
  }

  /** One timer per connection: kept when the pending one fires early enough, checked against waitSince when it fires. */
  private armTimer(ms: number): void {
    const due = performance.now() + ms;
    if (this.timerDue !== 0 && this.timerDue <= due + 1) return;
    clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(this.onTimer, ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timerDue = 0;
  }

  private readonly onTimer = (): void => {
    this.timerDue = 0;
    if (this.closed || this.wait === Wait.None) return;
    const limit = this.wait === Wait.Head ? this.o.headersTimeoutMs : this.o.keepAliveMs;
    const left = this.waitSince + limit - performance.now();
    if (left > 1) return this.armTimer(left);
    if (this.wait === Wait.Idle) return this.finish();
    this.wait = Wait.None;
    this.over = true;
    if (this.socket.bytesWritten > 0) this.socket.destroy();
    else rawReply(this.socket, 408);
  };
}

/** A bare answer written on the socket, which then closes. */
export function rawReply(socket: net.Socket, status: number): void {
  socket.end(answerText(status, 'Connection: close\r\n'));
  setTimeout(() => socket.destroy(), 1000).unref();
}
