/**
 * @module The WebSocket ↔ SPDY bridge against a stand-in for containerd's streaming server (an HTTP
 * upgrade to SPDY/3.1 that speaks remote command v4: it upper-cases stdin to stdout until stdin
 * ends, then sends its Status and resets every stream as Kubernetes' server does), and the
 * WebSocket tunnel relay against a TCP echo server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { bridgeRemoteCommand, chooseChannelProtocol } from './exec-bridge.js';
import { relayTunnel } from './relay.js';
import { openRemoteCommand } from './remote-command.js';
import { SpdyConnection, type SpdyStream } from './spdy.js';

/** A streaming server that serves one remote command per connection. */
async function fakeStreamingServer(t: { after(fn: () => void): void }): Promise<string> {
  const server = http.createServer((_req, res) => { res.writeHead(400); res.end('upgrade required'); });
  server.on('upgrade', (req, socket: Duplex) => {
    assert.equal(req.headers['x-stream-protocol-version'], 'v4.channel.k8s.io');
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n');
    const conn = new SpdyConnection(socket, { client: false });
    const streams: Record<string, SpdyStream> = {};
    conn.on('stream', (s: SpdyStream) => {
      s.reply();
      streams[s.headers.streamtype] = s;
      if (Object.keys(streams).length < 3) return;
      streams.stdin.on('data', (d: Buffer) => streams.stdout.write(d.toString().toUpperCase()));
      streams.stdin.on('end', () => {
        streams.stdout.end();
        streams.error.write(JSON.stringify({ metadata: {}, status: 'Success' }));
        for (const x of Object.values(streams)) x.reset();
        conn.close();
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => { server.closeAllConnections(); server.close(); });
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/exec/token`;
}

/** A WebSocket server whose every connection runs `serve`, and a client connected to it. */
async function wsPair(t: { after(fn: () => void): void }, protocol: string, serve: (ws: WebSocket) => void): Promise<WebSocket> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => protocol });
  await once(wss, 'listening');
  wss.on('connection', serve);
  t.after(() => wss.close());
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}/`, [protocol]);
  await once(client, 'open');
  return client;
}

test('the best offered channel protocol wins; unknown offers get none', () => {
  assert.equal(chooseChannelProtocol(['v4.channel.k8s.io', 'v5.channel.k8s.io']), 'v5.channel.k8s.io');
  assert.equal(chooseChannelProtocol(['v4.channel.k8s.io', 'channel.k8s.io']), 'v4.channel.k8s.io');
  assert.equal(chooseChannelProtocol(['base64.channel.k8s.io']), undefined);
});

test('v5: stdin, resize and the close signal reach the runtime; output, Status and a normal close come back', async (t) => {
  const url = await fakeStreamingServer(t);
  let bridged: Promise<void> | undefined;
  const client = await wsPair(t, 'v5.channel.k8s.io', (ws) => {
    // The agent opens the runtime session before the handshake; here the client is held until then.
    ws.pause();
    bridged = openRemoteCommand(url, { stdin: true, stdout: true, stderr: false, tty: false }).then((rc) => {
      const done = bridgeRemoteCommand(ws, 'v5.channel.k8s.io', rc);
      ws.resume();
      return done;
    });
  });
  const got: Record<number, string> = { 1: '', 2: '', 3: '' };
  client.on('message', (d: Buffer) => { got[d[0]] += d.subarray(1).toString(); });
  client.send(Buffer.from('\x00hello '));
  client.send(Buffer.from('\x00bridge'));
  client.send(Buffer.from([255, 0]));
  const [code] = await once(client, 'close');
  assert.equal(code, 1000);
  assert.equal(got[1], 'HELLO BRIDGE');
  assert.deepEqual(JSON.parse(got[3]), { metadata: {}, status: 'Success' });
  await bridged;
});

test('the tunnel relay carries bytes both ways and closes the WebSocket when the TCP side ends', async (t) => {
  const echo = net.createServer((s) => s.pipe(s));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  t.after(() => echo.close());
  const client = await wsPair(t, 'SPDY-tunnel', (ws) => {
    const tcp = net.connect((echo.address() as net.AddressInfo).port, '127.0.0.1');
    void relayTunnel(ws, tcp);
    // The TCP side ends after the first echo, so the client sees the WebSocket close.
    tcp.once('data', () => setTimeout(() => tcp.end(), 50));
  });
  const chunks: Buffer[] = [];
  client.on('message', (d: Buffer) => chunks.push(d));
  const payload = Buffer.alloc(200_000, 7);
  client.send(payload.subarray(0, 100_000));
  client.send(payload.subarray(100_000));
  const [code] = await once(client, 'close');
  assert.equal(code, 1000);
  assert.ok(Buffer.concat(chunks).equals(payload));
});
