/**
 * @module /portForward/NS/POD: asks the runtime (CRI PortForward on the pod's sandbox) for a
 * streaming session and passes the client's SPDY session (portforward.k8s.io: a data and an error
 * stream per connection, tagged with its port) through to it — tunnelled in WebSocket messages
 * (kubectl's first try, subprotocol "SPDY/3.1+portforward.k8s.io") or on a plain SPDY upgrade.
 */
import type { RuntimeService } from '../cri/types.js';
import { relayTunnel } from '../streaming/relay.js';
import { dialSpdy, UpgradeRefusedError } from '../streaming/upgrade.js';
import { findSandbox } from './containers.js';
import { HttpError, badRequest, notFound } from './http-error.js';
import type { PodRef } from './routes.js';
import type { UpgradeRequest } from './upgrade.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** kubectl ≥ 1.30 tunnels SPDY through WebSocket under this subprotocol. */
export const TUNNELED_PORT_FORWARD_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

export async function servePortForward(runtime: RuntimeService, u: UpgradeRequest, pod: PodRef): Promise<void> {
  const tunnelled = u.isWebSocket && u.webSocketProtocols.includes(TUNNELED_PORT_FORWARD_PROTOCOL);
  if (u.isWebSocket && !tunnelled) {
    throw badRequest(`unable to upgrade: port forwarding over WebSocket needs the subprotocol ${TUNNELED_PORT_FORWARD_PROTOCOL}`);
  }
  if (!u.isWebSocket && !u.isSpdy) throw badRequest('unable to upgrade: missing upgrade headers in request (want websocket or SPDY/3.1)');
  const sandbox = await findSandbox(runtime, pod);
  if (!sandbox || sandbox.state !== 'SANDBOX_READY') throw notFound(`pod "${pod.name}" in namespace "${pod.namespace}" has no running sandbox`);
  const url = await runtime.portForward({ podSandboxId: sandbox.id });
  if (!tunnelled) return u.passThroughSpdy(url, u.streamProtocols.length ? u.streamProtocols : [PORT_FORWARD_PROTOCOL]);

  let upstream;
  try {
    upstream = await dialSpdy(url, { protocols: [PORT_FORWARD_PROTOCOL] });
  } catch (e) {
    if (e instanceof UpgradeRefusedError) throw new HttpError(e.statusCode, e.body);
    throw e;
  }
  let ws;
  try {
    ws = await u.acceptWebSocket(TUNNELED_PORT_FORWARD_PROTOCOL);
  } catch (e) {
    upstream.socket.destroy();
    throw e;
  }
  await relayTunnel(ws, upstream.socket);
}
