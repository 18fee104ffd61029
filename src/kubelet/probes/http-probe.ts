/**
 * @module httpGet probes (pkg/probe/http): GET with User-Agent kube-probe/1.32 and an Accept of any type
 * unless the probe sets them, one deadline for the whole exchange, redirects followed only to the
 * same host (at most 10; another host's redirect is a warning, as the kubelet's redirect checker
 * makes it), 200–399 success, and Go's error texts for failures.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { goDialError, joinHostPort, MaxOutputBytes, type ProbeOutcome } from './result.js';

export const ProbeUserAgent = 'kube-probe/1.32';

export interface HttpProbeTarget {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** Path with an optional query. */
  path: string;
  headers: { name: string; value: string }[];
}

/** The probe URL as Go's url.URL prints it (a path without a leading slash gets one). */
export function probeURL(t: HttpProbeTarget): URL {
  const path = t.path && !t.path.startsWith('/') ? `/${t.path}` : t.path;
  return new URL(`${t.scheme}://${joinHostPort(t.host, t.port)}${path}`);
}

/** http.Header semantics: names canonicalized, repeated names keep every value. */
function buildHeaders(list: { name: string; value: string }[]): Record<string, string | string[]> {
  const all: Record<string, string[]> = {};
  for (const h of list) (all[h.name.toLowerCase()] ??= []).push(String(h.value));
  all['user-agent'] ??= [ProbeUserAgent];
  all.accept ??= ['*/*'];
  if (all.accept.every((v) => v === '')) delete all.accept;
  // Node takes a list only for repeatable headers; Host is one value, as Go's req.Host.
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.length === 1 || k === 'host' ? v[0] : v]));
}

interface Reply { status: number; location?: string; body: string }

function get(url: URL, headers: Record<string, string | string[]>, signal: AbortSignal): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const opts = {
      method: 'GET', host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname}${url.search}`, headers, agent: false, signal,
      // The kubelet does not verify the pod's certificate.
      rejectUnauthorized: false,
    } as const;
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(opts, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MaxOutputBytes) chunks.push(c.subarray(0, MaxOutputBytes - size));
        size += c.length;
        // The rest of a long body is not needed: stop reading, as ReadAtMost does.
        if (size >= MaxOutputBytes) finish();
      });
      const finish = () => {
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') });
        res.destroy();
      };
      res.once('end', finish);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** One probe. `timeoutMs` bounds the whole exchange, redirects included. */
export async function httpProbe(target: HttpProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const first = probeURL(target);
  const headers = buildHeaders(target.headers);
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  let url = first;
  try {
    for (let hops = 0; ; hops++) {
      let reply: Reply;
      try {
        reply = await get(url, headers, ac.signal);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (ac.signal.aborted) return { result: 'failure', output: `Get "${url.href}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` };
        const addr = joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port));
        const why = err.code === 'ECONNRESET' && !err.syscall ? 'EOF' : err.syscall ? goDialError(addr, err) : err.message;
        return { result: 'failure', output: `Get "${url.href}": ${why}` };
      }
      const redirect = reply.status >= 300 && reply.status < 400 && reply.location;
      if (redirect) {
        const next = new URL(reply.location!, url);
        if (next.hostname === first.hostname && (next.protocol === 'http:' || next.protocol === 'https:')) {
          if (hops + 1 >= 10) return { result: 'failure', output: `Get "${next.href}": stopped after 10 redirects` };
          url = next;
          continue;
        }
      }
      if (reply.status >= 200 && reply.status < 400) {
        if (reply.status >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${reply.body}` };
        return { result: 'success', output: reply.body };
      }
      // As upstream: the body stays out of the user-facing message.
      return { result: 'failure', output: `HTTP probe failed with statuscode: ${reply.status}` };
    }
  } finally {
    clearTimeout(timer);
  }
}
