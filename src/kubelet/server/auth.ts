/**
 * @module Who may use the node agent's API: a client certificate from the cluster CA whose subject
 * is the API server's kubelet client (CN kube-apiserver-kubelet-client) or in group system:masters.
 * Nothing else is let in — the agent runs commands in containers for whoever gets through.
 */
import type { TLSSocket } from 'node:tls';

export const KUBELET_CLIENT_CN = 'kube-apiserver-kubelet-client';
export const MASTERS_GROUP = 'system:masters';

export type AuthResult =
  | { ok: true; user: string; groups: string[] }
  | { ok: false; code: 401 | 403; message: string };

/** Checks the TLS peer; the server requests a certificate but lets the handshake pass without one. */
export function authorize(socket: TLSSocket, verb: string, path: string): AuthResult {
  // `authorized` means a chain to the CA, within its dates, with the clientAuth key usage.
  if (!socket.encrypted || !socket.authorized) return { ok: false, code: 401, message: 'Unauthorized' };
  const subject = socket.getPeerCertificate()?.subject;
  const user = strings(subject?.CN)[0] ?? '';
  const groups = strings(subject?.O);
  if (user === KUBELET_CLIENT_CN || groups.includes(MASTERS_GROUP)) return { ok: true, user, groups };
  // The wording of the kubelet's authorizer, so the cause is plain in kubectl's error.
  return { ok: false, code: 403, message: `Forbidden (user=${user}, verb=${verb}, resource=nodes, subresource=${subresourceOf(path)})` };
}

function subresourceOf(path: string): string {
  const first = path.split('/')[1] ?? '';
  return first === 'containerLogs' ? 'log' : first === 'exec' || first === 'attach' || first === 'portForward' ? 'proxy' : first;
}

function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string');
  return typeof v === 'string' ? [v] : [];
}
