/**
 * @module exec probes (pkg/probe/exec through CRI ExecSync): exit 0 is success, any other exit a
 * failure whose message is the command's output; a timeout is a failure `command "…" timed out`;
 * a runtime error (container gone, runtime down) is an error, not a result.
 */
import { CRIError, type RuntimeService } from '../cri/types.js';
import { MaxOutputBytes, type ProbeOutcome } from './result.js';

/** gRPC DEADLINE_EXCEEDED: ExecSync ran past its timeout. */
const DeadlineExceeded = 4;

export async function execProbe(runtime: Pick<RuntimeService, 'execSync'>, containerId: string, cmd: string[],
  timeoutSeconds: number, guardMs: number): Promise<ProbeOutcome> {
  const timedOut = { result: 'failure', output: `command "${cmd.join(' ')}" timed out` } as const;
  let guard: NodeJS.Timeout | undefined;
  // A runtime that never answers must not stall the probe worker: give up a little after the timeout.
  const overdue = new Promise<'overdue'>((r) => { guard = setTimeout(() => r('overdue'), guardMs); });
  try {
    const res = await Promise.race([runtime.execSync(containerId, cmd, timeoutSeconds), overdue]);
    if (res === 'overdue') return timedOut;
    const output = Buffer.concat([res.stdout ?? Buffer.alloc(0), res.stderr ?? Buffer.alloc(0)]).subarray(0, MaxOutputBytes).toString('utf8');
    return { result: res.exitCode === 0 ? 'success' : 'failure', output };
  } catch (e) {
    if (e instanceof CRIError && e.code === DeadlineExceeded) return timedOut;
    return { result: 'error', error: (e as Error).message };
  } finally {
    clearTimeout(guard);
  }
}
