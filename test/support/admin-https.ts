/**
 * @module A small HTTPS client for tests and benchmarks: the admin client certificate from a
 * kubeconfig, node's https with a keep-alive agent, JSON in and out.
 */
import { Agent, request as httpsRequest } from 'node:https';
import { readKubeconfig } from '../../src/cli/kubeconfig.js';

export interface HttpResult { status: number; body: any; text: string }

export interface AdminHttps {
  server: string;
  agent: Agent;
  /** One request; rejects only on transport errors (a non-2xx status resolves). */
  request(method: string, path: string, body?: unknown, opts?: { timeoutMs?: number }): Promise<HttpResult>;
  close(): void;
}

export async function adminHttps(kubeconfig: string, opts: { maxSockets?: number; server?: string } = {}): Promise<AdminHttps> {
  const creds = await readKubeconfig(kubeconfig);
  const server = opts.server ?? creds.server;
  const url = new URL(server);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64, ca: creds.ca, cert: creds.cert, key: creds.key });
  const request = (method: string, path: string, body?: unknown, o: { timeoutMs?: number } = {}) =>
    new Promise<HttpResult>((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = httpsRequest({
        host: url.hostname, port: url.port, path, method, agent,
        headers: { Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      });
      req.on('error', reject);
      if (o.timeoutMs) req.setTimeout(o.timeoutMs, () => req.destroy(new Error(`timeout after ${o.timeoutMs} ms`)));
      req.end(data);
    });
  return { server, agent, request, close: () => agent.destroy() };
}
