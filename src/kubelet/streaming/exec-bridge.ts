/**
 * @module Serves a remote command (exec/attach) to a WebSocket client — kubectl speaks the channel
 * protocol v5.channel.k8s.io (v4 also accepted) — from the runtime's SPDY streams: each binary
 * message is one channel byte and data (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize); in v5,
 * [255, channel] closes that channel from the client side (stdin EOF, which `kubectl cp` needs).
 */
import type { WebSocket } from 'ws';
import type { RemoteCommand } from './remote-command.js';

export const CHANNEL_PROTOCOL_V5 = 'v5.channel.k8s.io';
export const CHANNEL_PROTOCOL_V4 = 'v4.channel.k8s.io';
/** Offered subprotocols this server accepts, in its order of preference. */
export const CHANNEL_PROTOCOLS = [CHANNEL_PROTOCOL_V5, CHANNEL_PROTOCOL_V4];

export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** The best channel protocol among those the client offered, or undefined. */
export function chooseChannelProtocol(offered: Iterable<string>): string | undefined {
  const set = new Set(offered);
  return CHANNEL_PROTOCOLS.find((p) => set.has(p));
}

/** Output queued for the client beyond this pauses reading from the runtime until it drains. */
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

export interface BridgeLog { debug(obj: object, msg?: string): void }

/**
 * Relays until the command ends (the runtime closes its streams: the Status goes out on channel 3
 * and the WebSocket closes normally, which kubectl reads as the end of every channel) or the
 * client goes away (the runtime connection is closed). Resolves when both sides are done.
 */
export function bridgeRemoteCommand(ws: WebSocket, protocol: string, rc: RemoteCommand, log?: BridgeLog): Promise<void> {
  const v5 = protocol === CHANNEL_PROTOCOL_V5;
  let queued = 0;
  let paused = false;

  const send = (channel: number, data: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    const msg = Buffer.allocUnsafe(data.length + 1);
    msg[0] = channel;
    data.copy(msg, 1);
    queued += msg.length;
    ws.send(msg, { binary: true }, () => {
      queued -= msg.length;
      if (paused && queued < LOW_WATER) {
        paused = false;
        rc.conn.resume();
      }
    });
    if (!paused && queued > HIGH_WATER) {
      paused = true;
      rc.conn.pause();
    }
  };

  const outputs: [number, NodeJS.ReadableStream | undefined][] = [
    [Channel.stdout, rc.stdout], [Channel.stderr, rc.stderr], [Channel.error, rc.error]];
  const ended = outputs.map(([channel, stream]) => new Promise<void>((resolve) => {
    if (!stream) return resolve();
    stream.on('data', (c: Buffer) => send(channel, c));
    stream.once('end', resolve);
    stream.once('close', resolve);
  }));

  ws.on('message', (data, isBinary) => {
    const buf = toBuffer(data);
    if (!isBinary || buf.length === 0) return;
    const channel = buf[0];
    if (v5 && channel === Channel.close) {
      if (buf.length === 2 && buf[1] === Channel.stdin) rc.stdin?.end();
      return;
    }
    const payload = buf.subarray(1);
    const target = channel === Channel.stdin ? rc.stdin : channel === Channel.resize ? rc.resize : undefined;
    if (!target || target.writableEnded) return;
    if (!target.write(payload)) {
      ws.pause();
      target.once('drain', () => ws.resume());
    }
  });

  const clientGone = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.on('error', (err) => log?.debug({ err }, 'exec client connection failed'));

  return new Promise<void>((resolve) => {
    void Promise.race([Promise.all(ended), clientGone]).then(async () => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
      rc.conn.close();
      // A client that vanished without a close handshake must not hold the runtime connection.
      const timer = setTimeout(() => { ws.terminate(); rc.conn.destroy(); }, 5000);
      await clientGone;
      clearTimeout(timer);
      rc.conn.destroy();
      resolve();
    });
  });
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
