/**
 * @module How an agent joins, as k3s's clientaccess: fetch /cacerts without trusting TLS, check
 * its sha256 against the token's CA hash before anything secret is sent, then ask for the node's
 * credentials over TLS verified with that CA. Errors are JoinErrors with one-line messages;
 * `transient` marks the ones worth retrying (server down, restarting or overloaded).
 */
import https from 'node:https';
import type { NodeCredentials, JoinRequest } from '../../apiserver/join/handler.js';
import { caHash, type JoinToken } from './token.js';

export class JoinError extends Error {
  constructor(message: string, readonly transient = false) { super(message); this.name = 'JoinError'; }
}

/** Network errors that a server coming up (or back) cures. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const REQUEST_TIMEOUT_MS = 10_000;

export interface JoinResult {
  credentials: NodeCredentials;
  /** False for a bare secret: the CA was trusted as the server sent it (k3s does the same, with a warning). */
  caVerified: boolean;
}

/**
 * Joins the cluster at `server`. Throws JoinError: a CA that does not match the token's hash (the
 * secret is then never sent), 401 for a rejected secret, the server's Status message otherwise.
 */
export async function join(server: string, token: JoinToken, req: JoinRequest): Promise<JoinResult> {
  const base = new URL(server);
  if (base.protocol !== 'https:') throw new JoinError(`--server must be an https:// URL, not ${server}`);
  const ca = (await call(base, 'GET', '/cacerts', { rejectUnauthorized: false })).body;
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new JoinError(`${server}/cacerts did not answer with a CA certificate`);
  if (token.caHash && caHash(ca) !== token.caHash) {
    throw new JoinError('token CA hash does not match the server\'s CA: wrong server or token for another cluster');
  }
  const res = await call(base, 'POST', '/v1-tugboat/node-credentials', { ca, headers: { Authorization: `Bearer ${token.secret}` } },
    JSON.stringify(req));
  if (res.status === 401) throw new JoinError('401 Unauthorized: the token was rejected by the server');
  if (res.status !== 200) throw new JoinError(`${res.status} ${statusMessage(res.body)}`, res.status >= 500 || res.status === 429);
  return { credentials: JSON.parse(res.body) as NodeCredentials, caVerified: token.caHash !== undefined };
}

interface CallOptions { rejectUnauthorized?: boolean; ca?: string; headers?: Record<string, string> }

function call(base: URL, method: string, path: string, o: CallOptions, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, base), {
      method, agent: false, ca: o.ca, rejectUnauthorized: o.rejectUnauthorized ?? true, timeout: REQUEST_TIMEOUT_MS,
      headers: { Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}), ...o.headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', (e) => reject(transportError(base, e)));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer in ${REQUEST_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', (e) => reject(transportError(base, e)));
    req.end(body);
  });
}

function transportError(base: URL, e: NodeJS.ErrnoException): JoinError {
  return new JoinError(`cannot reach the server at ${base.origin}: ${e.message}`, TRANSIENT_CODES.has(e.code ?? ''));
}

/** The message of a Status body, or the body's first line. */
function statusMessage(body: string): string {
  try {
    const s = JSON.parse(body);
    if (s?.kind === 'Status' && s.message) return `${s.reason ?? ''}: ${s.message}`.replace(/^: /, '');
  } catch { /* not a Status */ }
  return body.split('\n', 1)[0]!.slice(0, 200);
}
