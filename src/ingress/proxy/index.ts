/**
 * @module The ingress HTTP(S) proxy a node agent runs on its node address: plain HTTP on
 * httpPort, TLS on httpsPort with HTTP/2 or HTTP/1.1 by ALPN and the certificate picked by SNI
 * from the current route table. Requests go straight to endpoint IPs (see handler.ts).
 */
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { RouteTable } from '../types.js';
import { SecureContextCache, selfSignedCertificate, sniCallback } from './certificates.js';
import { handleRequest, type ProxyContext } from './handler.js';
import { clientError, HeadDeadlines } from './head-deadline.js';
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
  const headersTimeout = o.headersTimeoutMs ?? 60_000;
  const upstreams = new Upstreams();
  const ctx: ProxyContext = { routes: o.routes, upstreams, log: o.log, httpsPort: o.httpsPort, connectTimeoutMs: o.connectTimeoutMs ?? 5000 };
  const hardening = {
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout,
    // Bodies may be large and slow (uploads); only the head is bounded in time.
    requestTimeout: 0,
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, headersTimeout / 4)),
    keepAliveTimeout: KEEP_ALIVE_MS,
  };

  const plain = http.createServer(hardening, (req, res) => handleRequest(ctx, req, res, 'http'));
  plain.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => handleUpgrade(ctx, req, socket, head, 'http'));
  plain.on('clientError', clientError);

  const deadlines = new HeadDeadlines(headersTimeout);
  const contexts = new SecureContextCache();
  const fallback = tls.createSecureContext({ cert: defaultCert.certPem, key: defaultCert.keyPem });
  const secure = http2.createSecureServer({
    ...hardening,
    allowHTTP1: true,
    cert: defaultCert.certPem,
    key: defaultCert.keyPem,
    SNICallback: sniCallback(o.routes, contexts, fallback, (err, name) => o.log.error({ err, serverName: name }, 'ingress: bad TLS certificate, serving the default')),
    handshakeTimeout: 10_000,
    settings: { maxHeaderListSize: MAX_HEADER_BYTES },
  }, (req: http2.Http2ServerRequest | http.IncomingMessage, res: http2.Http2ServerResponse | http.ServerResponse) => {
    // HTTP/1.1 over TLS arrives as node:http's own request and response objects.
    if (!('stream' in res)) deadlines.received(req.socket, res);
    handleRequest(ctx, req, res, 'https');
  });
  Object.assign(secure, { headersTimeout, requestTimeout: 0, keepAliveTimeout: KEEP_ALIVE_MS });
  secure.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    deadlines.received(socket);
    handleUpgrade(ctx, req, socket, head, 'https');
  });
  secure.on('clientError', clientError);
  // Broken handshakes and sessions are the client's problem; they must never reach 'error'.
  secure.on('tlsClientError', () => {});
  secure.on('sessionError', () => {});
  secure.on('session', (s: http2.ServerHttp2Session) => {
    s.on('error', () => {});
    // An HTTP/2 connection idle this long is closed gracefully: streams still open finish first.
    s.setTimeout(KEEP_ALIVE_MS, () => s.close());
  });

  const sockets = new Set<Duplex>();
  const track = (s: Duplex) => { sockets.add(s); s.once('close', () => sockets.delete(s)); };
  plain.on('connection', track);
  secure.on('secureConnection', (s: tls.TLSSocket) => {
    track(s);
    if (s.alpnProtocol !== 'h2') deadlines.watch(s);
  });

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

function listen(server: http.Server | http2.Http2SecureServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', () => {});
      resolve();
    });
  });
}

function close(server: http.Server | http2.Http2SecureServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
