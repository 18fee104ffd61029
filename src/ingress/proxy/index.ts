/**
 * @module The ingress HTTP(S) proxy a node agent runs on its node address: plain HTTP on
 * httpPort, TLS on httpsPort with the certificate picked by SNI from the current route table and
 * HTTP/2 or HTTP/1.1 by ALPN. HTTP/1.x is served on the raw sockets by http1/ (Node's http
 * module costs about half the proxy's throughput); HTTP/2 sessions go to Node's http2 server.
 * Requests go straight to endpoint IPs.
 */
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { RouteTable } from '../types.js';
import { SecureContextCache, selfSignedCertificate, sniCallback } from './certificates.js';
import { handleH2Request, type ProxyContext } from './handler.js';
import { Http1Connection, type Http1Options } from './http1/connection.js';
import { Upstreams } from './upstreams.js';
import { handleUpgrade } from './websocket.js';

export interface IngressProxyOptions {
  routes: { current(): RouteTable };
  host: string;
  /** port 0 = any (tests) */
  httpPort: number;
  httpsPort: number;
  /** Generated self-signed when absent. */
  defaultCertificate?: { certPem: string; keyPem: string };
  log: Logger;
  /** Time a client has to send its request headers (slowloris); default 60 s as nginx's client_header_timeout. */
  headersTimeoutMs?: number;
  /** Default 5 s. */
  connectTimeoutMs?: number;
}

export interface IngressProxy { httpPort: number; httpsPort: number; stop(): Promise<void> }

/** Larger request heads get 431 (nginx's large_client_header_buffers are 4 × 8k). */
const MAX_HEADER_BYTES = 32 * 1024;
const KEEP_ALIVE_MS = 75_000;

export async function startIngressProxy(o: IngressProxyOptions): Promise<IngressProxy> {
  const defaultCert = o.defaultCertificate ?? await selfSignedCertificate();
  const headersTimeoutMs = o.headersTimeoutMs ?? 60_000;
  const upstreams = new Upstreams();
  const ctx: ProxyContext = { routes: o.routes, upstreams, log: o.log, httpsPort: o.httpsPort, connectTimeoutMs: o.connectTimeoutMs ?? 5000 };
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); };
  const h1 = (proto: 'http' | 'https'): Http1Options => ({
    headersTimeoutMs, keepAliveMs: KEEP_ALIVE_MS, maxHeadBytes: MAX_HEADER_BYTES,
    upgrade: (head, socket, rest) => handleUpgrade(ctx, head, socket, rest, proto),
  });
  const plainOptions = h1('http');
  const secureOptions = h1('https');

  const plain = net.createServer({ allowHalfOpen: true }, (s) => {
    track(s);
    new Http1Connection(s, 'http', ctx, plainOptions);
  });

  const h2 = http2.createServer({ settings: { maxHeaderListSize: MAX_HEADER_BYTES } }, (req, res) => handleH2Request(ctx, req, res));
  h2.on('sessionError', () => {});
  h2.on('session', (s: http2.ServerHttp2Session) => {
    s.on('error', () => {});
    // An HTTP/2 connection idle this long is closed gracefully: streams still open finish first.
    s.setTimeout(KEEP_ALIVE_MS, () => s.close());
  });
  const contexts = new SecureContextCache();
  const fallback = tls.createSecureContext({ cert: defaultCert.certPem, key: defaultCert.keyPem });
  const secure = tls.createServer({
    cert: defaultCert.certPem,
    key: defaultCert.keyPem,
    ALPNProtocols: ['h2', 'http/1.1'],
    SNICallback: sniCallback(o.routes, contexts, fallback, (err, name) => o.log.error({ err, serverName: name }, 'ingress: bad TLS certificate, serving the default')),
    handshakeTimeout: 10_000,
    // Not half-open: a client leaving mid-handshake must close its socket without anyone's help.
  }, (s: tls.TLSSocket) => {
    track(s);
    if (s.alpnProtocol === 'h2') h2.emit('connection', s);
    else new Http1Connection(s, 'https', ctx, secureOptions);
  });
  // Broken handshakes are the client's problem; they must never reach 'error'.
  secure.on('tlsClientError', () => {});

  await listen(plain, o.host, o.httpPort);
  try {
    await listen(secure, o.host, o.httpsPort);
  } catch (err) {
    plain.close();
    throw err;
  }
  const httpPort = (plain.address() as AddressInfo).port;
  const httpsPort = (secure.address() as AddressInfo).port;
  ctx.httpsPort = httpsPort;
  o.log.info({ host: o.host, httpPort, httpsPort }, 'ingress proxy listening');
  return {
    httpPort, httpsPort,
    stop: async () => {
      const closed = Promise.all([close(plain), close(secure)]);
      for (const s of sockets) s.destroy();
      await closed;
      upstreams.close();
    },
  };
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', () => {});
      resolve();
    });
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
