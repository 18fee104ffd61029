/**
 * @module The node agent's HTTPS API that the API server proxies `kubectl logs|exec|attach|
 * port-forward|cp` to, and the resource metrics it scrapes for `kubectl top`, on the kubelet's paths.
 * It finds containers through CRI labels alone, so it needs nothing from the pod workers. Only the
 * API server's kubelet client (or system:masters) is let in, by client certificate from the cluster CA.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import type { RuntimeService } from '../cri/types.js';
import { authorize } from './auth.js';
import { serveRemoteCommand } from './exec.js';
import { serveContainerLogs } from './logs.js';
import { servePortForward } from './port-forward.js';
import { serveResourceMetrics } from './resource-metrics.js';
import { parseRoute } from './routes.js';
import { UpgradeRequest, httpErrorOf, refuseUpgrade, type KubeletServerLog } from './upgrade.js';

export type { KubeletServerLog } from './upgrade.js';

export interface KubeletServerOptions {
  runtime: RuntimeService;
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** The serving certificate and key (PEM), and the cluster CA that client certificates must chain to. */
  tls: { cert: string; key: string; ca: string };
  log: KubeletServerLog;
}

export interface KubeletServer {
  port: number;
  /** Stops listening and ends every open session (log follows, exec, port-forward). */
  close(): Promise<void>;
}

/** A WebSocket message larger than this is refused (stdin and tunnelled SPDY frames are far smaller). */
const MAX_WS_MESSAGE = 32 * 1024 * 1024;

export async function startKubeletServer(o: KubeletServerOptions): Promise<KubeletServer> {
  const { runtime, log } = o;
  const chosen = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_WS_MESSAGE, clientTracking: false });
  wss.on('headers', (headers: string[], req: IncomingMessage) => {
    const protocol = chosen.get(req);
    if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
  });
  const sockets = new Set<Duplex>();

  const server = https.createServer({
    cert: o.tls.cert, key: o.tls.key, ca: o.tls.ca,
    // Asked for, not required by TLS: a request without one gets a 401 rather than a failed handshake.
    requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1'],
  }, (req, res) => {
    handleRequest(req, res).catch((err) => {
      const e = httpErrorOf(err);
      if (e.code >= 500) log.error({ err, url: req.url }, 'kubelet server request failed');
      if (res.headersSent) res.destroy();
      else writeText(res, e.code, e.message);
    });
  });
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.on('connection', (s: Duplex) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => log.debug({ err }, 'kubelet server upgraded connection failed'));
    handleUpgrade(req, socket, head).catch((err) => {
      const e = httpErrorOf(err);
      if (e.code >= 500) log.error({ err, url: req.url }, 'kubelet server upgrade failed');
      refuseUpgrade(socket, e.code, e.message);
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const auth = authorize(req.socket as TLSSocket, verbOf(req.method), url.pathname);
    if (!auth.ok) return writeText(res, auth.code, auth.message);
    const route = parseRoute(url.pathname);
    if (!route) return writeText(res, 404, '404 page not found');
    if (route.kind === 'healthz') return writeText(res, 200, 'ok');
    if (route.kind === 'containerLogs') {
      if (req.method !== 'GET') return writeText(res, 405, `method ${req.method} is not allowed`);
      return serveContainerLogs(runtime, res, route.pod, route.container, url.searchParams);
    }
    if (route.kind === 'resourceMetrics') {
      if (req.method !== 'GET') return writeText(res, 405, `method ${req.method} is not allowed`);
      return serveResourceMetrics(runtime, res);
    }
    writeText(res, 400, 'Upgrade request required');
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const auth = authorize(req.socket as TLSSocket, verbOf(req.method), url.pathname);
    if (!auth.ok) return refuseUpgrade(socket, auth.code, auth.message);
    const route = parseRoute(url.pathname);
    const u = new UpgradeRequest(req, socket, head, wss, chosen);
    if (route?.kind === 'exec' || route?.kind === 'attach') {
      return serveRemoteCommand(runtime, u, { kind: route.kind, pod: route.pod, container: route.container }, url.searchParams, log);
    }
    if (route?.kind === 'portForward') return servePortForward(runtime, u, route.pod);
    refuseUpgrade(socket, 404, '404 page not found');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
      wss.close();
    }),
  };
}

function verbOf(method: string | undefined): string {
  return method === 'GET' ? 'get' : method === 'POST' ? 'create' : (method ?? '').toLowerCase();
}

function writeText(res: ServerResponse, code: number, text: string): void {
  const body = Buffer.from(text);
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
}
