/**
 * @module Authentication: who sent a request, from a verified client certificate (CN = user,
 * O = groups, as kube-apiserver's x509 authenticator) or a bearer token; plus the TLS serving options.
 */
import type { IncomingMessage } from 'node:http';
import type { ServerOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { PKI } from './pki.js';

/** user.Info of k8s.io/apiserver: what authorization and audit see. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}
export interface AuthenticateOptions {
  /** Bearer token → user (agents, service accounts). */
  tokens?: ReadonlyMap<string, UserInfo>;
}

export const AllAuthenticated = 'system:authenticated';
/** The non-resource URLs that RBAC's system:public-info-viewer grants to everyone. */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

/**
 * The user behind the request, or undefined when it carries no valid credential; the caller
 * then answers 401 (newUnauthorized) unless isPublicPath allows anonymous access.
 * A client certificate wins over a bearer token, as in kube-apiserver's union authenticator.
 */
export function authenticate(req: IncomingMessage, opts: AuthenticateOptions = {}): UserInfo | undefined {
  return fromClientCert(req) ?? fromBearerToken(req, opts.tokens);
}

/** GET on a health or version endpoint, which anonymous callers may read; the query is ignored. */
export function isPublicPath(path: string, method = 'GET'): boolean {
  return method === 'GET' && PUBLIC_PATHS.has(path.split('?', 1)[0]);
}

/**
 * HTTPS options for the API server. The client certificate is requested but not required, so that
 * anonymous health checks and token clients still connect; authenticate() checks `authorized`.
 * ALPN offers only http/1.1 (no HTTP/2 server yet), so kubectl speaks HTTP/1.1.
 */
export function tlsServerOptions(pki: Pick<PKI, 'ca' | 'server'>): ServerOptions {
  return {
    key: pki.server.key, cert: pki.server.cert, ca: pki.ca.cert,
    requestCert: true, rejectUnauthorized: false,
    minVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1'],
  };
}

/**
 * The certificate's user, read once per connection: getPeerCertificate builds the whole certificate
 * as a JS object (1–2 % of a busy server's CPU when done per request). Renegotiation, the one way a
 * connection could present another certificate, is turned off when the connection is first seen.
 */
const certUsers = new WeakMap<object, UserInfo | null>();

function fromClientCert(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  // OpenSSL sets `authorized` only for a chain to our CA, within its dates, whose extended key usage
  // allows client auth (a serving certificate fails with INVALID_PURPOSE), as Go's verifier does.
  if (!socket.encrypted || !socket.authorized || !socket.getPeerCertificate) return undefined;
  let user = certUsers.get(socket);
  if (user === undefined) {
    socket.disableRenegotiation?.();
    const peer = socket.getPeerCertificate();
    const [username] = strings(peer.subject?.CN);
    user = username ? { username, groups: withAuthenticated(strings(peer.subject.O)) } : null;
    certUsers.set(socket, user);
  }
  // A copy, so callers cannot change what later requests on this connection get.
  return user ? { username: user.username, groups: [...user.groups] } : undefined;
}

function fromBearerToken(req: IncomingMessage, tokens: ReadonlyMap<string, UserInfo> | undefined): UserInfo | undefined {
  const parts = req.headers.authorization?.trim().split(/\s+/);
  if (!tokens || parts?.length !== 2 || parts[0].toLowerCase() !== 'bearer') return undefined;
  const user = tokens.get(parts[1]);
  // A copy, so callers cannot change the token table through the returned object.
  return user && { ...user, groups: withAuthenticated(user.groups) };
}

/** Node gives a subject attribute as a string, or as an array when it occurs more than once. */
function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string');
  return typeof v === 'string' ? [v] : [];
}

function withAuthenticated(groups: string[]): string[] {
  return groups.includes(AllAuthenticated) ? [...groups] : [...groups, AllAuthenticated];
}
