/**
 * @module Connection pools toward endpoints: raw keep-alive connections for HTTP/1.x clients
 * (http1/pool.ts), one keep-alive http(s).Agent per endpoint and protocol for HTTP/2 clients
 * (HTTPS upstreams are not verified, as ingress-nginx's default proxy_ssl_verify off), and one
 * h2c session per endpoint for GRPC backends. Pools of endpoints unused for a while are
 * closed, since the route table cannot list the endpoints that went away.
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { Backend } from '../types.js';
import { ConnectionPool } from './http1/pool.js';

/** As ingress-nginx's upstream-keepalive-connections (320 idle per worker) and upstream-keepalive-timeout (60 s). */
const MAX_SOCKETS = 1024;
const MAX_FREE_SOCKETS = 320;
const IDLE_TIMEOUT_MS = 60_000;
/** A pool unused this long is closed (its endpoint has likely gone). */
const UNUSED_MS = 5 * 60_000;

interface Pool { agent: http.Agent; lastUsed: number }
interface Session { session: http2.ClientHttp2Session; lastUsed: number }

export class Upstreams {
  readonly h1 = new ConnectionPool();
  private readonly agents = new Map<string, Pool>();
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(Date.now()), 60_000);
    this.sweeper.unref();
  }

  agent(protocol: Backend['protocol'], ip: string, port: number): http.Agent {
    const key = `${protocol}|${ip}|${port}`;
    let p = this.agents.get(key);
    if (!p) {
      const o = { keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_FREE_SOCKETS, timeout: IDLE_TIMEOUT_MS, scheduling: 'lifo' as const };
      p = { agent: protocol === 'HTTPS' ? new https.Agent({ ...o, rejectUnauthorized: false }) : new http.Agent(o), lastUsed: 0 };
      this.agents.set(key, p);
    }
    p.lastUsed = Date.now();
    return p.agent;
  }

  /** An open h2c session to the endpoint, made on first use and replaced once it closes or fails. */
  h2c(ip: string, port: number): http2.ClientHttp2Session {
    const key = `${ip}|${port}`;
    let s = this.sessions.get(key);
    if (!s || s.session.closed || s.session.destroyed) {
      const session = http2.connect(`http://${ip.includes(':') ? `[${ip}]` : ip}:${port}`);
      s = { session, lastUsed: 0 };
      const entry = s;
      const forget = () => { if (this.sessions.get(key) === entry) this.sessions.delete(key); };
      // Errors reach the streams that were open; the session only has to be dropped.
      session.on('error', forget);
      session.on('close', forget);
      session.on('goaway', forget);
      session.unref();
      this.sessions.set(key, s);
    }
    s.lastUsed = Date.now();
    return s.session;
  }

  close(): void {
    clearInterval(this.sweeper);
    this.h1.close();
    for (const p of this.agents.values()) p.agent.destroy();
    for (const s of this.sessions.values()) s.session.destroy();
    this.agents.clear();
    this.sessions.clear();
  }

  private sweep(now: number): void {
    for (const [k, p] of this.agents) {
      if (now - p.lastUsed > UNUSED_MS && Object.keys(p.agent.sockets).length === 0) { p.agent.destroy(); this.agents.delete(k); }
    }
    for (const [k, s] of this.sessions) {
      if (now - s.lastUsed > UNUSED_MS) { s.session.close(); this.sessions.delete(k); }
    }
  }
}
