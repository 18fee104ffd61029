/**
 * @module Forwarding of names outside the cluster domain to upstream servers (CoreDNS's `forward .
 * /etc/resolv.conf`): the client's query goes out as it came, under a fresh random ID from a fresh
 * socket (source port randomisation), to each upstream in turn until one answers in time.
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import net from 'node:net';

export interface Upstream { host: string; port: number }

/** Per upstream try; CoreDNS's forward gives up on a server after about as long. */
const DefaultTimeoutMs = 2000;
/** CoreDNS's max_concurrent default: more queries in flight are refused. */
const DefaultMaxInFlight = 1000;

/** "1.2.3.4", "1.2.3.4:5353", "[fd00::1]:53" → Upstream. */
export function parseUpstream(s: string): Upstream {
  const m = /^\[(.+)\](?::(\d+))?$/.exec(s) ?? (isIPv6(s) ? [s, s, undefined] : /^([^:]+)(?::(\d+))?$/.exec(s));
  if (!m) throw new Error(`bad upstream DNS server "${s}"`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : 53 };
}

/** The nameservers of a resolv.conf (port 53). */
export function resolvConfUpstreams(path = '/etc/resolv.conf'): Upstream[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    out.push({ host: m[1]!.replace(/%.*$/, ''), port: 53 });
  }
  return out;
}

export class Forwarder {
  private inFlight = 0;

  constructor(private upstreams: Upstream[], private timeoutMs = DefaultTimeoutMs, private maxInFlight = DefaultMaxInFlight) {}

  /** Whether there is anywhere to forward to. */
  get configured(): boolean { return this.upstreams.length > 0; }

  /**
   * The upstream's response to `query` (with the client's ID), over TCP if `tcp` (a truncated UDP
   * answer goes back as it is: the client retries over TCP); undefined when every upstream failed or timed
   * out, or too many queries are in flight (the caller answers SERVFAIL or REFUSED).
   */
  async forward(query: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    if (this.inFlight >= this.maxInFlight) return undefined;
    this.inFlight++;
    try {
      for (const u of this.upstreams) {
        const id = randomInt(0x10000);
        const q = Buffer.from(query);
        q.writeUInt16BE(id, 0);
        const res = tcp ? await exchangeTCP(u, q, this.timeoutMs) : await exchangeUDP(u, q, this.timeoutMs);
        if (!res || res.length < 12 || res.readUInt16BE(0) !== id) continue;
        res.writeUInt16BE(query.readUInt16BE(0), 0);
        return res;
      }
      return undefined;
    } finally {
      this.inFlight--;
    }
  }
}

function exchangeUDP(u: Upstream, q: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(isIPv6(u.host) ? 'udp6' : 'udp4');
    let settled = false;
    const done = (res: Buffer | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.close();
      resolve(res);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.on('error', () => done(undefined));
    // A connected socket takes replies from the upstream alone; an off-path guess must also hit the ID.
    sock.on('message', (msg) => {
      if (msg.length >= 12 && msg.readUInt16BE(0) === q.readUInt16BE(0)) done(msg);
    });
    sock.connect(u.port, u.host, () => sock.send(q, (err) => { if (err) done(undefined); }));
  });
}

function exchangeTCP(u: Upstream, q: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.host, port: u.port });
    let buf = Buffer.alloc(0);
    const done = (res: Buffer | undefined) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(res);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.on('error', () => done(undefined));
    sock.on('close', () => done(undefined));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    const len = Buffer.alloc(2);
    len.writeUInt16BE(q.length);
    sock.write(Buffer.concat([len, q]));
  });
}
