/**
 * @module Raw keep-alive connections to endpoints for the HTTP/1.x proxy path: idle ones by
 * protocol and endpoint, newest first (as ingress-nginx's upstream keepalive: 320 idle per
 * endpoint, closed after 60 s unused). Each socket gets its listeners once and passes events to
 * whichever exchange owns it at the moment, so a request costs no listener churn; an idle socket
 * that closes, speaks unasked or stays unused for its socket timeout (the last route's
 * proxy-read-timeout, 60 s by default as upstream-keepalive-timeout) is dropped. HTTPS endpoints are not verified (ingress-nginx's
 * proxy_ssl_verify off).
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Backend } from '../../types.js';

const MAX_IDLE = 320;
const READ_BUFFER_BYTES = 64 * 1024;

/** What an exchange hears from the upstream connection it holds. */
export interface UpstreamOwner {
  upstreamConnected(): void;
  upstreamData(chunk: Buffer): void;
  upstreamEnd(): void;
  upstreamError(err: NodeJS.ErrnoException): void;
  upstreamTimeout(): void;
  upstreamDrain(): void;
}

export class UpstreamConnection {
  owner: UpstreamOwner | undefined;
  /**
   * True when reads land in one buffer kept for the connection's life (plain HTTP): a chunk
   * handed to upstreamData is valid only until the next read, so an owner that keeps a slice (a
   * queued write) must not let the socket read until it is flushed. It spares the garbage
   * collector a fresh 64 KiB buffer per read, which under large responses meant a full
   * collection several times a second.
   */
  readonly ephemeral: boolean;
  /** True once it has served an exchange (a failure on it may be a keep-alive race, not a dead endpoint). */
  reused = false;
  connected = false;

  readonly socket: net.Socket;

  constructor(protocol: Backend['protocol'], ip: string, port: number, readonly key: string, private readonly pool: ConnectionPool) {
    this.ephemeral = protocol !== 'HTTPS';
    const buffer = this.ephemeral ? Buffer.allocUnsafe(READ_BUFFER_BYTES) : undefined;
    const socket = this.socket = buffer
      ? net.connect({ host: ip, port, onread: { buffer, callback: (n) => { this.read(buffer.subarray(0, n)); return true; } } })
      : tls.connect({ host: ip, port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    socket.once(protocol === 'HTTPS' ? 'secureConnect' : 'connect', () => { this.connected = true; socket.setNoDelay(true); this.owner?.upstreamConnected(); });
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('end', () => { if (this.owner) this.owner.upstreamEnd(); else this.drop(); });
    socket.on('error', (err: NodeJS.ErrnoException) => { if (this.owner) this.owner.upstreamError(err); else this.drop(); });
    socket.on('close', () => {
      if (this.owner) this.owner.upstreamError(Object.assign(new Error('upstream closed the connection'), { code: 'ECONNRESET' }));
      else this.drop();
    });
    socket.on('timeout', () => { if (this.owner) this.owner.upstreamTimeout(); else this.drop(); });
    socket.on('drain', () => this.owner?.upstreamDrain());
  }

  private read(chunk: Buffer): void {
    if (this.owner) this.owner.upstreamData(chunk);
    else this.drop();
  }

  /** Back to the pool for the next exchange (the previous one read its whole response). */
  release(): void {
    this.owner = undefined;
    this.reused = true;
    this.pool.park(this);
  }

  /** Closed for good: the exchange failed or the connection cannot carry another one. */
  destroy(): void {
    this.owner = undefined;
    this.socket.destroy();
  }

  private drop(): void {
    this.pool.forget(this);
    this.socket.destroy();
  }
}

export class ConnectionPool {
  private readonly idle = new Map<string, UpstreamConnection[]>();

  /** An idle connection to the endpoint, or a new one (connecting: its owner hears upstreamConnected). */
  acquire(protocol: Backend['protocol'], ip: string, port: number, owner: UpstreamOwner): UpstreamConnection {
    const key = `${protocol}|${ip}|${port}`;
    const list = this.idle.get(key);
    const parked = list?.pop();
    if (parked) {
      parked.owner = owner;
      parked.socket.resume();
      return parked;
    }
    const c = new UpstreamConnection(protocol, ip, port, key, this);
    c.owner = owner;
    return c;
  }

  park(c: UpstreamConnection): void {
    let list = this.idle.get(c.key);
    if (!list) this.idle.set(c.key, list = []);
    if (list.length >= MAX_IDLE) return c.destroy();
    list.push(c);
  }

  forget(c: UpstreamConnection): void {
    const list = this.idle.get(c.key);
    const i = list?.indexOf(c) ?? -1;
    if (i >= 0) list!.splice(i, 1);
    if (list?.length === 0) this.idle.delete(c.key);
  }

  close(): void {
    for (const list of this.idle.values()) for (const c of list) c.destroy();
    this.idle.clear();
  }
}
