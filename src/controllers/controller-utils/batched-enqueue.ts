/**
 * @module Coalesced enqueues for events that only refresh a controller's status (a pod turning
 * Ready, a ReplicaSet's status write): the first such event after a quiet period queues the key at
 * once, later ones within `periodMs` wait for the period's end, so a burst of a thousand pod updates
 * costs a few syncs of the owner, not a thousand. Upstream's Job controller batches pod events the
 * same way (syncJobBatchPeriod); events that need action (a pod gone, a spec change) bypass this.
 */
import type { Obj } from '../../client/client.js';
import type { WorkQueue } from '../../client/workqueue.js';

export class BatchedEnqueue {
  /** When each key was (or is due to be) queued last through this batcher. */
  private readonly lastQueued = new Map<string, number>();

  /** `periodMs` may depend on the key: a controller whose sync costs grow with the object can batch its large ones longer. */
  constructor(private readonly queue: WorkQueue<string>, private readonly periodMs: number | ((key: string) => number),
    private readonly now: () => number = () => performance.now()) {}

  add(key: string): void {
    const period = typeof this.periodMs === 'number' ? this.periodMs : this.periodMs(key);
    if (period <= 0) return this.queue.add(key);
    const now = this.now();
    const last = this.lastQueued.get(key) ?? -Infinity;
    if (now >= last + period) {
      this.lastQueued.set(key, now);
      this.queue.add(key);
    } else if (last > now) {
      this.queue.addAfter(key, last - now); // already due then (a no-op unless the timer was lost)
    } else {
      this.lastQueued.set(key, last + period);
      this.queue.addAfter(key, last + period - now);
    }
  }

  /** Forgets key (its object was deleted). */
  forget(key: string): void { this.lastQueued.delete(key); }
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** True when an update of obj changed nothing but its status (and resourceVersion / managedFields). */
export function onlyStatusChanged(old: Obj, cur: Obj): boolean {
  const o = old.metadata ?? {}, c = cur.metadata ?? {};
  return o.generation === c.generation && o.deletionTimestamp === c.deletionTimestamp && same(o.labels, c.labels) &&
    same(o.annotations, c.annotations) && same(o.ownerReferences, c.ownerReferences) && same(o.finalizers, c.finalizers);
}
