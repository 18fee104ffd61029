/**
 * @module The node conditions the kubelet reports (MemoryPressure, DiskPressure, PIDPressure,
 * Ready) with its reasons and messages; a condition's lastTransitionTime moves only when its
 * status changes. Shared by the real kubelet and hollow nodes.
 */
import type { Obj } from '../../client/client.js';

/** RFC 3339 to the second, as metav1.Time serializes. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const KubeletReady = 'KubeletReady';
export const KubeletNotReady = 'KubeletNotReady';

export interface NodeHealth {
  memoryPressure?: boolean;
  diskPressure?: boolean;
  pidPressure?: boolean;
  /** Why the node is not ready (e.g. "container runtime is down"); undefined when ready. */
  notReady?: string;
}

/**
 * The four kubelet-owned conditions at `now`, keeping each one's lastTransitionTime from
 * `previous` (the stored node's conditions) when its status did not change.
 */
export function nodeConditions(h: NodeHealth, previous: Obj[] | undefined, now: number): Obj[] {
  const hb = rfc3339(now);
  const cond = (type: string, status: boolean, reason: string, message: string) => {
    const s = status ? 'True' : 'False';
    const prev = previous?.find((c) => c.type === type);
    const since = prev?.status === s && prev.lastTransitionTime ? prev.lastTransitionTime : hb;
    return { type, status: s, lastHeartbeatTime: hb, lastTransitionTime: since, reason, message };
  };
  return [
    h.memoryPressure
      ? cond('MemoryPressure', true, 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available')
      : cond('MemoryPressure', false, 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    h.diskPressure
      ? cond('DiskPressure', true, 'KubeletHasDiskPressure', 'kubelet has disk pressure')
      : cond('DiskPressure', false, 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    h.pidPressure
      ? cond('PIDPressure', true, 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available')
      : cond('PIDPressure', false, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    h.notReady === undefined
      ? cond('Ready', true, KubeletReady, 'kubelet is posting ready status')
      : cond('Ready', false, KubeletNotReady, h.notReady),
  ];
}
