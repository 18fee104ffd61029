/**
 * @module Raw keep-alive connections to endpoints for the HTTP/1.x proxy path: idle ones by
 * protocol and endpoint, newest first (as ingress-nginx's upstream keepalive: 320 idle per
 * endpoint, closed after 60 s unused). Each socket gets its listeners once and passes events to
 * whichever exchange owns it at the moment, so a request costs no listener churn; an idle socket
 * that closes, speaks unasked or stays unused for its timeout (the last route's
 * proxy-read-timeout, 60 s by default as upstream-keepalive-timeout) is dropped. HTTPS endpoints are not verified (ingress-nginx's
 * proxy_ssl_verify off).
 *
 * The timeout is one lazy timer per connection checked against the time of the last read or
 * write, not net.Socket#setTimeout: that re-arms a timer (a libuv clock read and a timer list
 * update) on every read and write.
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
  /** One of the calls above threw: the owner gives up on its exchange (without using this connection again). */
  internalError(err: unknown): void;
}

/** Events passed to the owner through tell() (module constants: no closure per event). */
const CONNECTED = (o: UpstreamOwner): void => o.upstreamConnected();
const ENDED = (o: UpstreamOwner): void => o.upstreamEnd();
const TIMED_OUT = (o: UpstreamOwner): void => o.upstreamTimeout();
const CLOSED = (o: UpstreamOwner): void => o.upstreamError(Object.assign(new Error('upstream closed the connection'), { code: 'ECONNRESET' }));

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
  /** Inactivity allowed (ms): the owner's read timeout, kept as the idle timeout once parked; 0 = none yet. */
  private timeoutMs = 0;
  /** performance.now() of the last read, or of the last write the owner reported (active()). */
  private lastActive = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires (0: none pending). */
  private timerDue = 0;

  readonly socket: net.Socket;

  constructor(protocol: Backend['protocol'], ip: string, port: number, readonly key: string, private readonly pool: ConnectionPool) {
    this.ephemeral = protocol !== 'HTTPS';
    const buffer = this.ephemeral ? Buffer.allocUnsafe(READ_BUFFER_BYTES) : undefined;
    const socket = this.socket = buffer
      ? net.connect({ host: ip, port, onread: { buffer, callback: (n) => { this.read(buffer.subarray(0, n)); return true; } } })
      : tls.connect({ host: ip, port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    socket.once(protocol === 'HTTPS' ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      socket.setNoDelay(true);
      if (this.owner) this.tell(this.owner, CONNECTED);
    });
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('end', () => { if (this.owner) this.tell(this.owner, ENDED); else this.drop(); });
    socket.on('error', (err: NodeJS.ErrnoException) => { if (this.owner) this.tell(this.owner, (o) => o.upstreamError(err)); else this.drop(); });
    socket.on('close', () => { if (this.owner) this.tell(this.owner, CLOSED); else this.drop(); });
    socket.on('drain', () => { if (this.owner) this.tell(this.owner, (o) => o.upstreamDrain()); });
  }

  /** An event for the owner; what it throws goes back to it (internalError), not into the event loop. */
  private tell(owner: UpstreamOwner, event: (o: UpstreamOwner) => void): void {
    try {
      event(owner);
    } catch (err) {
      owner.internalError(err);
    }
  }

  private read(chunk: Buffer): void {
    this.lastActive = performance.now();
    const owner = this.owner;
    if (!owner) return this.drop();
    try {
      owner.upstreamData(chunk);
    } catch (err) {
      owner.internalError(err);
    }
  }

  /** The owner wrote to the socket: inactivity counts from now; `timeoutMs` replaces the timeout. */
  active(timeoutMs = this.timeoutMs): void {
    const now = this.lastActive = performance.now();
    this.timeoutMs = timeoutMs;
    if (timeoutMs > 0) this.armTimer(now, timeoutMs);
  }

  /** Kept when the pending timer fires no later than the new deadline: it re-checks lastActive then. */
  private armTimer(now: number, ms: number): void {
    const due = now + ms;
    if (this.timerDue !== 0 && this.timerDue <= due + 1) return;
    clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(this.onTimer, ms);
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timerDue = 0;
    if (this.socket.destroyed || this.timeoutMs === 0) return;
    const now = performance.now();
    const left = this.lastActive + this.timeoutMs - now;
    if (left > 1) return this.armTimer(now, left);
    if (this.owner) this.tell(this.owner, TIMED_OUT);
    else this.drop();
  };

  /** Back to the pool for the next exchange (the previous one read its whole response). */
  release(): void {
    this.owner = undefined;
    this.reused = true;
    this.pool.park(this);
  }

  /** Closed for good: the exchange failed or the connection cannot carry another one. */
  destroy(): void {
    this.owner = undefined;
    clearTimeout(this.timer);
    this.socket.destroy();
  }

  private drop(): void {
    this.pool.forget(this);
    clearTimeout(this.timer);
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
