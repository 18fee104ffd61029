/**
 * @module Which pods' tracking finalizers a Job controller has asked to remove but not yet seen
 * removed through its informer (upstream's uidTrackingExpectations), so a sync never counts a
 * finished pod twice.
 */

export class FinalizerExpectations {
  private readonly byJob = new Map<string, Set<string>>();

  /** The pod uids still expected to lose their finalizer for a Job key (a live set: copy to keep). */
  expected(jobKey: string): ReadonlySet<string> {
    return this.byJob.get(jobKey) ?? new Set();
  }

  /** Expects the removal of these pod uids (added to those already expected). */
  expectRemoval(jobKey: string, uids: string[]): void {
    let set = this.byJob.get(jobKey);
    if (!set) this.byJob.set(jobKey, (set = new Set()));
    for (const u of uids) set.add(u);
  }

  /** The pod was seen without its finalizer (or gone), or the removal failed. */
  removalObserved(jobKey: string, uid: string): void {
    const set = this.byJob.get(jobKey);
    set?.delete(uid);
    if (set?.size === 0) this.byJob.delete(jobKey);
  }

  /** Forgets a deleted Job. */
  delete(jobKey: string): void { this.byJob.delete(jobKey); }
}
