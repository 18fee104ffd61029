/**
 * @module The HTTP upgrade to SPDY/3.1 at the container runtime's streaming server (the URL that
 * CRI Exec/Attach/PortForward return), with the Kubernetes stream protocol negotiation.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';

export interface SpdyUpgrade {
  /** The raw connection, positioned at the first SPDY frame. */
  socket: Duplex;
  /** The X-Stream-Protocol-Version the server chose ('' when it named none). */
  protocol: string;
}

export interface DialSpdyOptions {
  /** X-Stream-Protocol-Version values to offer, preferred first. */
  protocols: string[];
  timeoutMs?: number;
}

/** An upgrade the streaming server refused: its status and body, for the caller to pass on. */
export class UpgradeRefusedError extends Error {
  constructor(readonly statusCode: number, readonly body: string) {
    super(`the runtime's streaming server refused the upgrade: ${statusCode} ${body.trim()}`);
  }
}

/** Upgrades a POST to the streaming URL to SPDY/3.1, as client-go's SPDY round tripper does. */
export function dialSpdy(streamUrl: string, o: DialSpdyOptions): Promise<SpdyUpgrade> {
  let url: URL;
  try {
    url = new URL(streamUrl);
  } catch {
    return Promise.reject(new Error(`invalid streaming URL from the runtime: ${streamUrl}`));
  }
  if (url.protocol !== 'http:') {
    return Promise.reject(new Error(`unsupported streaming URL scheme ${url.protocol} (containerd serves http on loopback)`));
  }
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port || 80, path: `${url.pathname}${url.search}`, method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': o.protocols, 'Content-Length': '0' },
      timeout: o.timeoutMs ?? 30_000,
    });
    req.on('upgrade', (res, socket, head) => {
      socket.setTimeout(0);
      if (head.length) socket.unshift(head);
      const v = res.headers['x-stream-protocol-version'];
      resolve({ socket, protocol: (Array.isArray(v) ? v[0] : v) ?? '' });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => { if (chunks.length < 64) chunks.push(c); });
      res.on('end', () => reject(new UpgradeRefusedError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`the runtime's streaming server did not answer within ${o.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end();
  });
}
