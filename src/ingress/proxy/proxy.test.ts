import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { register } from 'prom-client';
import { startIngressProxy, type IngressProxy } from './index.js';
import type { Route } from '../types.js';
import { backend, echoBackend, route, RoutesHolder, StaticRoutes, type EchoBackend } from './testing.js';

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string }

function request(port: number, o: { path?: string; host?: string; method?: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer; agent?: http.Agent }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: o.path ?? '/', method: o.method ?? 'GET', agent: o.agent ?? false,
      headers: { host: o.host ?? 'app.test', ...o.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** The route with one field whose every read throws. */
function throwing(r: Route, field: keyof Route): Route {
  return Object.defineProperty(r, field, { get: () => { throw new Error(`test: reading ${field} fails`); } });
}

/** A loopback port with nothing listening: bound, then closed. */
async function refusedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('ingress proxy over HTTP', () => {
  let a: EchoBackend, b: EchoBackend, c: EchoBackend, slow: EchoBackend, broken: EchoBackend;
  let proxy: IngressProxy;
  let dead: number;
  const holder = new RoutesHolder(new StaticRoutes(0, []));

  before(async () => {
    a = await echoBackend('a');
    b = await echoBackend('b');
    c = await echoBackend('c');
    slow = await echoBackend('slow', (req, res) => { setTimeout(() => res.end('late'), 2000).unref(); });
    broken = await echoBackend('broken', (req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    dead = await refusedPort();
    const ep = (x: EchoBackend) => ({ ip: '127.0.0.1', port: x.port });
    holder.table = new StaticRoutes(1, [
      route({ path: '/', backend: backend('svc-a', [ep(a)]) }),
      route({ path: '/b', pathType: 'Exact', backend: backend('svc-b', [ep(b)]) }),
      route({ path: '/missing', backend: undefined }),
      route({ path: '/empty', backend: backend('empty', []) }),
      route({ path: '/slow', readTimeoutMs: 300, backend: backend('slow', [ep(slow)]) }),
      route({ path: '/broken', backend: backend('broken', [ep(broken)]) }),
      route({ path: '/dead', backend: backend('dead', [{ ip: '127.0.0.1', port: dead }]) }),
      route({ path: '/retry', backend: backend('retry', [{ ip: '127.0.0.1', port: dead }, ep(b)]) }),
      route({ path: '/small', maxBodyBytes: 10, backend: backend('svc-a', [ep(a)]) }),
      route({ path: '/api(/|$)(.*)', pathType: 'ImplementationSpecific', rewriteTarget: '/v2/$2', backend: backend('svc-a', [ep(a)]) }),
      // Routes the proxy trips over: reading one of their fields throws (as a bug in a rewrite would).
      throwing(route({ path: '/throw/request', rewriteTarget: '/x', backend: backend('svc-a', [ep(a)]) }), 'rewriteTarget'),
      throwing(route({ path: '/throw/upstream', backend: backend('svc-c', [ep(c)]) }), 'readTimeoutMs'),
      route({ host: 'secure.test', path: '/', sslRedirect: true, backend: backend('svc-a', [ep(a)]) }),
      route({ host: 'canary.test', path: '/', backend: backend('main', [ep(a)]),
        canary: { ingress: { namespace: 'default', name: 'web-canary' }, backend: backend('canary', [ep(b)]), weight: 10, weightTotal: 100 } }),
      route({ host: 'hdr.test', path: '/', backend: backend('main', [ep(a)]),
        canary: { ingress: { namespace: 'default', name: 'web-canary' }, backend: backend('canary', [ep(b)]), weight: 0, weightTotal: 100,
          header: 'X-Canary', cookie: 'canary' } }),
      route({ host: 'val.test', path: '/', backend: backend('main', [ep(a)]),
        canary: { ingress: { namespace: 'default', name: 'web-canary' }, backend: backend('canary', [ep(b)]), weight: 0, weightTotal: 100,
          header: 'X-Canary', headerValue: 'blue' } }),
    ]);
    proxy = await startIngressProxy({ routes: holder, host: '127.0.0.1', httpPort: 0, httpsPort: 0, log: pino({ level: 'silent' }), headersTimeoutMs: 800 });
  });
  after(async () => {
    await proxy?.stop();
    await Promise.all([a, b, c, slow, broken].map((x) => x?.close()));
  });

  test('routes by host and path to the backend, Exact before Prefix', async () => {
    const r1 = await request(proxy.httpPort, { path: '/b' });
    assert.equal(r1.status, 200);
    assert.equal(JSON.parse(r1.body).name, 'b');
    const r2 = await request(proxy.httpPort, { path: '/b/more?x=1' });
    assert.equal(JSON.parse(r2.body).name, 'a');
    assert.equal(JSON.parse(r2.body).url, '/b/more?x=1');
    const r3 = await request(proxy.httpPort, { path: '/', host: 'APP.test:8080' });
    assert.equal(JSON.parse(r3.body).name, 'a', 'host matched lower-cased without its port');
  });

  test('answers 404 without a route, 503 without a service or endpoints, 400 for a bad Host', async () => {
    const none = await request(proxy.httpPort, { host: 'nowhere.test' });
    assert.equal(none.status, 404);
    assert.match(none.body, /404 Not Found/);
    assert.equal((await request(proxy.httpPort, { path: '/missing' })).status, 503);
    assert.equal((await request(proxy.httpPort, { path: '/empty' })).status, 503);
    assert.equal((await request(proxy.httpPort, { host: 'bad host!' })).status, 400);
  });

  test('504 when the backend does not answer within the read timeout, 502 when it fails mid-way or refuses', async () => {
    const t0 = Date.now();
    const slowAnswer = await request(proxy.httpPort, { path: '/slow' });
    assert.equal(slowAnswer.status, 504);
    assert.ok(Date.now() - t0 < 1500, 'cut at the route read timeout');
    assert.equal((await request(proxy.httpPort, { path: '/dead' })).status, 502);
    await assert.rejects(request(proxy.httpPort, { path: '/broken' }), 'a response cut mid-way is cut toward the client too');
  });

  test('an exception inside the proxy answers 502 and closes the connection, before and after the upstream connects', { timeout: 5000 }, async () => {
    for (const path of ['/throw/request', '/throw/upstream', '/throw/request']) {
      const r = await request(proxy.httpPort, { path });
      assert.equal(r.status, 502, path);
      assert.equal(r.headers.connection, 'close', path);
    }
    assert.equal(c.connections > 0, true, 'the upstream connection was made before the failure');
    assert.equal((await request(proxy.httpPort, { path: '/b' })).status, 200, 'the proxy serves on');
  });

  test('retries a refused GET on another endpoint; a POST with a body is not sent twice', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await request(proxy.httpPort, { path: '/retry' });
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.body).name, 'b');
    }
    const posts = await Promise.all(Array.from({ length: 10 }, () => request(proxy.httpPort, { path: '/retry', method: 'POST', body: 'x' })));
    const statuses = new Set(posts.map((p) => p.status));
    assert.ok(statuses.has(502) && statuses.has(200), `POSTs hit the refusing endpoint without a retry: ${[...statuses]}`);
  });

  test('redirects plain HTTP to HTTPS with 308 when sslRedirect is on', async () => {
    const r = await request(proxy.httpPort, { host: 'secure.test', path: '/x?y=1' });
    assert.equal(r.status, 308);
    assert.equal(r.headers.location, `https://secure.test:${proxy.httpsPort}/x?y=1`);
  });

  test('413 above the body limit, by Content-Length and by counting a chunked body', async () => {
    assert.equal((await request(proxy.httpPort, { path: '/small', method: 'POST', body: '0123456789' })).status, 200);
    assert.equal((await request(proxy.httpPort, { path: '/small', method: 'POST', body: '0123456789A' })).status, 413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxy.httpPort, path: '/small', method: 'POST', agent: false,
        headers: { host: 'app.test', 'transfer-encoding': 'chunked' } }, (res) => { res.resume(); resolve(res.statusCode!); });
      req.on('error', reject);
      req.write('0123456789');
      setTimeout(() => req.end('0123456789'), 100);
    });
    assert.equal(chunked, 413);
  });

  test('rewrite-target replaces the path with the regex groups, query kept', async () => {
    const r = await request(proxy.httpPort, { path: '/api/users/7?full=1' });
    assert.equal(JSON.parse(r.body).url, '/v2/users/7?full=1');
  });

  test('sets X-Forwarded-*, X-Real-IP and X-Request-ID, drops hop-by-hop headers', async () => {
    const r = await request(proxy.httpPort, { host: 'app.test:80', headers: { 'x-forwarded-for': '203.0.113.9', connection: 'keep-alive, x-secret', 'x-secret': 's', 'keep-alive': 'timeout=5' } });
    const h = JSON.parse(r.body).headers as Record<string, string>;
    assert.equal(h['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(h['x-real-ip'], '127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-host'], 'app.test:80');
    assert.equal(h['x-forwarded-port'], String(proxy.httpPort));
    assert.equal(h.host, 'app.test:80');
    assert.equal(h['x-secret'], undefined, 'a header named by Connection is hop-by-hop');
    assert.equal(h['keep-alive'], undefined);
    assert.match(h['x-request-id'], /^[0-9a-f]{32}$/);
    assert.equal(r.headers['x-request-id'], h['x-request-id'], 'the same id on the response');
    assert.notEqual(r.headers['keep-alive'], 'timeout=5', "the backend's keep-alive header is not passed on");
    const given = await request(proxy.httpPort, { headers: { 'x-request-id': 'abc-123' } });
    assert.equal(JSON.parse(given.body).headers['x-request-id'], 'abc-123');
    assert.equal(given.headers['x-request-id'], 'abc-123');
  });

  test('reuses upstream connections (keep-alive pool)', async () => {
    const before = b.connections;
    for (let i = 0; i < 50; i++) assert.equal((await request(proxy.httpPort, { path: '/b' })).status, 200);
    const opened = b.connections - before;
    assert.ok(opened <= 1, `50 sequential requests opened ${opened} backend connections`);
  });

  test('canary by weight sends about 10% of 2,000 requests to the canary', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    try {
      let canary = 0;
      for (let i = 0; i < 20; i++) {
        const batch = await Promise.all(Array.from({ length: 100 }, () => request(proxy.httpPort, { host: 'canary.test', agent })));
        canary += batch.filter((r) => JSON.parse(r.body).name === 'b').length;
      }
      assert.ok(canary >= 120 && canary <= 280, `canary got ${canary} of 2000`);
    } finally {
      agent.destroy();
    }
  });

  test('canary by header and cookie: always, never, exact value', async () => {
    const name = async (host: string, headers: http.OutgoingHttpHeaders) => JSON.parse((await request(proxy.httpPort, { host, headers })).body).name;
    assert.equal(await name('hdr.test', {}), 'a');
    assert.equal(await name('hdr.test', { 'x-canary': 'always' }), 'b');
    assert.equal(await name('hdr.test', { cookie: 'x=1; canary=always' }), 'b');
    assert.equal(await name('hdr.test', { 'x-canary': 'never', cookie: 'canary=always' }), 'a', 'the header decides before the cookie');
    assert.equal(await name('val.test', { 'x-canary': 'blue' }), 'b');
    assert.equal(await name('val.test', { 'x-canary': 'always' }), 'a', 'with a header value only that value picks the canary');
  });

  test('431 for a too large request head', async () => {
    const r = await request(proxy.httpPort, { headers: { 'x-big': 'x'.repeat(40 * 1024) } });
    assert.equal(r.status, 431);
  });

  test('slowloris: a client sending its headers slowly is cut off while others are served', async () => {
    const sock = net.connect(proxy.httpPort, '127.0.0.1');
    sock.on('error', () => {});
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write('GET / HTTP/1.1\r\nHost: app.test\r\n');
    const drip = setInterval(() => sock.write('X-A: b\r\n'), 100);
    const closed = new Promise<string>((r) => {
      let got = '';
      sock.on('data', (c: Buffer) => { got += c.toString(); });
      sock.once('close', () => r(got));
    });
    try {
      const t0 = Date.now();
      assert.equal((await request(proxy.httpPort, { path: '/b' })).status, 200, 'others are served meanwhile');
      const got = await closed;
      assert.ok(Date.now() - t0 < 5000, 'cut off soon after the headers timeout');
      assert.match(got, /^HTTP\/1\.1 408/);
    } finally {
      clearInterval(drip);
      sock.destroy();
    }
  });

  test('counts requests in the tugboat_ingress_* metrics', async () => {
    await request(proxy.httpPort, { path: '/b' });
    const text = await register.metrics();
    assert.match(text, /tugboat_ingress_requests_total\{ingress="web",namespace="default",host="app.test",service="svc-b",status="200"\} \d+/);
    assert.match(text, /tugboat_ingress_request_duration_seconds_bucket\{le="0.005",ingress="web"/);
    assert.match(text, /tugboat_ingress_response_bytes_total\{ingress="web",namespace="default",host="app.test",service="svc-b"\} \d+/);
  });
});
