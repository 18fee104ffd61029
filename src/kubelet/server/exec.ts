/**
 * @module /exec and /attach: asks the runtime (CRI Exec/Attach) for a streaming session, then serves
 * it to the client. A WebSocket client (kubectl's first try, v5.channel.k8s.io) is bridged to the
 * runtime's SPDY streams; a SPDY client (kubectl's fallback) is passed through to the runtime as is.
 */
import type { RuntimeService } from '../cri/types.js';
import { bridgeRemoteCommand, chooseChannelProtocol, CHANNEL_PROTOCOLS } from '../streaming/exec-bridge.js';
import { openRemoteCommand, type StdioRequest } from '../streaming/remote-command.js';
import { podContainers } from './containers.js';
import { badRequest, notFound } from './http-error.js';
import { flag, type PodRef } from './routes.js';
import type { KubeletServerLog, UpgradeRequest } from './upgrade.js';

export interface RemoteCommandTarget { kind: 'exec' | 'attach'; pod: PodRef; container: string }

/** The stdio a request asks for, as the kubelet reads it (a TTY takes stderr into stdout). */
export function stdioFrom(q: URLSearchParams): StdioRequest {
  const tty = flag(q, 'tty');
  const io = { stdin: flag(q, 'stdin'), stdout: flag(q, 'stdout'), stderr: flag(q, 'stderr') && !tty, tty };
  if (!io.stdin && !io.stdout && !io.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return io;
}

export async function serveRemoteCommand(runtime: RuntimeService, u: UpgradeRequest, t: RemoteCommandTarget,
  query: URLSearchParams, log: KubeletServerLog): Promise<void> {
  const io = stdioFrom(query);
  const command = query.getAll('command');
  if (t.kind === 'exec' && command.length === 0) throw badRequest('you must specify at least one command for the container');
  const wsProtocol = u.isWebSocket ? chooseChannelProtocol(u.webSocketProtocols) : undefined;
  if (u.isWebSocket && !wsProtocol) {
    throw badRequest(`unable to upgrade: none of the offered subprotocols is supported (want one of ${CHANNEL_PROTOCOLS.join(', ')})`);
  }
  if (!u.isWebSocket && !u.isSpdy) throw badRequest('unable to upgrade: missing upgrade headers in request (want websocket or SPDY/3.1)');

  const [current] = await podContainers(runtime, t.pod, t.container);
  if (!current) throw notFound(`container not found ("${t.container}")`);
  if (current.state !== 'CONTAINER_RUNNING') {
    throw badRequest(`container ${t.container} is not running (state ${current.state.replace('CONTAINER_', '').toLowerCase()})`);
  }
  const url = t.kind === 'exec'
    ? await runtime.exec({ containerId: current.id, cmd: command, ...io })
    : await runtime.attach({ containerId: current.id, ...io });

  if (wsProtocol) {
    // The runtime session is set up before the handshake, so a failure is still a plain HTTP error.
    const rc = await openRemoteCommand(url, io);
    let ws;
    try {
      ws = await u.acceptWebSocket(wsProtocol);
    } catch (e) {
      rc.conn.destroy();
      throw e;
    }
    await bridgeRemoteCommand(ws, wsProtocol, rc, { debug: (o, m) => log.debug(o, m) });
    return;
  }
  await u.passThroughSpdy(url, u.streamProtocols);
}
