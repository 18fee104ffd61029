/**
 * @module The pod subresources served by the node agent: log, exec, attach and portforward. The API
 * server checks the request as kube-apiserver does (container names, log options, container
 * states from the pod's status), finds the pod's node (its InternalIP and kubelet port), and proxies
 * over HTTPS — verifying the agent's certificate against the cluster CA and presenting its own
 * kubelet client certificate. Upgrades (WebSocket, SPDY) are relayed byte for byte.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { lookupResource } from '../../api/scheme.js';
import {
  StatusError, newBadRequest, newInternalError, newInvalid, newServiceUnavailable, type FieldError,
} from '../../apimachinery/errors.js';
import type { Obj } from '../registry/object-meta.js';
import type { StorageRegistry } from '../registry/registry.js';
import type { RequestContext } from './context.js';

/** What the API server presents to node agents, and the CA their serving certificates chain to. */
export interface KubeletClientTLS { ca: string; cert: string; key: string }

const kubeletClients = new WeakMap<StorageRegistry, KubeletClientTLS>();
/** Upgrade requests arrive with their raw connection (see upgradeResponse). */
const upgrades = new WeakMap<IncomingMessage, { socket: Duplex; head: Buffer }>();

/** Gives the API server of this registry its credentials toward node agents. */
export function setKubeletClient(registry: StorageRegistry, creds: KubeletClientTLS): void {
  kubeletClients.set(registry, creds);
}

/** The credentials toward node agents given to this registry's API server, if any. */
export const kubeletClientOf = (registry: StorageRegistry): KubeletClientTLS | undefined => kubeletClients.get(registry);

/**
 * For an HTTP server's 'upgrade' event: keeps the raw connection for the node proxy and returns a
 * response bound to it, so that every other answer (an error, a 404) is a plain HTTP response.
 */
export function upgradeResponse(req: IncomingMessage, socket: Duplex, head: Buffer): ServerResponse {
  upgrades.set(req, { socket, head });
  // Node's HTTP server drops its error listener from an upgraded socket: a reset must not crash us.
  socket.on('error', () => socket.destroy());
  const res = new http.ServerResponse(req);
  res.assignSocket(socket as never);
  res.shouldKeepAlive = false;
  res.once('finish', () => socket.end());
  return res;
}

const UPGRADE_HEADERS = ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol',
  'x-stream-protocol-version'];
/** How long dialing a node agent may take before the request fails with 503. */
const DIAL_TIMEOUT_MS = 10_000;

export async function handleNodeSubresource(ctx: RequestContext): Promise<void> {
  const { namespace, name, subresource } = ctx.info;
  const pod = await ctx.storage.get(namespace, name);
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) throw newBadRequest(`pod ${name} does not have a host assigned`);
  if (subresource === 'proxy') throw newServiceUnavailable(`proxying to pods (pods/proxy) is not supported yet`);
  const path = kubeletPath(subresource, pod, ctx.query);
  const creds = kubeletClients.get(ctx.registry);
  if (!creds) throw newServiceUnavailable(`no node agent is connected for node "${nodeName}"`);
  const target = await nodeEndpoint(ctx, nodeName);
  const upgrade = upgrades.get(ctx.req);
  if (upgrade) return proxyUpgrade(ctx, upgrade, target, path, creds);
  if (subresource !== 'log') throw newBadRequest('Upgrade request required');
  return proxyLogs(ctx, target, path, creds);
}

/** The agent's path for a subresource request, after kube-apiserver's checks. */
function kubeletPath(sub: string, pod: Obj, q: URLSearchParams): string {
  const ns = encodeURIComponent(pod.metadata.namespace);
  const name = encodeURIComponent(pod.metadata.name);
  if (sub === 'portforward') {
    const params = new URLSearchParams();
    for (const p of q.getAll('ports')) params.append('port', p);
    return `/portForward/${ns}/${name}${params.size ? `?${params}` : ''}`;
  }
  const container = validContainer(pod, q.get('container') ?? '');
  if (sub === 'log') {
    const params = logParams(pod, q);
    checkLogStatus(pod, container, params.has('previous'));
    return `/containerLogs/${ns}/${name}/${encodeURIComponent(container)}${params.size ? `?${params}` : ''}`;
  }
  // exec and attach: booleans go to the agent as "1", as kube-apiserver's streamParams writes them.
  const params = new URLSearchParams();
  for (const f of ['stdin', 'stdout', 'stderr', 'tty']) if (bool(q, f)) params.set(f, '1');
  if (sub === 'exec') {
    const command = q.getAll('command');
    if (command.length === 0) throw newBadRequest('you must specify at least one command for the container');
    for (const c of command) params.append('command', c);
  }
  return `/${sub}/${ns}/${name}/${encodeURIComponent(container)}?${params}`;
}

/** The named container, or the only one; kube-apiserver's messages otherwise. */
function validContainer(pod: Obj, container: string): string {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])]
    .map((c: Obj) => c.name as string);
  const podName = pod.metadata.name;
  if (!container) {
    const containers = (pod.spec?.containers ?? []) as Obj[];
    if (containers.length === 1) return containers[0].name;
    if (containers.length === 0) throw newBadRequest(`a container name must be specified for pod ${podName}`);
    throw newBadRequest(`a container name must be specified for pod ${podName}, choose one of: [${all.join(' ')}]`);
  }
  if (!all.includes(container)) throw newBadRequest(`container ${container} is not valid for pod ${podName}`);
  return container;
}

/** PodLogOptions as the agent's query; invalid values are 422 as ValidatePodLogOptions says. */
function logParams(pod: Obj, q: URLSearchParams): URLSearchParams {
  const errs: FieldError[] = [];
  const int = (field: string) => {
    const v = q.get(field);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw newBadRequest(`invalid value for ${field}: ${v}`);
    return n;
  };
  const tail = int('tailLines');
  const limit = int('limitBytes');
  const sinceSeconds = int('sinceSeconds');
  const sinceTime = q.get('sinceTime') || undefined;
  if (tail !== undefined && tail < 0) errs.push({ type: 'FieldValueInvalid', field: 'tailLines', value: tail, detail: 'must be greater than or equal to 0' });
  if (limit !== undefined && limit < 1) errs.push({ type: 'FieldValueInvalid', field: 'limitBytes', value: limit, detail: 'must be greater than 0' });
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    errs.push({ type: 'FieldValueForbidden', field: '', detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  } else if (sinceSeconds !== undefined && sinceSeconds < 1) {
    errs.push({ type: 'FieldValueInvalid', field: 'sinceSeconds', value: sinceSeconds, detail: 'must be greater than 0' });
  }
  if (errs.length) throw newInvalid({ group: '', kind: 'PodLogOptions' }, pod.metadata.name, errs);
  if (sinceTime !== undefined && Number.isNaN(Date.parse(sinceTime))) throw newBadRequest(`invalid value for sinceTime: ${sinceTime}`);
  const params = new URLSearchParams();
  for (const f of ['follow', 'previous', 'timestamps']) if (bool(q, f)) params.set(f, 'true');
  if (sinceSeconds !== undefined) params.set('sinceSeconds', String(sinceSeconds));
  if (sinceTime !== undefined) params.set('sinceTime', new Date(sinceTime).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (tail !== undefined) params.set('tailLines', String(tail));
  if (limit !== undefined) params.set('limitBytes', String(limit));
  return params;
}

/**
 * The kubelet's validateContainerLogStatus, from the pod's reported status: no logs for a container
 * still waiting to start (with its reason) or a --previous that has no terminated predecessor.
 * A container with no status yet is left to the agent, which looks at the runtime itself.
 */
function checkLogStatus(pod: Obj, container: string, previous: boolean): void {
  const st = pod.status ?? {};
  const cs = [...(st.containerStatuses ?? []), ...(st.initContainerStatuses ?? []), ...(st.ephemeralContainerStatuses ?? [])]
    .find((c: Obj) => c.name === container);
  if (!cs) return;
  const podName = pod.metadata.name;
  const lastTerminated = cs.lastState?.terminated;
  const { waiting, running, terminated } = cs.state ?? {};
  if (previous) {
    if (!lastTerminated?.containerID) throw newBadRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    return;
  }
  if (running || terminated || lastTerminated) return;
  if (waiting) {
    const why = waiting.reason === 'ErrImagePull' ? "image can't be pulled"
      : waiting.reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : waiting.reason;
    throw newBadRequest(`container "${container}" in pod "${podName}" is waiting to start: ${why}`);
  }
}

export interface Endpoint { host: string; port: number }

/** The node's InternalIP (else ExternalIP) and kubelet port, from the Node object the agent registered; undefined when it has none. */
export function kubeletEndpointOf(node: Obj): Endpoint | undefined {
  const addresses = (node.status?.addresses ?? []) as { type: string; address: string }[];
  const host = addresses.find((a) => a.type === 'InternalIP')?.address ?? addresses.find((a) => a.type === 'ExternalIP')?.address;
  const port = Number(node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0);
  return host && port > 0 ? { host, port } : undefined;
}

async function nodeEndpoint(ctx: RequestContext, nodeName: string): Promise<Endpoint> {
  const node = await ctx.registry.storageFor(lookupResource('', 'v1', 'nodes')!).get('', nodeName);
  const endpoint = kubeletEndpointOf(node);
  if (!endpoint) throw newServiceUnavailable(`no node agent is connected for node "${nodeName}"`);
  return endpoint;
}

function bool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1' || v === 'True' || v === 'TRUE' || v === 't';
}

const dialError = (err: unknown) =>
  newServiceUnavailable(`error dialing backend: ${err instanceof Error ? err.message : String(err)}`);

/** Streams the agent's log answer; its errors become Statuses as kube-apiserver's response checker makes them. */
function proxyLogs(ctx: RequestContext, to: Endpoint, path: string, creds: KubeletClientTLS): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: to.host, port: to.port, path, method: 'GET', ca: creds.ca, cert: creds.cert, key: creds.key,
      agent: false, headers: { Accept: 'text/plain' }, timeout: DIAL_TIMEOUT_MS,
    });
    let answered = false;
    req.on('timeout', () => { if (!answered) req.destroy(new Error(`timeout after ${DIAL_TIMEOUT_MS} ms`)); });
    req.on('error', (err) => (answered ? resolve() : reject(dialError(err))));
    ctx.res.once('close', () => req.destroy());
    req.on('response', (res) => {
      answered = true;
      req.setTimeout(0);
      const code = res.statusCode ?? 500;
      if (code < 200 || code > 206) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => resolve());
        res.on('end', () => reject(kubeletError(code, Buffer.concat(chunks).toString('utf8'), ctx.info.name)));
        return;
      }
      ctx.res.writeHead(code, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
      ctx.res.flushHeaders();
      res.pipe(ctx.res);
      res.on('end', () => resolve());
      res.on('error', () => { ctx.res.destroy(); resolve(); });
    });
    req.end();
  });
}

function kubeletError(code: number, body: string, name: string): StatusError {
  if (code === 400) return newBadRequest(body);
  if (code === 500) return newInternalError(new Error(body));
  const reason = code === 404 ? 'NotFound' : code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : 'InternalError';
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason,
    message: `the server responded with the status code ${code} but did not return more information (get pods/log ${name})`,
    details: { name, kind: 'pods/log', causes: [{ reason: 'UnexpectedServerResponse', message: body }] } });
}

/**
 * Opens TLS to the agent, sends the client's upgrade request there, then relays bytes both ways:
 * the agent's answer (101 and the session, or an error) reaches the client as it was sent.
 */
function proxyUpgrade(ctx: RequestContext, up: { socket: Duplex; head: Buffer }, to: Endpoint, path: string,
  creds: KubeletClientTLS): Promise<void> {
  return new Promise((resolve, reject) => {
    const conn = tls.connect({ host: to.host, port: to.port, ca: creds.ca, cert: creds.cert, key: creds.key, ALPNProtocols: ['http/1.1'] });
    conn.setTimeout(DIAL_TIMEOUT_MS, () => conn.destroy(new Error(`timeout after ${DIAL_TIMEOUT_MS} ms`)));
    conn.once('error', (err) => reject(dialError(err)));
    conn.once('secureConnect', () => {
      conn.setTimeout(0);
      conn.removeAllListeners('error');
      const lines = [`${ctx.req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${to.host.includes(':') ? `[${to.host}]` : to.host}:${to.port}`];
      for (const h of UPGRADE_HEADERS) {
        const v = ctx.req.headers[h];
        for (const value of Array.isArray(v) ? v : v ? [v] : []) lines.push(`${h}: ${value}`);
      }
      lines.push('Content-Length: 0');
      conn.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (up.head.length) conn.write(up.head);
      const client = up.socket;
      let open = 2;
      const closed = () => {
        client.destroy();
        conn.destroy();
        if (--open === 0) resolve();
      };
      for (const s of [client, conn]) {
        s.once('close', closed);
        s.on('error', () => s.destroy());
      }
      client.pipe(conn);
      conn.pipe(client);
    });
  });
}
