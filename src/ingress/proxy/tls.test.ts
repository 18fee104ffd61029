import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { DEFAULT_CERT_CN, selfSignedCertificate, type CertificatePem } from './certificates.js';
import { startIngressProxy, type IngressProxy } from './index.js';
import { backend, echoBackend, route, RoutesHolder, StaticRoutes, type EchoBackend } from './testing.js';
import type { TLSCertificate } from '../types.js';

const run = promisify(execFile);

function tlsCert(hosts: string[], c: CertificatePem): TLSCertificate {
  return { hosts, certPem: c.certPem, keyPem: c.keyPem, secret: { namespace: 'default', name: hosts[0] } };
}

/** The CN of the certificate the proxy serves for this SNI name, and the ALPN protocol it picked. */
function handshake(port: number, servername: string): Promise<{ cn: string; alpn: string | false; socket: tls.TLSSocket }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      resolve({ cn: String(socket.getPeerCertificate().subject.CN), alpn: socket.alpnProtocol ?? false, socket });
    });
    socket.on('error', reject);
  });
}

function h2Get(session: http2.ClientHttp2Session, path: string, headers: http2.OutgoingHttpHeaders = {}): Promise<{ status: number; body: string; headers: http2.IncomingHttpHeaders; trailers?: http2.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const s = session.request({ ':path': path, ...headers });
    let body = '';
    let status = 0;
    let h: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | undefined;
    s.setEncoding('utf8');
    s.on('response', (x) => { status = Number(x[':status']); h = x; });
    s.on('trailers', (t) => { trailers = t; });
    s.on('data', (c: string) => { body += c; });
    s.on('end', () => resolve({ status, body, headers: h, trailers }));
    s.on('error', reject);
    s.end();
  });
}

describe('ingress proxy over TLS', () => {
  let app: EchoBackend;
  let tlsBackend: https.Server;
  let grpcBackend: http2.Http2Server;
  let proxy: IngressProxy;
  let certA: CertificatePem, certB: CertificatePem, certA2: CertificatePem;
  const holder = new RoutesHolder(new StaticRoutes(0, []));
  let routes: ReturnType<typeof route>[];

  before(async () => {
    [certA, certB, certA2] = await Promise.all([
      selfSignedCertificate({ commonName: 'a.test', dnsNames: ['a.test'] }),
      selfSignedCertificate({ commonName: 'b.test', dnsNames: ['b.test'] }),
      selfSignedCertificate({ commonName: 'a.test rotated', dnsNames: ['a.test'] }),
    ]);
    app = await echoBackend('app');
    tlsBackend = https.createServer({ cert: certB.certPem, key: certB.keyPem }, (req, res) => res.end(`tls backend ${req.url}`));
    grpcBackend = http2.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/grpc' });
      res.addTrailers({ 'grpc-status': '0', 'grpc-message': 'ok' });
      res.end(`h2c ${req.httpVersion} ${req.url} te=${req.headers.te}`);
    });
    await Promise.all([tlsBackend, grpcBackend].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))));
    const ep = (port: number) => [{ ip: '127.0.0.1', port }];
    routes = [
      route({ host: 'a.test', backend: backend('app', ep(app.port)) }),
      route({ host: 'b.test', backend: backend('app', ep(app.port)) }),
      route({ host: 'b.test', path: '/tls', backend: backend('tls', ep((tlsBackend.address() as AddressInfo).port), 'HTTPS') }),
      route({ host: 'b.test', path: '/grpc', backend: backend('grpc', ep((grpcBackend.address() as AddressInfo).port), 'GRPC') }),
    ];
    holder.table = new StaticRoutes(1, routes, [tlsCert(['a.test'], certA), tlsCert(['b.test'], certB)]);
    proxy = await startIngressProxy({ routes: holder, host: '127.0.0.1', httpPort: 0, httpsPort: 0, log: pino({ level: 'silent' }), headersTimeoutMs: 1000 });
  });
  after(async () => {
    await proxy?.stop();
    await app?.close();
    tlsBackend?.closeAllConnections();
    await Promise.all([tlsBackend, grpcBackend].map((s) => s && new Promise((r) => s.close(r))));
  });

  test('SNI picks each host\'s certificate, the default otherwise; h2 by ALPN', async () => {
    const a = await handshake(proxy.httpsPort, 'a.test');
    const b = await handshake(proxy.httpsPort, 'b.test');
    const other = await handshake(proxy.httpsPort, 'other.test');
    for (const x of [a, b, other]) x.socket.destroy();
    assert.deepEqual([a.cn, b.cn, other.cn], ['a.test', 'b.test', DEFAULT_CERT_CN]);
    assert.equal(a.alpn, 'h2');
  });

  test('curl over HTTP/2 with --resolve gets the backend, the host certificate and X-Forwarded-Proto https', async () => {
    const { stdout } = await run('/usr/bin/curl', ['-sk', '--http2', '--resolve', `b.test:${proxy.httpsPort}:127.0.0.1`,
      '-w', '\n%{http_version} %{response_code}', '-v', `https://b.test:${proxy.httpsPort}/hello`], { encoding: 'utf8' });
    const [body, status] = stdout.split('\n');
    assert.equal(status, '2 200');
    const echoed = JSON.parse(body);
    assert.equal(echoed.headers['x-forwarded-proto'], 'https');
    assert.equal(echoed.headers.host, `b.test:${proxy.httpsPort}`);
    const post = await run('/usr/bin/curl', ['-sk', '--http2', '--resolve', `b.test:${proxy.httpsPort}:127.0.0.1`, '--data-binary', 'hello h2',
      `https://b.test:${proxy.httpsPort}/upload`], { encoding: 'utf8' });
    assert.deepEqual([JSON.parse(post.stdout).method, JSON.parse(post.stdout).bodyBytes], ['POST', 8], 'an HTTP/2 request body reaches an HTTP/1.1 backend');
    const { stderr } = await run('/usr/bin/curl', ['-sk', '-v', '--http1.1', '--resolve', `b.test:${proxy.httpsPort}:127.0.0.1`, '-o', '/dev/null',
      `https://b.test:${proxy.httpsPort}/`], { encoding: 'utf8' });
    assert.match(stderr, /subject: CN=b\.test|subject: O=Acme Co; CN=b\.test/);
    assert.match(stderr, /< HTTP\/1\.1 200/);
  });

  test('HTTPS backends are reached over TLS without verification; GRPC backends over h2c with trailers', async () => {
    const session = http2.connect(`https://127.0.0.1:${proxy.httpsPort}`, { servername: 'b.test', rejectUnauthorized: false });
    try {
      const viaTls = await h2Get(session, '/tls/x', { ':authority': 'b.test' });
      assert.deepEqual([viaTls.status, viaTls.body], [200, 'tls backend /tls/x']);
      const viaH2c = await h2Get(session, '/grpc/svc.Method', { ':authority': 'b.test', ':method': 'POST', 'content-type': 'application/grpc', te: 'trailers' });
      assert.equal(viaH2c.status, 200);
      assert.equal(viaH2c.body, 'h2c 2.0 /grpc/svc.Method te=trailers');
      assert.equal(viaH2c.trailers?.['grpc-status'], '0');
    } finally {
      session.close();
    }
  });

  test('a rotated certificate is served from the next handshake; an open connection keeps working', async () => {
    const session = http2.connect(`https://127.0.0.1:${proxy.httpsPort}`, { servername: 'a.test', rejectUnauthorized: false });
    try {
      assert.equal((await h2Get(session, '/', { ':authority': 'a.test' })).status, 200);
      holder.table = new StaticRoutes(2, routes, [tlsCert(['a.test'], certA2), tlsCert(['b.test'], certB)]);
      const next = await handshake(proxy.httpsPort, 'a.test');
      next.socket.destroy();
      assert.equal(next.cn, 'a.test rotated');
      const again = await h2Get(session, '/', { ':authority': 'a.test' });
      assert.equal(again.status, 200, 'the connection opened before the rotation still serves');
      assert.equal(JSON.parse(again.body).name, 'app');
    } finally {
      session.close();
    }
  });

  test('slowloris over TLS: an HTTP/1.1 client dripping its headers gets 408 and is closed; others are served', async () => {
    const sock = tls.connect({ host: '127.0.0.1', port: proxy.httpsPort, servername: 'a.test', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    sock.on('error', () => {});
    await new Promise<void>((r) => sock.once('secureConnect', () => r()));
    const t0 = Date.now();
    sock.write('GET / HTTP/1.1\r\nHost: a.test\r\n');
    const drip = setInterval(() => sock.write('X-A: b\r\n'), 100);
    const closed = new Promise<string>((r) => {
      let got = '';
      sock.on('data', (c: Buffer) => { got += c.toString(); });
      sock.once('close', () => r(got));
    });
    const session = http2.connect(`https://127.0.0.1:${proxy.httpsPort}`, { servername: 'a.test', rejectUnauthorized: false });
    try {
      assert.equal((await h2Get(session, '/', { ':authority': 'a.test' })).status, 200);
      const got = await closed;
      assert.ok(Date.now() - t0 < 4000, `cut off after ${Date.now() - t0} ms`);
      assert.match(got, /^HTTP\/1\.1 408/);
    } finally {
      clearInterval(drip);
      sock.destroy();
      session.close();
    }
  });
});
