/**
 * @module tcpSocket probes (pkg/probe/tcp): success when a TCP connection opens within the
 * timeout; the dial error as Go prints it otherwise.
 */
import { connect } from 'node:net';
import { goDialError, joinHostPort, type ProbeOutcome } from './result.js';

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => finish({ result: 'failure', output: `dial tcp ${addr}: i/o timeout` }), timeoutMs);
    function finish(o: ProbeOutcome): void {
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    }
    socket.once('connect', () => finish({ result: 'success', output: '' }));
    socket.on('error', (e: NodeJS.ErrnoException) => finish({ result: 'failure', output: goDialError(addr, e) }));
  });
}
