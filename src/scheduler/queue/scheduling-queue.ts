/**
 * @module The scheduling queue, as kube-scheduler's PriorityQueue: activeQ (a heap: priority,
 * then creation time), backoffQ (per-pod backoff, 1 s doubling to 10 s per attempt) and the
 * unschedulable pool, which cluster events (or a 60 s timeout) move back; plus the nominator
 * (pods nominated to nodes by preemption).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { newPodInfo, type PodInfo } from '../framework/pod-info.js';
import { Heap } from './heap.js';

/** Shared empty answer of nominatedPodsForNode (asked once per node per cycle). */
const NONE: readonly PodInfo[] = Object.freeze([]);

export interface QueuedPodInfo {
  info: PodInfo;
  /** When the pod last entered a queue (ms); its backoff counts from here. */
  timestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** Plugins that rejected it in the last attempt; empty after an error. */
  unschedulablePlugins: Set<string>;
}

/** Cluster events that may make unschedulable pods schedulable. */
export type ClusterEvent = 'NodeAdd' | 'NodeUpdate' | 'AssignedPodAdd' | 'AssignedPodUpdate' | 'AssignedPodDelete';

/** Plugins whose rejections an event may resolve ('*': any). Pod arrivals only help affinity and spread. */
const EVENT_PLUGINS: Record<ClusterEvent, '*' | ReadonlySet<string>> = {
  NodeAdd: '*',
  NodeUpdate: '*',
  AssignedPodDelete: '*',
  AssignedPodAdd: new Set(['InterPodAffinity', 'PodTopologySpread']),
  AssignedPodUpdate: new Set(['InterPodAffinity', 'PodTopologySpread']),
};

export interface QueueOptions {
  now?: () => number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A pod stays unschedulable at most this long before it is retried anyway. */
  maxUnschedulableMs?: number;
}

const creation = (p: PodInfo) => Date.parse(p.pod.metadata?.creationTimestamp ?? '') || 0;

/** Whether anything but status and bookkeeping changed (isPodUpdated). */
function podChanged(a: Pod, b: Pod): boolean {
  const strip = (p: Pod) => {
    const { resourceVersion: _rv, generation: _g, managedFields: _mf, ...meta } = p.metadata ?? {};
    return JSON.stringify([meta, p.spec]);
  };
  return strip(a) !== strip(b);
}

export class SchedulingQueue {
  private readonly now: () => number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly activeQ = new Heap<QueuedPodInfo>((q) => q.info.key, (a, b) =>
    a.info.priority > b.info.priority || (a.info.priority === b.info.priority && creation(a.info) < creation(b.info)));
  private readonly backoffQ = new Heap<QueuedPodInfo>((q) => q.info.key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly inFlight = new Set<string>();
  private readonly waiters: ((q: QueuedPodInfo | undefined) => void)[] = [];
  private readonly nominatedByNode = new Map<string, PodInfo[]>();
  private readonly nominatedNodeOf = new Map<string, string>();
  private closed = false;
  /** Incremented per pop; a move request during a pod's cycle sends its failure to backoff. */
  private schedulingCycle = 0;
  private moveRequestCycle = -1;

  constructor(opts: QueueOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 60_000;
  }

  /** A new pending pod: to activeQ (or, if already queued, an update). */
  add(pod: Pod): void {
    const info = newPodInfo(pod);
    this.updateNomination(info);
    if (this.inFlight.has(info.key)) return;
    if (this.activeQ.has(info.key) || this.backoffQ.has(info.key) || this.unschedulable.has(info.key)) return this.update(pod);
    this.pushActive({ info, timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set() });
  }

  /** A pending pod changed: update it where it waits; an unschedulable pod whose spec changed is retried. */
  update(pod: Pod): void {
    const info = newPodInfo(pod);
    this.updateNomination(info);
    const key = info.key;
    for (const q of [this.activeQ, this.backoffQ]) {
      const qi = q.get(key);
      if (qi) {
        q.addOrUpdate({ ...qi, info });
        return;
      }
    }
    const qi = this.unschedulable.get(key);
    if (qi) {
      const updated = { ...qi, info };
      if (!podChanged(qi.info.pod, pod)) {
        this.unschedulable.set(key, updated);
        return;
      }
      this.unschedulable.delete(key);
      if (this.isBackingOff(updated)) this.backoffQ.addOrUpdate(updated); else this.pushActive(updated);
      return;
    }
    // In flight: the failure handler re-reads the pod; otherwise unknown so far: queue it.
    if (!this.inFlight.has(key)) this.pushActive({ info, timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set() });
  }

  /** The pod is gone or was bound elsewhere. */
  delete(pod: Pod): void {
    const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulable.delete(key);
    this.deleteNomination(key);
  }

  /** The next pod to schedule (waits for one); undefined after close(). */
  pop(): Promise<QueuedPodInfo | undefined> {
    const q = this.activeQ.pop();
    if (q) return Promise.resolve(this.started(q));
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The cycle number of the pod popped last. */
  get cycle(): number { return this.schedulingCycle; }

  /** Marks a popped pod's cycle finished (bound, or requeued by addUnschedulable). */
  done(key: string): void { this.inFlight.delete(key); }

  /**
   * Requeues a pod whose attempt failed: to backoffQ after an error or when a cluster event came
   * during its cycle, otherwise to the unschedulable pool until an event may help.
   */
  addUnschedulable(q: QueuedPodInfo, podCycle: number): void {
    this.inFlight.delete(q.info.key);
    if (this.activeQ.has(q.info.key) || this.backoffQ.has(q.info.key) || this.unschedulable.has(q.info.key)) return;
    const requeued = { ...q, timestamp: this.now() };
    if (this.moveRequestCycle >= podCycle || q.unschedulablePlugins.size === 0) this.backoffQ.addOrUpdate(requeued);
    else this.unschedulable.set(q.info.key, requeued);
  }

  /** Moves unschedulable pods an event may help to activeQ, or to backoffQ while they back off. */
  moveAllToActiveOrBackoff(event: ClusterEvent): void {
    const plugins = EVENT_PLUGINS[event];
    for (const [key, q] of this.unschedulable) {
      if (plugins !== '*' && q.unschedulablePlugins.size > 0 && ![...q.unschedulablePlugins].some((p) => plugins.has(p))) continue;
      this.unschedulable.delete(key);
      if (this.isBackingOff(q)) this.backoffQ.addOrUpdate(q); else this.pushActive(q);
    }
    this.moveRequestCycle = this.schedulingCycle;
  }

  /** Moves pods whose backoff has expired to activeQ (upstream runs this every second). */
  flushBackoffCompleted(): void {
    const now = this.now();
    for (let q = this.backoffQ.peek(); q && this.backoffExpiry(q) <= now; q = this.backoffQ.peek()) this.pushActive(this.backoffQ.pop()!);
  }

  /** Retries pods unschedulable for longer than maxUnschedulableMs. */
  flushUnschedulableLeftover(): void {
    const now = this.now();
    for (const [key, q] of this.unschedulable) {
      if (now - q.timestamp < this.maxUnschedulableMs) continue;
      this.unschedulable.delete(key);
      if (this.isBackingOff(q)) this.backoffQ.addOrUpdate(q); else this.pushActive(q);
    }
  }

  /** Runs the periodic flushes until signal aborts; then pop() returns undefined. */
  run(signal: AbortSignal): void {
    const backoff = setInterval(() => this.flushBackoffCompleted(), 1000);
    const leftover = setInterval(() => this.flushUnschedulableLeftover(), Math.min(30_000, this.maxUnschedulableMs / 2));
    signal.addEventListener('abort', () => {
      clearInterval(backoff);
      clearInterval(leftover);
      this.close();
    }, { once: true });
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** How many pods wait in each part (for tests and metrics). */
  lengths(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size };
  }

  // --- nominator ---

  /** Records that the pod is nominated to nodeName (after preemption, before its status says so). */
  addNominatedPod(info: PodInfo, nodeName: string): void {
    this.deleteNomination(info.key);
    let list = this.nominatedByNode.get(nodeName);
    if (!list) this.nominatedByNode.set(nodeName, (list = []));
    list.push(info);
    this.nominatedNodeOf.set(info.key, nodeName);
  }

  deleteNomination(key: string): void {
    const node = this.nominatedNodeOf.get(key);
    if (node === undefined) return;
    this.nominatedNodeOf.delete(key);
    const list = this.nominatedByNode.get(node)!.filter((p) => p.key !== key);
    if (list.length) this.nominatedByNode.set(node, list); else this.nominatedByNode.delete(node);
  }

  nominatedPodsForNode(nodeName: string): readonly PodInfo[] { return this.nominatedByNode.get(nodeName) ?? NONE; }

  private updateNomination(info: PodInfo): void {
    const node = info.pod.status?.nominatedNodeName;
    if (node) this.addNominatedPod(info, node);
    else this.deleteNomination(info.key);
  }

  private started(q: QueuedPodInfo): QueuedPodInfo {
    this.schedulingCycle++;
    this.inFlight.add(q.info.key);
    q.attempts++;
    return q;
  }

  private pushActive(q: QueuedPodInfo): void {
    const w = this.waiters.shift();
    if (w) w(this.started(q)); else this.activeQ.addOrUpdate(q);
  }

  private backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d > this.maxBackoffMs) return this.maxBackoffMs;
    }
    return d;
  }

  private backoffExpiry(q: QueuedPodInfo): number { return q.timestamp + this.backoffDuration(q); }

  private isBackingOff(q: QueuedPodInfo): boolean { return this.backoffExpiry(q) > this.now(); }
}
