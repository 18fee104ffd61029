/**
 * @module An upgrade request as the agent's handlers see it: the client's offers (WebSocket
 * subprotocols or SPDY stream protocols), and the ways to answer — accept a WebSocket, switch to
 * SPDY, or refuse with a plain HTTP error on the raw connection.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { CRIError } from '../cri/types.js';
import { relaySockets } from '../streaming/relay.js';
import { dialSpdy, UpgradeRefusedError } from '../streaming/upgrade.js';
import { HttpError } from './http-error.js';

export interface KubeletServerLog {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

export class UpgradeRequest {
  constructor(readonly req: IncomingMessage, readonly socket: Duplex, readonly head: Buffer,
    private readonly wss: WebSocketServer, private readonly chosen: WeakMap<IncomingMessage, string>) {}

  get isWebSocket(): boolean {
    return /websocket/i.test(String(this.req.headers.upgrade ?? ''));
  }

  get isSpdy(): boolean {
    return /^spdy\/3\.1$/i.test(String(this.req.headers.upgrade ?? '').trim());
  }

  /** Sec-WebSocket-Protocol offers, in the client's order. */
  get webSocketProtocols(): string[] {
    return headerList(this.req.headers['sec-websocket-protocol']);
  }

  /** X-Stream-Protocol-Version offers of a SPDY upgrade, in the client's order. */
  get streamProtocols(): string[] {
    return headerList(this.req.headers['x-stream-protocol-version']);
  }

  /**
   * Completes the WebSocket handshake with this subprotocol. The negotiation is done here rather
   * than by `ws`, which refuses names that are not RFC 7230 tokens, such as kubectl's
   * "SPDY/3.1+portforward.k8s.io".
   */
  acceptWebSocket(protocol: string): Promise<WebSocket> {
    this.chosen.set(this.req, protocol);
    delete this.req.headers['sec-websocket-protocol'];
    return new Promise((resolve, reject) => {
      // `ws` answers a malformed handshake itself and closes the socket without calling back.
      const failed = () => reject(new Error('the WebSocket handshake failed'));
      this.socket.once('close', failed);
      this.wss.handleUpgrade(this.req, this.socket, this.head, (ws) => {
        this.socket.off('close', failed);
        resolve(ws);
      });
    });
  }

  /** Answers 101 for SPDY/3.1 with the chosen stream protocol; the socket then carries SPDY. */
  switchToSpdy(protocol: string): void {
    const lines = ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1'];
    if (protocol) lines.push(`X-Stream-Protocol-Version: ${protocol}`);
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (this.head.length) this.socket.unshift(this.head);
  }

  /**
   * Upgrades to the runtime's streaming URL with these protocol offers and, once the runtime
   * switched, tells the client the same and relays the bytes: client and runtime speak SPDY directly.
   */
  async passThroughSpdy(url: string, protocols: string[]): Promise<void> {
    let upstream;
    try {
      upstream = await dialSpdy(url, { protocols });
    } catch (e) {
      if (e instanceof UpgradeRefusedError) throw new HttpError(e.statusCode, e.body);
      throw e;
    }
    this.switchToSpdy(upstream.protocol);
    await relaySockets(this.socket, upstream.socket);
  }

  /** Refuses with a plain-text HTTP error and closes the connection. */
  refuse(code: number, message: string): void {
    refuseUpgrade(this.socket, code, message);
  }
}

export function refuseUpgrade(socket: Duplex, code: number, message: string): void {
  if (socket.destroyed) return;
  const body = Buffer.from(message);
  socket.end(`HTTP/1.1 ${code} ${STATUS_TEXT[code] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\n`
    + `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** Comma-separated values, also across repeated headers. */
function headerList(v: string | string[] | undefined): string[] {
  const all = Array.isArray(v) ? v : v ? [v] : [];
  return all.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

/**
 * The HTTP answer for a failure: HttpErrors as they are, CRI errors by their gRPC code (NotFound
 * 404, InvalidArgument and FailedPrecondition 400), anything else 500.
 */
export function httpErrorOf(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const cri = err as Partial<CRIError>;
  if (typeof cri?.code === 'number' && typeof cri.details === 'string') {
    const code = cri.code === 5 ? 404 : cri.code === 3 || cri.code === 9 ? 400 : 500;
    return new HttpError(code, cri.details);
  }
  return new HttpError(500, err instanceof Error ? err.message : String(err));
}
