/**
 * @module The API server: HTTPS, authentication, discovery, OpenAPI, health, and the resource
 * handlers over the registry. Every request ends in an object or a metav1.Status, never a crash.
 */
import https from 'node:https';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { register as metricsRegistry } from 'prom-client';
import { lookupResource } from '../api/scheme.js';
import { openapiV3Document, openapiV3Index } from '../api/openapi/v3.js';
import { openapiV2Document } from '../api/openapi/v2.js';
import { OPENAPI_V2_PROTOBUF, openapiV2Protobuf, protobufAccepted } from '../api/openapi/v2-protobuf.js';
import { StatusError, newNotFound, newUnauthorized } from '../apimachinery/errors.js';
import type { Store } from '../storage/store.js';
import { authenticate, isPublicPath, tlsServerOptions, type UserInfo } from './auth/authenticate.js';
import type { PKI } from './auth/pki.js';
import { aggregatedDiscovery, apiGroupDoc, apiGroupList, apiResourceList, apiVersions, wantsAggregated } from './discovery.js';
import { dispatch } from './handlers/dispatch.js';
import { setKubeletClient, upgradeResponse, type KubeletClientTLS } from './handlers/node-proxy.js';
import { negotiate, toStatus, writeJSON, writeRaw, writeStatus } from './http/respond.js';
import { handleMetrics, stopMetrics } from './metrics/handler.js';
import { serveJoin, type JoinOptions } from './join/handler.js';
import { StorageRegistry } from './registry/registry.js';
import type { Admission } from './registry/resource-storage.js';
import { requestInfo } from './request-info.js';
import { ServiceNetwork } from './services/index.js';
import { serverVersion } from './version.js';

export interface Logger {
  info(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface ApiServerOptions {
  store: Store;
  admission: Admission;
  /** Serve HTTPS with these credentials; plain HTTP when absent (in-process tests only). */
  pki?: Pick<PKI, 'ca' | 'server'>;
  host?: string;
  port?: number;
  /** Bearer tokens accepted besides client certificates. */
  tokens?: ReadonlyMap<string, UserInfo>;
  log?: Logger;
  /** Answer /readyz: false until the server's start-up work is done. */
  ready?: () => boolean;
  /** The client certificate for node agents and the CA their serving certificates chain to (logs, exec, port-forward). */
  kubeletClient?: KubeletClientTLS;
  /** Cluster IPs come from here (default 10.43.0.0/16). */
  serviceCIDR?: string;
  /** Node ports come from here (default 30000-32767). */
  nodePortRange?: string;
  /** This server's address in the `kubernetes` service's endpoints; without it that service is not kept. */
  advertiseAddress?: string;
  /** Serve the join endpoints (/cacerts, node credentials) for `tug agent`. */
  join?: JoinOptions;
}

export interface ApiServer {
  registry: StorageRegistry;
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const registry = new StorageRegistry(opts.store, opts.admission);
  const services = new ServiceNetwork(registry, opts.store, {
    serviceCIDR: opts.serviceCIDR, nodePortRange: opts.nodePortRange, advertiseAddress: opts.advertiseAddress,
    log: opts.log && { warn: (obj, msg) => opts.log!.error(obj, msg) },
  });
  if (opts.kubeletClient) setKubeletClient(registry, opts.kubeletClient);
  const log = opts.log;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((err) => writeStatus(res, toStatus(err, (e) => log?.error({ err: e, url: req.url }, 'request failed'))));
  };
  let port = opts.port ?? 6443;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    // Before authentication: joining agents have no certificate yet (the endpoint checks the join secret).
    if (opts.join && await serveJoin(opts.join, registry, req, res, path)) return;
    if (isPublicPath(path, method) || (method === 'GET' && /^\/(healthz|livez|readyz)(\/.*)?$/.test(path))) {
      if (path.startsWith('/version')) return writeJSON(res, 200, serverVersion());
      const ok = !path.startsWith('/readyz') || (opts.ready?.() ?? true);
      return writeRaw(res, ok ? 200 : 500, ok ? 'ok' : 'not ready', 'text/plain; charset=utf-8');
    }
    const user = opts.pki ? authenticate(req, { tokens: opts.tokens }) : { username: 'system:admin', groups: ['system:masters'] };
    if (!user) throw newUnauthorized();
    // This process's Prometheus metrics (the ingress proxy's among them), as kube-apiserver's /metrics.
    if (path === '/metrics' && method === 'GET') return writeRaw(res, 200, await metricsRegistry.metrics(), metricsRegistry.contentType);
    const info = requestInfo(method, path, url.searchParams);
    if (!info.isResourceRequest) return nonResource(req, res, path);
    const t = lookupResource(info.group, info.version, info.resource);
    const notFound = () => new StatusError({ ...newNotFound({ group: '', resource: '' }, '').status,
      message: 'the server could not find the requested resource', details: { causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }] } });
    if (!t) throw notFound();
    if (info.namespace && !t.namespaced) throw notFound();
    if (t.namespaced && !info.namespace && info.name && info.resource !== 'namespaces') throw notFound();
    if (t.computed) return handleMetrics({ res, info, query: url.searchParams, t, registry, neg: negotiate(req), log });
    await dispatch({ req, res, info, query: url.searchParams, t, storage: registry.storageFor(t), registry, neg: negotiate(req), user });
  }

  function nonResource(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
    const p = path.replace(/\/+$/, '') || '/';
    const aggregated = wantsAggregated(req.headers.accept);
    if ((p === '/api' || p === '/apis') && aggregated) {
      const body = aggregatedDiscovery(p === '/api', `apidiscovery.k8s.io/${aggregated}`);
      const text = JSON.stringify(body);
      res.writeHead(200, { 'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`,
        'Content-Length': Buffer.byteLength(text), Vary: 'Accept' });
      res.end(text);
      return;
    }
    if (p === '/api') return writeJSON(res, 200, apiVersions(`${req.socket.localAddress}:${port}`));
    if (p === '/apis') return writeJSON(res, 200, apiGroupList());
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)(?:\/([^/]+))?)$/.exec(p);
    if (m) {
      const doc = m[1] ? apiResourceList('', m[1]) : m[3] ? apiResourceList(m[2], m[3]) : apiGroupDoc(m[2]);
      if (doc) return writeJSON(res, 200, doc);
    }
    if (p === '/openapi/v3') return writeJSON(res, 200, openapiV3Index());
    if (p.startsWith('/openapi/v3/')) {
      const doc = openapiV3Document(p.slice('/openapi/v3/'.length));
      if (doc) {
        res.writeHead(200, { 'Content-Type': 'application/json', ETag: `"${doc.etag}"`, 'Content-Length': doc.body.length,
          'Cache-Control': url(req).searchParams.has('hash') ? 'public, immutable' : 'no-cache, private' });
        res.end(doc.body);
        return;
      }
    }
    if (p === '/openapi/v2') {
      return protobufAccepted(req.headers.accept) ? writeRaw(res, 200, openapiV2Protobuf(), OPENAPI_V2_PROTOBUF)
        : writeRaw(res, 200, openapiV2Document().body);
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
  }

  const server = opts.pki ? https.createServer(tlsServerOptions(opts.pki), handler) : http.createServer(handler);
  // exec, attach and port-forward upgrade the connection; the node proxy relays it to the node's agent.
  // The server no longer tracks such connections, so close() ends them itself.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    handler(req, upgradeResponse(req, socket, head));
  });
  // Long watches must not be cut by Node's request timeouts; header floods are bounded instead.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, opts.host ?? '0.0.0.0', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  await services.start(port);
  return {
    registry, server, port,
    close: async () => {
      await services.stop();
      await new Promise<void>((resolve) => {
        stopMetrics(registry);
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of upgraded) s.destroy();
      });
    },
  };
}

const url = (req: http.IncomingMessage) => new URL(req.url ?? '/', 'http://x');
