/**
 * @module Controller expectations (upstream's UIDTrackingControllerExpectations): how many creates
 * and which deletes a controller is still waiting to observe through its informer, so that a
 * reconcile does not act again on a stale cache. Expectations expire after five minutes.
 */

/** Upstream's ExpectationsTimeout. */
export const ExpectationsTimeoutMs = 5 * 60_000;

interface Expectation { add: number; del: number; timestamp: number }

export class ControllerExpectations {
  private readonly store = new Map<string, Expectation>();
  private readonly deleteKeys = new Map<string, Set<string>>();

  /** @param now the injected clock (ms). */
  constructor(private readonly now: () => number) {}

  /**
   * True when the controller may act on `key`: nothing is expected, all that was expected has been
   * observed, or the expectations are older than ExpectationsTimeoutMs (a lost watch event).
   */
  satisfied(key: string): boolean {
    const e = this.store.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.timestamp > ExpectationsTimeoutMs;
  }

  /** Expects `count` creations for key (replacing earlier expectations). */
  expectCreations(key: string, count: number): void {
    this.store.set(key, { add: count, del: 0, timestamp: this.now() });
  }

  /** Expects the deletion of these pods ("ns/name" keys) for key (replacing earlier expectations). */
  expectDeletions(key: string, podKeys: string[]): void {
    this.deleteKeys.set(key, new Set(podKeys));
    this.store.set(key, { add: 0, del: podKeys.length, timestamp: this.now() });
  }

  /** One expected creation was observed, or will never happen (a failed or skipped create). */
  creationObserved(key: string): void {
    const e = this.store.get(key);
    if (e) e.add--;
  }

  /** The deletion of podKey was observed (or failed); counted once per expected pod. */
  deletionObserved(key: string, podKey: string): void {
    const keys = this.deleteKeys.get(key);
    if (!keys?.delete(podKey)) return;
    const e = this.store.get(key);
    if (e) e.del--;
  }

  /** Forgets key (its controller was deleted). */
  delete(key: string): void {
    this.store.delete(key);
    this.deleteKeys.delete(key);
  }
}
