/**
 * @module Byte relays for sessions whose protocol needs no parsing here: a SPDY session passed
 * through between the client and the runtime's streaming server (port-forward, and exec when the
 * client fell back to SPDY), either on the raw upgraded connection or tunnelled in WebSocket
 * binary messages (kubectl's "SPDY/3.1+portforward.k8s.io").
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/** Pipes both ways; when either side ends or fails, both are closed. Resolves once both are. */
export function relaySockets(a: Duplex, b: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let open = 2;
    const closed = () => {
      a.destroy();
      b.destroy();
      if (--open === 0) resolve();
    };
    for (const s of [a, b]) {
      s.once('close', closed);
      s.on('error', () => s.destroy());
    }
    a.pipe(b);
    b.pipe(a);
  });
}

/** WebSocket output queued beyond this pauses the socket until it drains. */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

/**
 * Carries a byte stream in WebSocket binary messages: each message's payload is the next bytes,
 * message boundaries mean nothing (client-go's TunnelingConnection reads it the same way).
 */
export function relayTunnel(ws: WebSocket, socket: Duplex): Promise<void> {
  let queued = 0;
  let paused = false;
  socket.on('data', (chunk: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    queued += chunk.length;
    ws.send(chunk, { binary: true }, () => {
      queued -= chunk.length;
      if (paused && queued < LOW_WATER) {
        paused = false;
        socket.resume();
      }
    });
    if (!paused && queued > HIGH_WATER) {
      paused = true;
      socket.pause();
    }
  });
  ws.on('message', (data, isBinary) => {
    if (!isBinary || socket.destroyed) return;
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (!socket.write(buf)) {
      ws.pause();
      socket.once('drain', () => ws.resume());
    }
  });
  return new Promise((resolve) => {
    let open = 2;
    const closed = () => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
      else if (ws.readyState !== ws.CLOSED) ws.terminate();
      socket.destroy();
      if (--open === 0) resolve();
    };
    ws.once('close', closed);
    ws.on('error', () => ws.terminate());
    socket.once('close', closed);
    socket.on('error', () => socket.destroy());
  });
}
