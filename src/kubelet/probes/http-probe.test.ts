/**
 * @module httpGet and tcpSocket probes against real servers on 127.0.0.1: status codes,
 * redirects, headers, timeouts and the kubelet's failure texts.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { httpProbe, ProbeUserAgent, type HttpProbeTarget } from './http-probe.js';
import { tcpProbe } from './tcp-probe.js';

let server: Server;
let port: number;
let lastHeaders: IncomingMessage['headers'] = {};
const hanging = new Set<ServerResponse>();

before(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    if (p === '/ok') res.end('fine');
    else if (p === '/status') { res.statusCode = Number(url.searchParams.get('code')); res.end('body stays out of the message'); }
    else if (p === '/redirect') { res.statusCode = 302; res.setHeader('location', '/ok'); res.end(); }
    else if (p === '/away') { res.statusCode = 301; res.setHeader('location', 'http://other.invalid/ok'); res.end('moved'); }
    else if (p === '/loop') { res.statusCode = 302; res.setHeader('location', '/loop'); res.end(); }
    else if (p === '/slow') hanging.add(res);
    else if (p === '/hangup') req.socket.destroy();
    else if (p === '/big') res.end('x'.repeat(100_000));
    else { res.statusCode = 404; res.end(); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const target = (path: string, headers: HttpProbeTarget['headers'] = []): HttpProbeTarget => ({ scheme: 'http', host: '127.0.0.1', port, path, headers });

test('200 is success with the body; 399 too; 400 and 500 fail without the body', async () => {
  assert.deepEqual(await httpProbe(target('/ok'), 1000), { result: 'success', output: 'fine' });
  assert.equal((await httpProbe(target('/status?code=204'), 1000)).result, 'success');
  assert.deepEqual(await httpProbe(target('/status?code=500'), 1000), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
  assert.deepEqual(await httpProbe(target('/status?code=404'), 1000), { result: 'failure', output: 'HTTP probe failed with statuscode: 404' });
});

test('redirects: same host followed, another host is a warning, a loop stops after 10', async () => {
  assert.deepEqual(await httpProbe(target('/redirect'), 1000), { result: 'success', output: 'fine' });
  assert.deepEqual(await httpProbe(target('/away'), 1000), { result: 'warning', output: 'Probe terminated redirects, Response body: moved' });
  assert.deepEqual(await httpProbe(target('/loop'), 2000), { result: 'failure', output: `Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects` });
});

test('headers: kube-probe User-Agent and Accept by default; the probe can set them and others', async () => {
  await httpProbe(target('/ok'), 1000);
  assert.equal(lastHeaders['user-agent'], ProbeUserAgent);
  assert.equal(lastHeaders['user-agent'], 'kube-probe/1.32');
  assert.equal(lastHeaders.accept, '*/*');
  await httpProbe(target('/ok', [{ name: 'User-Agent', value: 'mine' }, { name: 'X-Custom', value: 'a' }, { name: 'Accept', value: '' }, { name: 'Host', value: 'example.test' }]), 1000);
  assert.equal(lastHeaders['user-agent'], 'mine');
  assert.equal(lastHeaders['x-custom'], 'a');
  assert.equal(lastHeaders.accept, undefined);
  assert.equal(lastHeaders.host, 'example.test');
});

test('a query in the path is sent; a path without a slash gets one', async () => {
  assert.equal((await httpProbe(target('status?code=200'), 1000)).result, 'success');
});

test('a long body is cut, not a failure', async () => {
  const o = await httpProbe(target('/big'), 1000);
  assert.equal(o.result, 'success');
  assert.equal(o.result === 'success' && o.output.length, 10 * 1024);
});

test('timeout, refused connection and hang-up read as the kubelet reports them', async () => {
  const t0 = Date.now();
  assert.deepEqual(await httpProbe(target('/slow'), 150),
    { result: 'failure', output: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
  assert.ok(Date.now() - t0 < 1000);
  const closed = await closedPort();
  assert.deepEqual(await httpProbe({ ...target('/ok'), port: closed }, 1000),
    { result: 'failure', output: `Get "http://127.0.0.1:${closed}/ok": dial tcp 127.0.0.1:${closed}: connect: connection refused` });
  assert.deepEqual(await httpProbe(target('/hangup'), 1000), { result: 'failure', output: `Get "http://127.0.0.1:${port}/hangup": EOF` });
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

test('tcpSocket: an open port succeeds, a closed one is refused', async () => {
  assert.deepEqual(await tcpProbe('127.0.0.1', port, 1000), { result: 'success', output: '' });
  const closed = await closedPort();
  assert.deepEqual(await tcpProbe('127.0.0.1', closed, 1000), { result: 'failure', output: `dial tcp 127.0.0.1:${closed}: connect: connection refused` });
});
