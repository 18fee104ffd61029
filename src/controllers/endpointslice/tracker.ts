/**
 * @module The EndpointSliceTracker: which version of each slice this controller last wrote (or
 * deleted), so that a sync never runs on an informer cache that has not yet seen its own writes.
 * Upstream tracks metadata.generation; here EndpointSlices have none, so the tracker compares
 * resourceVersions, which this server issues as increasing revisions.
 */
import type { Obj } from '../../client/client.js';

const DeletionExpected = -1;

const revisionOf = (slice: Obj): number => Number(slice.metadata?.resourceVersion ?? 0);

export class EndpointSliceTracker {
  /** Service key → slice uid → revision written (or DeletionExpected). */
  private byService = new Map<string, Map<string, number>>();

  /** Records a slice this controller created or updated (the object the server returned). */
  update(serviceKey: string, slice: Obj): void { this.slices(serviceKey).set(slice.metadata.uid, revisionOf(slice)); }

  /** Records a slice this controller deleted. */
  expectDeletion(serviceKey: string, slice: Obj): void { this.slices(serviceKey).set(slice.metadata.uid, DeletionExpected); }

  /** ShouldSync: the slice changed since this controller wrote it (or was never written by it). */
  shouldSync(serviceKey: string, slice: Obj): boolean {
    const rev = this.byService.get(serviceKey)?.get(slice.metadata.uid);
    return rev === undefined || revisionOf(slice) > rev;
  }

  /** HandleDeletion: forgets the slice; true when this controller deleted it (no resync needed). */
  handleDeletion(serviceKey: string, slice: Obj): boolean {
    const slices = this.byService.get(serviceKey);
    const rev = slices?.get(slice.metadata.uid);
    slices?.delete(slice.metadata.uid);
    return rev === DeletionExpected;
  }

  /** StaleSlices: the cache lacks a slice written, holds one deleted, or holds an older version. */
  stale(serviceKey: string, cached: Obj[]): boolean {
    const slices = this.byService.get(serviceKey);
    if (!slices) return false;
    const seen = new Set<string>();
    for (const s of cached) {
      seen.add(s.metadata.uid);
      const rev = slices.get(s.metadata.uid);
      if (rev !== undefined && (rev === DeletionExpected || rev > revisionOf(s))) return true;
    }
    for (const [uid, rev] of slices) if (rev !== DeletionExpected && !seen.has(uid)) return true;
    return false;
  }

  deleteService(serviceKey: string): void { this.byService.delete(serviceKey); }

  private slices(serviceKey: string): Map<string, number> {
    let m = this.byService.get(serviceKey);
    if (!m) this.byService.set(serviceKey, (m = new Map()));
    return m;
  }
}
