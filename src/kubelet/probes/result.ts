/**
 * @module What one probe attempt gives (pkg/probe.Result): success, warning (counts as success
 * but is reported), failure with the text the kubelet puts in the Unhealthy event, or an error
 * (the prober could not run the probe: its result is thrown away).
 */

export type ProbeOutcome =
  | { result: 'success'; output: string }
  | { result: 'warning'; output: string }
  | { result: 'failure'; output: string }
  | { result: 'error'; error: string };

/** What the kubelet reads at most from a probe's output or an HTTP body. */
export const MaxOutputBytes = 10 * 1024;

/** Go's net error texts for the socket errors Node reports, so messages read as the kubelet's. */
export function goDialError(addr: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH': return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH': return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ETIMEDOUT': return `dial tcp ${addr}: i/o timeout`;
    case 'EADDRNOTAVAIL': return `dial tcp ${addr}: connect: cannot assign requested address`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return `dial tcp: lookup ${addr.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')}: no such host`;
    case 'ECONNRESET': return `read tcp ${addr}: read: connection reset by peer`;
    default: return `dial tcp ${addr}: ${err.message}`;
  }
}

/** net.JoinHostPort: IPv6 literals in brackets. */
export const joinHostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
