/**
 * @module The client side of Kubernetes' remote command protocol v4 over SPDY (exec and attach at
 * the runtime's streaming server): one stream per standard stream, tagged by a `streamtype` header.
 */
import { SpdyConnection, type SpdyStream } from './spdy.js';
import { dialSpdy } from './upgrade.js';

/** containerd 1.6 speaks up to v4; v4 is the first with JSON Status on the error stream and resize. */
export const REMOTE_COMMAND_V4 = 'v4.channel.k8s.io';

export interface StdioRequest { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }

export interface RemoteCommand {
  conn: SpdyConnection;
  /** Carries one metav1.Status (JSON) when the command ends, then EOF. */
  error: SpdyStream;
  stdin?: SpdyStream;
  stdout?: SpdyStream;
  stderr?: SpdyStream;
  /** Takes JSON terminal sizes, {"Width":80,"Height":24}, one after another. */
  resize?: SpdyStream;
}

/**
 * Connects to a streaming URL from CRI Exec/Attach and opens the streams the request asked for
 * (they must match what was asked of the runtime, which waits for exactly those). With a TTY
 * there is no stderr stream: the terminal merges it into stdout.
 */
export async function openRemoteCommand(streamUrl: string, req: StdioRequest, o: { timeoutMs?: number } = {}): Promise<RemoteCommand> {
  const { socket, protocol } = await dialSpdy(streamUrl, { protocols: [REMOTE_COMMAND_V4], timeoutMs: o.timeoutMs });
  const conn = new SpdyConnection(socket, { client: true });
  if (protocol !== REMOTE_COMMAND_V4) {
    conn.destroy();
    throw new Error(`the runtime's streaming server chose protocol "${protocol}", want ${REMOTE_COMMAND_V4}`);
  }
  const open = (streamtype: string) => conn.createStream({ streamtype }, { timeoutMs: o.timeoutMs ?? 30_000 });
  try {
    // Opened in client-go's order, error first, so a failure to start is always reported; all
    // SYN_STREAMs go out at once rather than one round trip each.
    const [error, stdin, stdout, stderr, resize] = await Promise.all([
      open('error'),
      req.stdin ? open('stdin') : undefined,
      req.stdout ? open('stdout') : undefined,
      req.stderr && !req.tty ? open('stderr') : undefined,
      req.tty ? open('resize') : undefined,
    ]);
    // Nothing is written back on the error stream; closing our half says so.
    error.end();
    return { conn, error, stdin, stdout, stderr, resize };
  } catch (e) {
    conn.destroy();
    throw e;
  }
}
