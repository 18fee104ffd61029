/**
 * @module Writes pod statuses as the kubelet's status manager: only when the status changed
 * (against the stored pod and the last write), coalesced per pod (one write in flight, the
 * newest status wins), through the status subresource, and only to the pod with the same uid (a
 * JSON patch that tests metadata.uid, so a recreated pod of the same name is never overwritten).
 */
import { isDeepStrictEqual } from 'node:util';
import { isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { KubeletConditions, mergeStatus } from './pod-status.js';

export interface StatusManagerOptions {
  client: Client;
  now?: () => number;
  log: { warn(msg: string): void };
  /** Called after a write failed (other than the pod being gone), to sync the pod again later. */
  onWriteFailed?: (uid: string) => void;
}

interface PodEntry { namespace: string; name: string; uid: string }

export class StatusManager {
  /** The last status written (or being written) per pod uid. */
  private readonly written = new Map<string, Obj>();
  /** The resourceVersion our last write produced, per pod uid. */
  private readonly writtenRV = new Map<string, string>();
  private readonly pending = new Map<string, { pod: PodEntry; status: Obj }>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly o: StatusManagerOptions) {
    this.now = o.now ?? Date.now;
  }

  /**
   * The status the pod would get from `generated` (see mergeStatus), against the newest of the
   * stored status and the last write.
   */
  merged(pod: Obj, generated: Obj): Obj {
    const stored: Obj | undefined = pod.status;
    const w = this.written.get(pod.metadata.uid);
    // Our own conditions as last written (the informer may lag); everyone else's as stored.
    const old = w ? { ...w, conditions: [...(w.conditions ?? []).filter((c: Obj) => KubeletConditions.includes(c.type)),
      ...(stored?.conditions ?? []).filter((c: Obj) => !KubeletConditions.includes(c.type))] } : stored;
    return mergeStatus(old, generated, this.now());
  }

  /** The last status written for the pod, or undefined. */
  lastWritten(uid: string): Obj | undefined { return this.written.get(uid); }

  /**
   * Whether someone else changed the pod's status after our last write (e.g. the node lifecycle
   * controller marked it not ready): the next setStatus then writes ours again.
   */
  isStale(pod: Obj): boolean {
    const uid: string = pod.metadata.uid;
    const last = this.written.get(uid);
    const rv = this.writtenRV.get(uid);
    return !!last && !!rv && newer(pod.metadata.resourceVersion, rv) && !isDeepStrictEqual(normalize(pod.status), last);
  }

  /** Queues `status` (already merged) for the pod unless it equals what the API has or was last sent. */
  setStatus(pod: Obj, status: Obj): void {
    const uid: string = pod.metadata.uid;
    const last = this.written.get(uid);
    const unchanged = last && !this.isStale(pod) ? isDeepStrictEqual(last, status) : isDeepStrictEqual(normalize(pod.status), status);
    if (unchanged) return;
    this.written.set(uid, status);
    this.pending.set(uid, { pod: { namespace: pod.metadata.namespace, name: pod.metadata.name, uid }, status });
    if (!this.inflight.has(uid)) {
      const p = this.drain(uid).finally(() => this.inflight.delete(uid));
      this.inflight.set(uid, p);
    }
  }

  /** Forgets a pod that is gone. */
  forget(uid: string): void {
    this.written.delete(uid);
    this.writtenRV.delete(uid);
    this.pending.delete(uid);
  }

  /** Resolves when the pod's queued writes finished. */
  async flushPod(uid: string): Promise<void> {
    for (let p = this.inflight.get(uid); p; p = this.inflight.get(uid)) await p;
  }

  /** Resolves when every queued write finished. */
  async flush(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight.values()]);
  }

  private async drain(uid: string): Promise<void> {
    for (let next = this.pending.get(uid); next; next = this.pending.get(uid)) {
      this.pending.delete(uid);
      const { pod, status } = next;
      try {
        const stored = await this.o.client.patch(ref('Pod', pod.namespace), pod.name, 'json',
          [{ op: 'test', path: '/metadata/uid', value: uid }, { op: 'replace', path: '/status', value: status }], { subresource: 'status' });
        if (this.written.get(uid) === status) this.writtenRV.set(uid, stored.metadata.resourceVersion);
      } catch (e) {
        if (isNotFound(e)) return;
        // Another pod of the same name (failed uid test) or a transient error: sync again later.
        if (this.written.get(uid) === status) this.written.delete(uid);
        this.o.log.warn(`status of pod ${pod.namespace}/${pod.name}: ${(e as Error).message}`);
        this.o.onWriteFailed?.(uid);
      }
    }
  }
}

const normalize = (s: Obj | undefined) => (s === undefined ? undefined : JSON.parse(JSON.stringify(s)));

/** Whether resourceVersion `a` is later than `b` (numeric revisions; any other pair counts as different, so later). */
function newer(a: string | undefined, b: string): boolean {
  if (!a) return false;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) > BigInt(b);
  return a !== b;
}
