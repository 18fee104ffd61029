/**
 * @module Scrapes the node agents' /metrics/resource, as metrics-server does: every Ready node with
 * a kubelet endpoint, all at once, over HTTPS with the credentials the node proxy uses, each within
 * a short timeout. A node that fails is left out of the cycle, and logged once per distinct error.
 */
import https from 'node:https';
import { lookupResource } from '../../api/scheme.js';
import { kubeletClientOf, kubeletEndpointOf, type Endpoint, type KubeletClientTLS } from '../handlers/node-proxy.js';
import type { Obj } from '../registry/object-meta.js';
import type { StorageRegistry } from '../registry/registry.js';
import type { Logger } from '../server.js';
import { decodeBatch, type NodeBatch } from './batch.js';
import { parsePrometheusText } from './prometheus-text.js';

/** A scrape answer larger than this is refused (a node with 1,000 containers sends about 500 KiB). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** GET /metrics/resource of one agent: the body, or an error saying what went wrong. */
export function fetchResourceMetrics(to: Endpoint, creds: KubeletClientTLS, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: to.host, port: to.port, path: '/metrics/resource', method: 'GET', ca: creds.ca, cert: creds.cert, key: creds.key,
      agent: false, headers: { Accept: 'text/plain' },
    });
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => { clearTimeout(timer); reject(err); });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) req.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
        else chunks.push(c);
      });
      res.on('error', (err) => { clearTimeout(timer); reject(err); });
      res.on('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`status ${res.statusCode}: ${body.slice(0, 200).trim()}`));
      });
    });
    req.end();
  });
}

const isReady = (node: Obj) =>
  ((node.status?.conditions ?? []) as { type: string; status: string }[]).some((c) => c.type === 'Ready' && c.status === 'True');

export class KubeletScraper {
  /** Node name → the last error logged for it. */
  private readonly failing = new Map<string, string>();

  constructor(private readonly registry: StorageRegistry, private readonly o: { timeoutMs: number; log?: Logger }) {}

  /** One cycle: the batches of the nodes that answered, by node name. Empty when the server has no credentials toward agents. */
  async scrape(): Promise<Map<string, NodeBatch>> {
    const out = new Map<string, NodeBatch>();
    const creds = kubeletClientOf(this.registry);
    if (!creds) return out;
    const { items } = await this.registry.storageFor(lookupResource('', 'v1', 'nodes')!).list('');
    await Promise.all(items.filter(isReady).map(async (node) => {
      const name: string = node.metadata.name;
      const endpoint = kubeletEndpointOf(node);
      if (!endpoint) return;
      try {
        const text = await fetchResourceMetrics(endpoint, creds, this.o.timeoutMs);
        out.set(name, decodeBatch(parsePrometheusText(text), Date.now()));
        this.failing.delete(name);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (this.failing.get(name) !== message) {
          this.o.log?.error({ node: name, err: message }, `metrics: scraping node ${name} (${endpoint.host}:${endpoint.port}) failed`);
        }
        this.failing.set(name, message);
      }
    }));
    for (const name of this.failing.keys()) if (!items.some((n) => n.metadata.name === name)) this.failing.delete(name);
    return out;
  }
}
