import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { startIngressProxy, type IngressProxy } from './index.js';
import { backend, echoBackend, route, RoutesHolder, StaticRoutes, type EchoBackend } from './testing.js';

const GiB = 1 << 30;

/** 1 GiB generated on the fly in 1 MiB chunks, so the test itself holds almost nothing. */
function gibibyte(): Readable {
  const chunk = Buffer.alloc(1 << 20, 'x');
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= GiB) return void this.push(null);
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

describe('ingress proxy streams', () => {
  let sink: EchoBackend;
  let blobs: EchoBackend;
  let wsBackend: http.Server;
  /** 24 MiB of random bytes (more than loopback socket buffers hold), and its digest. */
  const blob = randomBytes(24 << 20);
  const blobSha = createHash('sha256').update(blob).digest('hex');
  let proxy: IngressProxy;

  before(async () => {
    sink = await echoBackend('sink');
    // Content-Length and chunked answers, written in uneven pieces.
    blobs = await echoBackend('blobs', (req, res) => {
      res.writeHead(200, req.url?.includes('chunked') ? {} : { 'content-length': blob.length });
      for (let at = 0; at < blob.length; at += 1_000_003) res.write(blob.subarray(at, at + 1_000_003));
      res.end();
    });
    wsBackend = http.createServer();
    const wss = new WebSocketServer({ server: wsBackend });
    wss.on('connection', (ws, req) => ws.on('message', (m) => ws.send(`echo ${req.url} ${req.headers['x-forwarded-proto']}: ${m}`)));
    await new Promise<void>((r) => wsBackend.listen(0, '127.0.0.1', () => r()));
    const wsPort = (wsBackend.address() as import('node:net').AddressInfo).port;
    const table = new StaticRoutes(1, [
      route({ path: '/upload', maxBodyBytes: 0, backend: backend('sink', [{ ip: '127.0.0.1', port: sink.port }]) }),
      route({ path: '/ws', backend: backend('ws', [{ ip: '127.0.0.1', port: wsPort }]) }),
      route({ path: '/blob', backend: backend('blobs', [{ ip: '127.0.0.1', port: blobs.port }]) }),
    ]);
    proxy = await startIngressProxy({ routes: new RoutesHolder(table), host: '127.0.0.1', httpPort: 0, httpsPort: 0, log: pino({ level: 'silent' }) });
  });
  after(async () => {
    await proxy?.stop();
    await sink?.close();
    await blobs?.close();
    wsBackend?.closeAllConnections();
    await new Promise((r) => wsBackend?.close(r));
  });

  test('WebSocket echo through the proxy over HTTP and HTTPS', async () => {
    for (const url of [`ws://127.0.0.1:${proxy.httpPort}/ws/chat`, `wss://127.0.0.1:${proxy.httpsPort}/ws/chat`]) {
      const ws = new WebSocket(url, { headers: { host: 'app.test' }, rejectUnauthorized: false });
      try {
        await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
        const replies: string[] = [];
        const got = new Promise<void>((resolve) => ws.on('message', (m) => { replies.push(String(m)); if (replies.length === 2) resolve(); }));
        ws.send('one');
        ws.send('two');
        await got;
        const proto = url.startsWith('wss') ? 'https' : 'http';
        assert.deepEqual(replies, [`echo /ws/chat ${proto}: one`, `echo /ws/chat ${proto}: two`]);
      } finally {
        ws.terminate();
      }
    }
  });

  test('large responses arrive intact over HTTP and HTTPS to slow and fast readers sharing pooled upstream connections', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const tlsAgent = new https.Agent({ keepAlive: true, maxSockets: 2, rejectUnauthorized: false });
    const download = (path: string, slow: boolean, secure: boolean) => new Promise<string>((resolve, reject) => {
      const o = { host: '127.0.0.1', path, headers: { host: 'app.test' } };
      const get = secure ? https.get({ ...o, port: proxy.httpsPort, agent: tlsAgent }, onResponse) : http.get({ ...o, port: proxy.httpPort, agent }, onResponse);
      get.on('error', reject);
      function onResponse(res: http.IncomingMessage): void {
        const hash = createHash('sha256');
        let first = true;
        res.on('data', (c: Buffer) => {
          hash.update(c);
          // A reader that stalls fills the socket buffers, so the proxy's writes queue and it must hold the upstream's reads meanwhile.
          if (slow && first) { res.pause(); setTimeout(() => res.resume(), 500); }
          first = false;
        });
        res.on('end', () => resolve(hash.digest('hex')));
        res.on('error', reject);
      }
    });
    try {
      const digests = await Promise.all(Array.from({ length: 8 }, (_, i) => download(i % 2 === 0 ? '/blob/chunked' : '/blob', i % 4 < 2, i >= 4)));
      assert.deepEqual(new Set(digests), new Set([blobSha]));
    } finally {
      agent.destroy();
      tlsAgent.destroy();
    }
  });

  test('a 1 GiB upload streams through without growing the process by 100 MB', async (t) => {
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: proxy.httpPort, path: '/upload', method: 'PUT', agent: false,
          headers: { host: 'app.test', 'content-length': String(GiB) } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => { body += c; });
          res.on('end', () => resolve(body));
          res.on('error', reject);
        });
        req.on('error', reject);
        gibibyte().pipe(req);
      });
      assert.equal(JSON.parse(answer).bodyBytes, GiB, 'every byte reached the backend');
    } finally {
      clearInterval(sampler);
    }
    const growthMB = (peak - rss0) / 2 ** 20;
    t.diagnostic(`peak RSS growth ${growthMB.toFixed(1)} MB (proxy, client and backend in this process)`);
    assert.ok(growthMB < 100, `RSS grew by ${growthMB.toFixed(0)} MB`);
  });
});
