/**
 * @module The DNS server: UDP and TCP (RFC 7766 framing, pipelined queries) on one address and
 * port. Cluster names are answered from the RecordIndex through a cache of encoded responses that
 * any index change empties; other names go to the Forwarder. Bad packets are dropped or answered
 * FORMERR, and no packet can throw out of a handler.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import net from 'node:net';
import type { Logger } from 'pino';
import type { Forwarder } from './forward.js';
import type { RecordIndex } from './record-index.js';
import { Forward, resolve, type ZoneOptions } from './resolve.js';
import { buildResponse, ClassIN, errorResponse, parseQuery, RCode, udpLimit, type Query } from './wire.js';

export interface DNSServerOptions {
  host: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  index: RecordIndex;
  zone: ZoneOptions;
  forwarder: Forwarder;
  /** False until the informers have synced: cluster names then get SERVFAIL, so clients retry. */
  isReady: () => boolean;
  log: Pick<Logger, 'debug' | 'warn'>;
}

const ClassANY = 255;
/** An idle TCP client is closed after this long (RFC 7766 suggests seconds). */
const TCPIdleMs = 10_000;
/** A TCP message's 16-bit length prefix bounds it. */
const MaxTCPMessage = 65535;
/** Beyond this many cached responses the cache starts over (a bound, not an LRU). */
const MaxCached = 10_000;

export class DNSServer {
  private cache = new Map<string, Buffer>();
  private cacheGeneration = -1;
  private tcpClients = new Set<net.Socket>();
  private closed = false;

  private constructor(private o: DNSServerOptions, private udp: dgram.Socket, private tcp: net.Server, readonly port: number) {
    udp.on('message', (msg, rinfo) => {
      void this.handle(msg, false).then((res) => {
        // A forwarded answer may come back after close().
        if (res && !this.closed) udp.send(res, rinfo.port, rinfo.address);
      });
    });
    udp.on('error', (e) => o.log.warn({ err: e }, 'dns: UDP socket error'));
    tcp.on('connection', (c) => this.serveTCP(c));
  }

  /** Binds UDP and TCP on host:port. Throws when the address is taken or not local. */
  static async listen(o: DNSServerOptions): Promise<DNSServer> {
    for (let attempt = 0; ; attempt++) {
      const udp = dgram.createSocket(isIPv6(o.host) ? 'udp6' : 'udp4');
      await new Promise<void>((res, rej) => { udp.once('error', rej); udp.bind({ address: o.host, port: o.port }, () => { udp.off('error', rej); res(); }); });
      const port = udp.address().port;
      const tcp = net.createServer();
      try {
        await new Promise<void>((res, rej) => { tcp.once('error', rej); tcp.listen({ host: o.host, port }, () => { tcp.off('error', rej); res(); }); });
      } catch (e) {
        udp.close();
        // With port 0 the UDP port picked may be taken for TCP: pick again.
        if (o.port === 0 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 5) continue;
        throw e;
      }
      return new DNSServer(o, udp, tcp, port);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.tcpClients) c.destroy();
    await Promise.all([
      new Promise<void>((res) => this.udp.close(() => res())),
      new Promise<void>((res) => this.tcp.close(() => res())),
    ]);
  }

  /** The response to one query (undefined: drop it). Never throws. */
  async handle(msg: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    let q: Query | undefined;
    try {
      const parsed = parseQuery(msg);
      if ('drop' in parsed) {
        this.o.log.debug({ reason: parsed.drop }, 'dns: dropped a packet');
        return undefined;
      }
      if ('reply' in parsed) return parsed.reply;
      q = parsed.query;
      const local = this.answer(q, tcp);
      if (local !== Forward) return local;
      if (!this.o.forwarder.configured) return errorResponse(q, RCode.SERVFAIL);
      return (await this.o.forwarder.forward(msg, tcp)) ?? errorResponse(q, RCode.SERVFAIL);
    } catch (e) {
      this.o.log.warn({ err: e }, 'dns: failed to answer a query');
      return q ? errorResponse(q, RCode.SERVFAIL) : undefined;
    }
  }

  /** A cluster answer (cached per name, type, flags and size limit), or Forward. */
  private answer(q: Query, tcp: boolean): Buffer | typeof Forward {
    if (q.class !== ClassIN && q.class !== ClassANY) return errorResponse(q, RCode.REFUSED);
    const { index, zone } = this.o;
    const inZone = q.name === zone.zone || q.name.endsWith(`.${zone.zone}`);
    if (inZone && !this.o.isReady()) return errorResponse(q, RCode.SERVFAIL);
    if (this.cacheGeneration !== index.generation || this.cache.size >= MaxCached) {
      this.cache.clear();
      this.cacheGeneration = index.generation;
    }
    const limit = tcp ? MaxTCPMessage : udpLimit(q);
    const key = `${limit}|${q.type}|${q.class}|${q.flags & 0x0110}|${q.edns ? (q.edns.do ? 2 : 1) : 0}|${q.rawName}`;
    const cached = this.cache.get(key);
    if (cached) return withId(cached, q.id);
    const r = resolve(index, q.name, q.type, zone);
    if (r === Forward) {
      if (inZone) throw new Error(`${q.name} is in the cluster domain yet was not answered`);
      return Forward;
    }
    const res = buildResponse({ ...q, id: 0 }, r, limit);
    this.cache.set(key, res);
    return withId(res, q.id);
  }

  private serveTCP(c: net.Socket): void {
    this.tcpClients.add(c);
    c.setTimeout(TCPIdleMs, () => c.destroy());
    c.on('error', () => c.destroy());
    c.on('close', () => this.tcpClients.delete(c));
    let buf = Buffer.alloc(0);
    c.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.handle(msg, true).then((res) => {
          if (!res || c.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(res.length);
          c.write(Buffer.concat([len, res]));
        });
      }
    });
  }
}

function withId(res: Buffer, id: number): Buffer {
  const out = Buffer.from(res);
  out.writeUInt16BE(id, 0);
  return out;
}
