/**
 * @module RestClient: the Client contract over HTTPS (agents, tools), speaking the Kubernetes REST
 * API as client-go does, so that StatusErrors and watch events look the same as from LocalClient.
 */
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { ResourceType } from '../api/scheme.js';
import { StatusError, newBadRequest, type Status } from '../apimachinery/errors.js';
import { readKubeconfig } from '../cli/kubeconfig.js';
import type {
  Client, DeleteOptions, ListOptions, ListResult, Obj, PatchType, ResourceRef, WatchEvent, WatchOptions, WriteOptions,
} from './client.js';
import { parseBody } from './list-body.js';

export interface RestClientOptions {
  /** Base URL, e.g. https://127.0.0.1:6443. */
  server: string;
  /** PEM of the cluster CA; the system CAs when absent. */
  ca?: string;
  /** PEM client certificate and key (both or neither). */
  cert?: string;
  key?: string;
  /** Bearer token, sent when set. */
  token?: string;
  userAgent: string;
  /** The field manager of writes that name none. */
  fieldManager: string;
  /** Concurrent non-watch requests (default 32); watches use their own sockets and never queue behind them. */
  maxSockets?: number;
  /** Deadline of one non-watch request (default 60 s; 0: none); past it the call throws a 504 StatusError. */
  requestTimeoutMs?: number;
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Reasons of a non-2xx answer without a Status body, as apimachinery's NewGenericServerResponse names them. */
const REASONS: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 410: 'Gone', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType',
  422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

type Query = Record<string, string | number | boolean | undefined>;

/**
 * Every failure is a StatusError: the server's own Status for a non-2xx answer; one made from the
 * status code when the body is not a Status; 503 ServiceUnavailable for a transport error (refused,
 * reset, TLS), with the original error as `cause`. Nothing is retried here: callers (informers,
 * controllers' work queues) retry with their own backoff.
 */
export class RestClient implements Client {
  private readonly base: URL;
  private readonly agent: Agent;
  private readonly watchAgent: Agent;
  private readonly headers: Record<string, string>;

  constructor(private readonly opts: RestClientOptions) {
    this.base = new URL(opts.server);
    const tls = { ca: opts.ca, cert: opts.cert, key: opts.key };
    this.agent = new Agent({ ...tls, keepAlive: true, maxSockets: opts.maxSockets ?? 32 });
    // Each watch holds a socket for minutes: a separate, unbounded pool keeps them from starving requests.
    this.watchAgent = new Agent({ ...tls, keepAlive: true });
    this.headers = { Accept: 'application/json', 'User-Agent': opts.userAgent };
    if (opts.token) this.headers.Authorization = `Bearer ${opts.token}`;
  }

  /**
   * A client for the current context of a kubeconfig file. The field manager is the user agent's
   * first path segment ("tug-agent/1.0" → "tug-agent"), as the server derives it. Throws a plain
   * Error for an unreadable or incomplete kubeconfig.
   */
  static async fromKubeconfig(path: string, userAgent: string): Promise<RestClient> {
    const c = await readKubeconfig(path);
    return new RestClient({ ...c, userAgent, fieldManager: userAgent.split('/')[0] });
  }

  /** Closes idle sockets; requests and watches in flight are destroyed. */
  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }

  get(ref: ResourceRef, name: string): Promise<Obj> {
    return this.call('GET', resourcePath(ref.type, ref.namespace, name));
  }

  async list(ref: ResourceRef, opts: ListOptions = {}): Promise<ListResult> {
    const body = await this.call('GET', resourcePath(ref.type, ref.namespace), {
      labelSelector: opts.labelSelector || undefined, fieldSelector: opts.fieldSelector || undefined,
      limit: opts.limit, continue: opts.continue || undefined, resourceVersion: opts.resourceVersion,
    });
    return { items: body.items ?? [], resourceVersion: body.metadata?.resourceVersion ?? '', continue: body.metadata?.continue || undefined };
  }

  create(ref: ResourceRef, obj: Obj, opts: WriteOptions = {}): Promise<Obj> {
    const path = resourcePath(ref.type, ref.namespace || obj.metadata?.namespace);
    return this.call('POST', path, this.writeQuery(opts), JSON.stringify(obj), 'application/json');
  }

  update(ref: ResourceRef, obj: Obj, opts: WriteOptions & { subresource?: string } = {}): Promise<Obj> { return this.replace(ref, obj, opts, opts.subresource ?? ''); }
  updateStatus(ref: ResourceRef, obj: Obj, opts: WriteOptions = {}): Promise<Obj> { return this.replace(ref, obj, opts, 'status'); }

  private async replace(ref: ResourceRef, obj: Obj, opts: WriteOptions, subresource: string): Promise<Obj> {
    const name = obj.metadata?.name;
    if (!name) throw newBadRequest('name is required');
    const path = resourcePath(ref.type, ref.namespace || obj.metadata?.namespace, name, subresource);
    return this.call('PUT', path, this.writeQuery(opts), JSON.stringify(obj), 'application/json');
  }

  patch(ref: ResourceRef, name: string, type: PatchType, patch: unknown,
    opts: WriteOptions & { subresource?: string; force?: boolean } = {}): Promise<Obj> {
    const query = { ...this.writeQuery(opts), force: type === 'apply' && opts.force ? true : undefined };
    // Apply bodies are YAML on the wire; JSON is YAML, so one encoder serves every patch type.
    return this.call('PATCH', resourcePath(ref.type, ref.namespace, name, opts.subresource), query,
      JSON.stringify(patch), PATCH_CONTENT_TYPES[type]);
  }

  delete(ref: ResourceRef, name: string, opts: DeleteOptions = {}): Promise<Obj> {
    // DeleteOptions travel as the body, as client-go sends them.
    const body = {
      kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: opts.gracePeriodSeconds,
      propagationPolicy: opts.propagationPolicy, preconditions: opts.preconditions, dryRun: opts.dryRun ? ['All'] : undefined,
    };
    return this.call('DELETE', resourcePath(ref.type, ref.namespace, name), {}, JSON.stringify(body), 'application/json');
  }

  createSubresource(ref: ResourceRef, name: string, subresource: string, body: Obj): Promise<Obj> {
    return this.call('POST', resourcePath(ref.type, ref.namespace, name, subresource), {}, JSON.stringify(body), 'application/json');
  }

  /**
   * Streams events until `signal` aborts, the server ends the stream (timeoutSeconds, shutdown) or
   * the connection breaks: each of these simply ends the iterable. A failure before the stream
   * starts (an HTTP error such as 410 Expired, or a refused connection as 503) is one ERROR event
   * carrying the Status, after which the iterable ends.
   */
  async *watch(ref: ResourceRef, opts: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent> {
    if (signal.aborted) return;
    const query: Query = {
      watch: true, labelSelector: opts.labelSelector || undefined, fieldSelector: opts.fieldSelector || undefined,
      resourceVersion: opts.resourceVersion || undefined, allowWatchBookmarks: opts.allowWatchBookmarks || undefined,
      timeoutSeconds: opts.timeoutSeconds,
    };
    let res: IncomingMessage;
    try {
      res = await this.send('GET', resourcePath(ref.type, ref.namespace), query, undefined, undefined, this.watchAgent, signal, 0);
      if (!ok(res.statusCode)) throw errorFromResponse(res.statusCode ?? 0, await readText(res));
    } catch (e) {
      if (signal.aborted) return;
      yield { type: 'ERROR', object: (e as StatusError).status };
      return;
    }
    const decoder = new StringDecoder('utf8');
    let buf = '';
    try {
      for await (const chunk of res) {
        buf += decoder.write(chunk as Buffer);
        // A chunk may hold several events, or end inside one: only whole lines are decoded.
        let start = 0;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n', start)) {
          const line = buf.slice(start, nl);
          start = nl + 1;
          if (line.trim()) yield JSON.parse(line) as WatchEvent;
        }
        buf = buf.slice(start);
      }
    } catch (e) {
      // A broken stream ends the watch (callers resume from their last resourceVersion).
      if (e instanceof SyntaxError) throw e;
    } finally {
      res.destroy();
    }
  }

  private writeQuery(opts: WriteOptions): Query {
    return { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager ?? this.opts.fieldManager };
  }

  private async call(method: string, path: string, query: Query = {}, body?: string, contentType?: string): Promise<Obj> {
    const res = await this.send(method, path, query, body, contentType, this.agent, undefined, this.opts.requestTimeoutMs ?? 60_000);
    const bytes = await readBody(res);
    if (!ok(res.statusCode)) throw errorFromResponse(res.statusCode ?? 0, bytes.toString('utf8'));
    try {
      return parseBody(bytes);
    } catch {
      throw statusError(500, `the server answered ${method} ${path} with a body that is not JSON: ${bytes.toString('utf8', 0, 200)}`);
    }
  }

  /** Resolves with the response once its headers arrive; rejects with a StatusError (503 transport, 504 timeout). */
  private send(method: string, path: string, query: Query, body: string | undefined, contentType: string | undefined,
    agent: Agent, signal: AbortSignal | undefined, timeoutMs: number): Promise<IncomingMessage> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const fullPath = qs.size ? `${path}?${qs}` : path;
    const headers: Record<string, string | number> = { ...this.headers };
    if (body !== undefined) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    return new Promise((resolve, reject) => {
      const req = httpsRequest({ protocol: 'https:', hostname: this.base.hostname, port: this.base.port || 443,
        path: this.base.pathname.replace(/\/+$/, '') + fullPath, method, agent, headers, signal }, resolve);
      req.on('error', (err) => reject(err instanceof StatusError ? err : Object.assign(
        statusError(503, `${method} ${this.base.origin}${path}: ${err.message}`), { cause: err })));
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () => req.destroy(statusError(504, `${method} ${path}: no answer within ${timeoutMs} ms`)));
      }
      req.end(body);
    });
  }
}

/** The URL path of a resource, an object or its subresource: /api/v1/… for core, /apis/G/V/… otherwise. */
export function resourcePath(t: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  let p = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  if (t.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${t.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

const ok = (code: number | undefined) => code !== undefined && code >= 200 && code < 300;

function readText(res: IncomingMessage): Promise<string> {
  return readBody(res).then((b) => b.toString('utf8'));
}

function readBody(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', (err) => reject(statusError(503, `reading the response: ${err.message}`)));
  });
}

/** The server's Status when the body is one; else a Status made from the code and the body text. */
function errorFromResponse(code: number, text: string): StatusError {
  try {
    const body = JSON.parse(text) as Partial<Status>;
    if (body?.kind === 'Status') return new StatusError({ ...body, code: body.code || code } as Status);
  } catch { /* not JSON: fall through */ }
  return statusError(code, text.trim() || `the server answered with status ${code}`);
}

function statusError(code: number, message: string): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code,
    reason: REASONS[code] ?? 'Unknown', message });
}
