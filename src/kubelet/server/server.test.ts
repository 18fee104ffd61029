/**
 * @module The agent's API against a private containerd: pods run through CRI with the kubelet's
 * labels; logs, exec (WebSocket v5 and v4, and SPDY passed through), attach and port-forward
 * (plain SPDY and tunnelled in WebSocket) driven over HTTPS with the API server's client certificate.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { SpdyConnection, type SpdyStream } from '../streaming/spdy.js';
import { startKubeletServer, type KubeletServer } from './server.js';
import { startTestPods, type TestPod, type TestPods } from './testkit.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

describe('kubelet server on real containerd', () => {
  let pods: TestPods;
  let server: KubeletServer;
  let web: TestPod;
  let base: string;
  let creds: { ca: string; cert: string; key: string };

  before(async () => {
    pods = await startTestPods();
    server = await startKubeletServer({ runtime: pods.runtime, port: 0, host: '127.0.0.1',
      tls: { cert: pods.serving.cert, key: pods.serving.key, ca: pods.pki.ca.cert }, log: quiet });
    base = `https://127.0.0.1:${server.port}`;
    creds = { ca: pods.pki.ca.cert, ...pods.kubeletClient };
    web = await pods.runPod({ name: 'web', containers: [
      { name: 'main', command: ['sh', '-c', 'echo hello; sleep 0.1; echo oops >&2; sleep 0.1; i=0; while [ $i -lt 5 ]; do echo line $i; i=$((i+1)); done; nc -ll -p 8080 -e cat'] },
      { name: 'term', command: ['sh'], tty: true, stdin: true },
    ] });
    // Both containers have written their first lines once `line 4` is there.
    for (let i = 0; i < 100 && !(await get('/containerLogs/default/web/main')).body.includes('line 4'); i++) await sleep(50);
  });
  after(async () => {
    await server?.close();
    await pods?.stop();
  });

  function get(path: string, c: Partial<typeof creds> = creds): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      https.get(`${base}${path}`, { ca: pods.pki.ca.cert, cert: c.cert, key: c.key }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      }).on('error', reject);
    });
  }

  test('only the API server kubelet client (or system:masters) gets in', async () => {
    assert.deepEqual(await get('/healthz', {}), { status: 401, body: 'Unauthorized' });
    const stranger = await get('/healthz', pods.stranger);
    assert.equal(stranger.status, 403);
    assert.match(stranger.body, /Forbidden \(user=jane, verb=get/);
    assert.deepEqual(await get('/healthz'), { status: 200, body: 'ok' });
    assert.equal((await get('/nope')).status, 404);
  });

  test('containerLogs serves the CRI log with tail, timestamps and limitBytes', async () => {
    const all = await get('/containerLogs/default/web/main');
    assert.equal(all.status, 200);
    assert.equal(all.body, 'hello\noops\nline 0\nline 1\nline 2\nline 3\nline 4\n');
    assert.equal((await get('/containerLogs/default/web/main?tailLines=2')).body, 'line 3\nline 4\n');
    assert.equal((await get('/containerLogs/default/web/main?limitBytes=8')).body, 'hello\noo');
    assert.match((await get('/containerLogs/default/web/main?timestamps=true&tailLines=1')).body,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) line 4\n$/);
    assert.equal((await get('/containerLogs/default/web/main?sinceTime=2000-01-01T00:00:00Z&tailLines=1')).body, 'line 4\n');
  });

  test('log errors are 400s in the kubelet wording', async () => {
    assert.deepEqual(await get('/containerLogs/default/web/main?previous=true'),
      { status: 400, body: 'previous terminated container "main" in pod "web" not found' });
    assert.deepEqual(await get('/containerLogs/default/web/ghost'),
      { status: 400, body: 'container "ghost" in pod "web" is waiting to start - no logs yet' });
    assert.equal((await get('/containerLogs/default/web/main?tailLines=x')).status, 400);
  });

  test('follow streams new lines and ends when the container exits; --previous reads the exited one', async () => {
    const pod = await pods.runPod({ name: 'ticker', containers: [
      { name: 'c', command: ['sh', '-c', 'for i in 1 2 3; do echo tick $i; sleep 0.3; done'] }] });
    const started = Date.now();
    const r = await get('/containerLogs/default/ticker/c?follow=true');
    assert.equal(r.body, 'tick 1\ntick 2\ntick 3\n');
    assert.ok(Date.now() - started < 5000);
    await pods.runContainer(pod, { name: 'c', command: ['sh', '-c', 'echo second run; sleep 1000'], restartCount: 1 });
    assert.equal((await get('/containerLogs/default/ticker/c?previous=true')).body, 'tick 1\ntick 2\ntick 3\n');
    for (let i = 0; i < 50 && !(await get('/containerLogs/default/ticker/c')).body; i++) await sleep(50);
    assert.equal((await get('/containerLogs/default/ticker/c')).body, 'second run\n');
  });

  /** Runs a command through /exec over WebSocket and collects the channels. */
  function wsExec(path: string, protocol = 'v5.channel.k8s.io', drive?: (ws: WebSocket) => void) {
    return new Promise<{ out: string; err: string; status: any; protocol: string }>((resolve, reject) => {
      const ws = new WebSocket(`wss://127.0.0.1:${server.port}${path}`, [protocol], { ...creds });
      const bufs: Record<number, Buffer[]> = { 1: [], 2: [], 3: [] };
      ws.on('open', () => drive?.(ws));
      ws.on('message', (d: Buffer) => bufs[d[0]]?.push(d.subarray(1)));
      ws.on('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(new Error(`${res.statusCode} ${Buffer.concat(chunks)}`)));
      });
      ws.on('error', reject);
      ws.on('close', (code) => {
        const text = (n: number) => Buffer.concat(bufs[n]).toString();
        if (code !== 1000) return reject(new Error(`closed with ${code}`));
        resolve({ out: text(1), err: text(2), status: text(3) ? JSON.parse(text(3)) : undefined, protocol: ws.protocol });
      });
    });
  }

  const cmd = (...args: string[]) => args.map((a) => `command=${encodeURIComponent(a)}`).join('&');

  test('exec over WebSocket v5: stdout, stderr and the exit code in the Status', async () => {
    const r = await wsExec(`/exec/default/web/main?${cmd('sh', '-c', 'echo out; echo err >&2; exit 3')}&stdout=1&stderr=1`);
    assert.equal(r.protocol, 'v5.channel.k8s.io');
    assert.equal(r.out, 'out\n');
    assert.equal(r.err, 'err\n');
    assert.equal(r.status.status, 'Failure');
    assert.equal(r.status.reason, 'NonZeroExitCode');
    assert.deepEqual(r.status.details.causes, [{ reason: 'ExitCode', message: '3' }]);
    const ok = await wsExec(`/exec/default/web/main?${cmd('true')}&stdout=1`);
    assert.equal(ok.status.status, 'Success');
  });

  test('exec stdin reaches the command and the v5 close signal ends it (as kubectl cp does)', async () => {
    const payload = Buffer.alloc(300_000, 'z');
    const r = await wsExec(`/exec/default/web/main?${cmd('wc', '-c')}&stdin=1&stdout=1&stderr=1`, 'v5.channel.k8s.io', (ws) => {
      for (let off = 0; off < payload.length; off += 32_768) ws.send(Buffer.concat([Buffer.from([0]), payload.subarray(off, off + 32_768)]));
      ws.send(Buffer.from([255, 0]));
    });
    assert.equal(r.out.trim(), '300000');
    assert.equal(r.status.status, 'Success');
  });

  test('exec over WebSocket v4 still works; a TTY session takes a resize', async () => {
    const v4 = await wsExec(`/exec/default/web/main?${cmd('echo', 'v4')}&stdout=1`, 'v4.channel.k8s.io');
    assert.equal(v4.protocol, 'v4.channel.k8s.io');
    assert.equal(v4.out, 'v4\n');
    const tty = await wsExec(`/exec/default/web/main?${cmd('sh', '-c', 'sleep 0.5; stty size')}&stdin=1&stdout=1&tty=1`, 'v5.channel.k8s.io',
      (ws) => ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: 123, Height: 45 }))])));
    assert.equal(tty.out.trim(), '45 123');
  });

  test('exec errors answer before the upgrade', async () => {
    await assert.rejects(wsExec(`/exec/default/web/ghost?${cmd('true')}&stdout=1`), /404 container not found \("ghost"\)/);
    await assert.rejects(wsExec('/exec/default/web/main?stdout=1'), /400 you must specify at least one command/);
    await assert.rejects(wsExec(`/exec/default/web/main?${cmd('true')}`), /400 you must specify at least 1 of stdin, stdout, stderr/);
    await assert.rejects(wsExec(`/exec/default/web/main?${cmd('true')}&stdout=1`, 'base64.channel.k8s.io'), /400 unable to upgrade/);
    assert.equal((await get(`/exec/default/web/main?${cmd('true')}&stdout=1`)).status, 400);
  });

  /** A SPDY upgrade to the agent, as kubectl's fallback does. */
  function spdyUpgrade(path: string, protocols: string[]): Promise<{ conn: SpdyConnection; protocol: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request(`${base}${path}`, { method: 'POST', agent: false, ...creds,
        headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': protocols } });
      req.on('upgrade', (res, socket: Duplex, head) => {
        if (head.length) socket.unshift(head);
        resolve({ conn: new SpdyConnection(socket, { client: true }), protocol: String(res.headers['x-stream-protocol-version']) });
      });
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
  }

  function readAll(s: SpdyStream): Promise<string> {
    const parts: Buffer[] = [];
    s.on('data', (c: Buffer) => parts.push(c));
    return new Promise((resolve) => s.once('end', () => resolve(Buffer.concat(parts).toString())));
  }

  test('exec over SPDY passes through to the runtime (kubectl fallback)', async () => {
    const { conn, protocol } = await spdyUpgrade(`/exec/default/web/main?${cmd('sh', '-c', 'cat; exit 7')}&stdin=1&stdout=1`,
      ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    assert.equal(protocol, 'v4.channel.k8s.io');
    const error = await conn.createStream({ streamtype: 'error' });
    const stdin = await conn.createStream({ streamtype: 'stdin' });
    const stdout = await conn.createStream({ streamtype: 'stdout' });
    const [out, status] = [readAll(stdout), readAll(error)];
    stdin.end('through spdy');
    assert.equal(await out, 'through spdy');
    assert.deepEqual(JSON.parse(await status).details.causes, [{ reason: 'ExitCode', message: '7' }]);
    conn.destroy();
  });

  test('attach reaches the container\'s own stdin and TTY, and leaving does not stop it', async () => {
    let seen = '';
    await wsExec('/attach/default/web/term?stdin=1&stdout=1&tty=1', 'v5.channel.k8s.io', (ws) => {
      ws.on('message', (d: Buffer) => {
        seen += d.subarray(1).toString();
        if (seen.includes('attached-42')) ws.close(1000);
      });
      // The terminal echoes what is typed; only the shell prints the sum.
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('echo attached-$((40+2))\n')]));
    });
    assert.match(seen, /attached-42/);
    const [term] = await pods.runtime.listContainers({ labelSelector: { 'io.kubernetes.container.name': 'term' } });
    assert.equal(term.state, 'CONTAINER_RUNNING');
  });

  /** Opens a port-forward stream pair for `port` and echoes through it. */
  async function forward(conn: SpdyConnection, port: number, requestId: number, text: string): Promise<string> {
    const headers = { port: String(port), requestid: String(requestId) };
    const error = await conn.createStream({ ...headers, streamtype: 'error' });
    const errText = readAll(error);
    const data = await conn.createStream({ ...headers, streamtype: 'data' });
    const out: Buffer[] = [];
    data.on('data', (c: Buffer) => out.push(c));
    data.write(text);
    for (let i = 0; i < 100 && Buffer.concat(out).length < text.length; i++) await sleep(20);
    data.end();
    error.end();
    const e = await Promise.race([errText, sleep(100).then(() => '')]);
    return e || Buffer.concat(out).toString();
  }

  test('port-forward over SPDY reaches a port inside the pod', async () => {
    const { conn, protocol } = await spdyUpgrade('/portForward/default/web', ['portforward.k8s.io']);
    assert.equal(protocol, 'portforward.k8s.io');
    assert.equal(await forward(conn, 8080, 0, 'ping over spdy'), 'ping over spdy');
    assert.equal(await forward(conn, 8080, 1, 'second connection'), 'second connection');
    assert.match(await forward(conn, 9, 2, 'nobody'), /error forwarding port 9|connection refused/);
    conn.destroy();
  });

  test('port-forward tunnelled in WebSocket (SPDY/3.1+portforward.k8s.io) is accepted under that name', async () => {
    const socket = await new Promise<Duplex>((resolve, reject) => {
      const req = https.request(`${base}/portForward/default/web`, { ...creds, headers: {
        Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Protocol': 'SPDY/3.1+portforward.k8s.io' } });
      req.on('upgrade', (res, s: Duplex) => {
        assert.equal(res.headers['sec-websocket-protocol'], 'SPDY/3.1+portforward.k8s.io');
        resolve(s);
      });
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    socket.destroy();
  });

  test('a pod without a sandbox is a 404 for port-forward', async () => {
    await assert.rejects(spdyUpgrade('/portForward/default/ghost', ['portforward.k8s.io']), /no upgrade: 404/);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
