/**
 * @module Slowloris protection and parser errors for the proxy's listeners. Node 20 does not apply
 * headersTimeout to the HTTP/1.1 connections of an http2 server with allowHTTP1, so HTTPS
 * HTTP/1.1 connections get their own deadline for each request head: armed when the connection
 * is made and after each response, cleared when a request (or upgrade) arrives.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** A bare HTTP/1.1 answer written on the socket, which then closes (no request object exists). */
export function rawReply(socket: Duplex, status: number): void {
  const body = `${status} ${http.STATUS_CODES[status]}\n`;
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=utf-8\r\n`
    + `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Answers what Node's parser rejects (431 head too large, 408 too slow, else 400) when the socket can still take it. */
export function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (socket as Socket).bytesWritten > 0) return void socket.destroy();
  rawReply(socket, err.code === 'HPE_HEADER_OVERFLOW' ? 431
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'HPE_HEADERS_TIMEOUT' ? 408 : 400);
}

export class HeadDeadlines {
  private readonly timers = new WeakMap<Duplex, NodeJS.Timeout>();
  constructor(private readonly ms: number) {}

  /** A new connection: its first request head is due within the deadline. */
  watch(socket: Duplex): void {
    socket.once('close', () => this.clear(socket));
    this.arm(socket);
  }

  /** A request head arrived on this socket; the next one is due after its response. */
  received(socket: Duplex, res?: http.ServerResponse): void {
    this.clear(socket);
    res?.once('finish', () => { if (!socket.destroyed) this.arm(socket); });
  }

  private arm(socket: Duplex): void {
    this.clear(socket);
    const t = setTimeout(() => {
      if ((socket as Socket).bytesWritten > 0) socket.destroy();
      else rawReply(socket, 408);
    }, this.ms);
    t.unref();
    this.timers.set(socket, t);
  }

  private clear(socket: Duplex): void {
    clearTimeout(this.timers.get(socket));
    this.timers.delete(socket);
  }
}
