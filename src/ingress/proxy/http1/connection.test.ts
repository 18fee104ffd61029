import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { startIngressProxy, type IngressProxy } from '../index.js';
import { backend, echoBackend, route, RoutesHolder, StaticRoutes, type EchoBackend } from '../testing.js';

/** Writes raw bytes to the proxy and collects everything it sends until it closes or `until` matches. */
function raw(port: number, text: string | string[], until?: RegExp, ms = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => { s.destroy(); resolve(got); }, ms);
    s.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (until?.test(got)) { clearTimeout(timer); s.destroy(); resolve(got); }
    });
    s.on('close', () => { clearTimeout(timer); resolve(got); });
    s.on('error', reject);
    s.once('connect', async () => {
      for (const part of Array.isArray(text) ? text : [text]) {
        s.write(part);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
  });
}

describe('ingress proxy HTTP/1.x on raw sockets', () => {
  let echo: EchoBackend, chunky: EchoBackend, closer: EchoBackend, byHost: EchoBackend, cont: http.Server;
  let proxy: IngressProxy;

  before(async () => {
    echo = await echoBackend('echo');
    byHost = await echoBackend('by-host');
    chunky = await echoBackend('chunky', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('hello ');
      setTimeout(() => res.end('world'), 20);
    });
    // Closes every keep-alive connection 50 ms after its response, as short-lived backends do.
    closer = await echoBackend('closer');
    closer.server.keepAliveTimeout = 50;
    cont = http.createServer((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => { n += c.length; });
      req.on('end', () => res.end(`got ${n}`));
    });
    cont.on('checkContinue', (req, res) => { res.writeContinue(); cont.emit('request', req, res); });
    await new Promise<void>((r) => cont.listen(0, '127.0.0.1', () => r()));
    const ep = (port: number) => [{ ip: '127.0.0.1', port }];
    const table = new StaticRoutes(1, [
      route({ path: '/', backend: backend('echo', ep(echo.port)) }),
      route({ host: 'abs.test', path: '/', backend: backend('by-host', ep(byHost.port)) }),
      route({ path: '/chunky', backend: backend('chunky', ep(chunky.port)) }),
      route({ path: '/closer', backend: backend('closer', ep(closer.port)) }),
      route({ path: '/continue', backend: backend('cont', ep((cont.address() as net.AddressInfo).port)) }),
    ]);
    proxy = await startIngressProxy({ routes: new RoutesHolder(table), host: '127.0.0.1', httpPort: 0, httpsPort: 0, log: pino({ level: 'silent' }) });
  });
  after(async () => {
    await proxy?.stop();
    await Promise.all([echo, chunky, closer, byHost].map((b) => b?.close()));
    cont?.closeAllConnections();
    await new Promise((r) => cont?.close(r));
  });

  test('pipelined requests are answered in order on one connection', async () => {
    const got = await raw(proxy.httpPort, 'GET /one HTTP/1.1\r\nHost: app.test\r\n\r\nGET /two HTTP/1.1\r\nHost: app.test\r\n\r\nGET /three HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n');
    const urls = [...got.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(urls, ['/one', '/two', '/three']);
    assert.match(got, /Connection: close\r\n/i, 'the last answer says the connection closes');
  });

  test('a chunked response stays chunked for HTTP/1.1 and is de-chunked for HTTP/1.0 clients', async () => {
    const v11 = await raw(proxy.httpPort, 'GET /chunky HTTP/1.1\r\nHost: app.test\r\n\r\n', /0\r\n\r\n$/);
    assert.match(v11, /Transfer-Encoding: chunked/i);
    assert.match(v11, /6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n$/);
    const v10 = await raw(proxy.httpPort, 'GET /chunky HTTP/1.0\r\nHost: app.test\r\n\r\n');
    assert.doesNotMatch(v10, /Transfer-Encoding/i);
    assert.match(v10, /Connection: close\r\n/i);
    assert.match(v10, /\r\n\r\nhello world$/);
  });

  test('a chunked upload reaches the backend whole, and Expect: 100-continue is passed through', async () => {
    const chunked = await raw(proxy.httpPort, ['POST / HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n', '3\r\nabc\r\n', '4\r\ndefg\r\n0\r\n\r\n'], /"bodyBytes":7/);
    assert.match(chunked, /"bodyBytes":7/);
    const cont100 = await raw(proxy.httpPort, ['POST /continue HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n', 'hello'], /got 5/);
    assert.match(cont100, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  });

  test('bad heads: 400 for a malformed line, 505 for another version, 400 for Content-Length with Transfer-Encoding', async () => {
    assert.match(await raw(proxy.httpPort, 'GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400 /);
    assert.match(await raw(proxy.httpPort, 'GET / HTTP/3.0\r\nHost: app.test\r\n\r\n'), /^HTTP\/1\.1 505 /);
    assert.match(await raw(proxy.httpPort, 'POST / HTTP/1.1\r\nHost: app.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), /^HTTP\/1\.1 400 /);
    assert.match(await raw(proxy.httpPort, 'GET / HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 400 /, 'no Host');
  });

  test('an absolute-form request is routed by the host in its target, which the backend gets as Host, with the origin-form target', async () => {
    const got = await raw(proxy.httpPort, 'GET http://abs.test/a?b=1 HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n');
    assert.match(got, /^HTTP\/1\.1 200 /);
    const seen = JSON.parse(/\{.*\}/s.exec(got)![0]) as { name: string; url: string; headers: Record<string, string> };
    assert.deepEqual([seen.name, seen.url, seen.headers.host, seen.headers['x-forwarded-host']], ['by-host', '/a?b=1', 'abs.test', 'abs.test']);
  });

  test('HEAD gets the head only; the connection stays usable', async () => {
    const got = await raw(proxy.httpPort, 'HEAD / HTTP/1.1\r\nHost: app.test\r\n\r\nGET /after HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n');
    assert.equal(got.match(/HTTP\/1\.1 200/g)?.length, 2);
    assert.match(got, /"url":"\/after"/);
  });

  test('a keep-alive connection the backend closed meanwhile is replaced, not a 502', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 6; i++) {
        const status = await new Promise<number>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port: proxy.httpPort, path: '/closer', agent, headers: { host: 'app.test' } }, (res) => { res.resume(); resolve(res.statusCode!); })
            .on('error', reject);
        });
        assert.equal(status, 200, `request ${i}`);
        // Around the backend's 50 ms keep-alive timeout, so some requests meet a connection it is closing.
        await new Promise((r) => setTimeout(r, 40 + i * 5));
      }
    } finally {
      agent.destroy();
    }
  });
});
